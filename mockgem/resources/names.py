"""Recorded resource names mapped to the names this run created.

A cassette that uploads a file and then asks about `files/abc` replays against a new upload
named `files/xyz`. After each create, the server learns the pair by walking the recorded and the
live answers side by side (`learn_from`); before looking a request up it rewrites live names to
recorded ones (`to_recorded`), and it rewrites the recorded answer back (`to_live`). Names are
found anywhere in a string, so URIs (`https://host/v1beta/files/abc`) and Vertex paths
(`projects/p/locations/l/cachedContents/123`) are rewritten too. A URI learned as a pair maps
whole: the recorded `fileUri` names the recording's host, the live one this server.
"""

from __future__ import annotations

import re
from typing import Any

RESOURCE_NAME = re.compile(
    r"(?<![A-Za-z0-9_-])"
    r"((?:files|cachedContents|batches|batchPredictionJobs)/[A-Za-z0-9][A-Za-z0-9-]*)"
    r"(?![A-Za-z0-9_-])"
)


class NameMap:
    def __init__(self) -> None:
        self._live_by_recorded: dict[str, str] = {}
        self._recorded_by_live: dict[str, str] = {}
        self._live_uris: dict[str, str] = {}
        self._recorded_uris: dict[str, str] = {}

    def __bool__(self) -> bool:
        return bool(self._live_by_recorded)

    def learn(self, recorded: str, live: str) -> None:
        """Remember that the recording's `recorded` is this run's `live` (full names or URIs)."""
        recorded_name, live_name = _short_name(recorded), _short_name(live)
        if recorded_name and live_name and recorded_name != live_name:
            self._live_by_recorded[recorded_name] = live_name
            self._recorded_by_live[live_name] = recorded_name
            if "://" in recorded and "://" in live:
                self._live_uris[recorded] = live
                self._recorded_uris[live] = recorded

    def learn_from(self, recorded: Any, live: Any) -> None:
        """Learn every pair of names found at the same place in two JSON answers."""
        if isinstance(recorded, dict) and isinstance(live, dict):
            for key in recorded.keys() & live.keys():
                self.learn_from(recorded[key], live[key])
        elif isinstance(recorded, list) and isinstance(live, list):
            for recorded_item, live_item in zip(recorded, live, strict=False):
                self.learn_from(recorded_item, live_item)
        elif isinstance(recorded, str) and isinstance(live, str):
            self.learn(recorded, live)

    def live_name(self, recorded: str) -> str | None:
        return self._live_by_recorded.get(recorded)

    def recorded_name(self, live: str) -> str | None:
        return self._recorded_by_live.get(live)

    def to_live(self, value: Any) -> Any:
        """`value` (JSON or text) with every recorded name replaced by its live name."""
        return _rewrite(value, self._live_by_recorded, self._live_uris)

    def to_recorded(self, value: Any) -> Any:
        """`value` (JSON or text) with every live name replaced by its recorded name."""
        return _rewrite(value, self._recorded_by_live, self._recorded_uris)

    def reset(self) -> None:
        for mapping in (self._live_by_recorded, self._recorded_by_live, self._live_uris, self._recorded_uris):
            mapping.clear()


def _short_name(text: str) -> str | None:
    """The `collection/id` inside a name, URI or Vertex path; None if it names no resource."""
    matches = RESOURCE_NAME.findall(text)
    return str(matches[0]) if len(matches) == 1 else None


def _rewrite(value: Any, mapping: dict[str, str], uris: dict[str, str]) -> Any:
    if not mapping:
        return value
    if isinstance(value, str):
        whole = uris.get(value)
        return whole if whole is not None else RESOURCE_NAME.sub(lambda match: mapping.get(match.group(1), match.group(1)), value)
    if isinstance(value, list):
        return [_rewrite(item, mapping, uris) for item in value]
    if isinstance(value, dict):
        return {key: _rewrite(item, mapping, uris) for key, item in value.items()}
    return value
