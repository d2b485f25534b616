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
    r"((?:files|cachedContents|batches|batchPredictionJobs|fileSearchStores|documents|operations|tunedModels|tuningJobs)/[A-Za-z0-9][A-Za-z0-9-]*)"
    r"(?![A-Za-z0-9_-])"
)


class _Rewrite:
    """One direction of the map (recorded to live, or back): names, whole URIs and bare ids."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.uris: dict[str, str] = {}
        self.ids: dict[str, str] = {}
        self._id_pattern: re.Pattern[str] | None = None

    def add(self, name: str, to: str, uri: tuple[str, str] | None) -> None:
        self.names[name] = to
        # An error message names a resource by its bare id ("the File abc"): ids are long and random.
        self.ids[name.rpartition("/")[2]] = to.rpartition("/")[2]
        self._id_pattern = None
        if uri is not None:
            self.uris[uri[0]] = uri[1]

    def text(self, value: str) -> str:
        whole = self.uris.get(value)
        if whole is not None:
            return whole
        value = RESOURCE_NAME.sub(lambda match: self.names.get(match.group(1), match.group(1)), value)
        return self._ids().sub(lambda match: self.ids[match.group(0)], value)

    def _ids(self) -> re.Pattern[str]:
        if self._id_pattern is None:
            alternatives = "|".join(re.escape(bare) for bare in sorted(self.ids, key=len, reverse=True))
            self._id_pattern = re.compile(rf"(?<![A-Za-z0-9_/-])(?:{alternatives})(?![A-Za-z0-9_-])")
        return self._id_pattern

    def clear(self) -> None:
        self.names.clear()
        self.uris.clear()
        self.ids.clear()
        self._id_pattern = None


class NameMap:
    def __init__(self) -> None:
        self._to_live = _Rewrite()
        self._to_recorded = _Rewrite()

    def __bool__(self) -> bool:
        return bool(self._to_live.names)

    def learn(self, recorded: str, live: str) -> None:
        """Remember that the recording's `recorded` is this run's `live` (full names or URIs);
        a nested name (`fileSearchStores/a/documents/b`) pairs each of its parts."""
        recorded_names, live_names = RESOURCE_NAME.findall(recorded), RESOURCE_NAME.findall(live)
        if len(recorded_names) != len(live_names) or len(recorded_names) > 1 and any(c.isspace() for c in recorded + live):
            return  # several names in prose are no one path
        uris = "://" in recorded and "://" in live and len(recorded_names) == 1
        for recorded_name, live_name in zip(recorded_names, live_names, strict=True):
            if recorded_name != live_name and recorded_name.partition("/")[0] == live_name.partition("/")[0]:
                self._to_live.add(recorded_name, live_name, (recorded, live) if uris else None)
                self._to_recorded.add(live_name, recorded_name, (live, recorded) if uris else None)

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
        return self._to_live.names.get(recorded)

    def recorded_name(self, live: str) -> str | None:
        return self._to_recorded.names.get(live)

    def to_live(self, value: Any) -> Any:
        """`value` (JSON or text) with every recorded name replaced by its live name."""
        return _rewrite(value, self._to_live)

    def to_recorded(self, value: Any) -> Any:
        """`value` (JSON or text) with every live name replaced by its recorded name."""
        return _rewrite(value, self._to_recorded)

    def reset(self) -> None:
        self._to_live.clear()
        self._to_recorded.clear()


def _rewrite(value: Any, direction: _Rewrite) -> Any:
    if not direction.names:
        return value
    if isinstance(value, str):
        return direction.text(value)
    if isinstance(value, list):
        return [_rewrite(item, direction) for item in value]
    if isinstance(value, dict):
        return {key: _rewrite(item, direction) for key, item in value.items()}
    return value
