"""Cassettes written as vcrpy YAML version 1, redacted, atomically, one writer per file at a time.

vcrpy itself loads what is written here. A stream's chunk times go in the response's extra
`chunk_offsets` list, which vcrpy carries along untouched. Each write goes to a temporary file
in the same directory, then `os.replace`: a crash leaves the previous cassette as it was.

An append serialises only the new interaction: the store keeps the YAML text of the file's
interactions (as read, when the file is laid out as PyYAML writes it) and adds the new one's.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from mockgem.errors import CassetteError
from mockgem.sources.cassettes.formats import CHUNK_OFFSETS_KEY, WEBSOCKET_KEY, load_cassette
from mockgem.sources.cassettes.model import Headers, Interaction, WebSocketMessage
from mockgem.sources.cassettes.redact import RedactionRules, redact

try:
    from yaml import CSafeDumper as _Dumper
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeDumper as _Dumper  # type: ignore[assignment]

CASSETTE_VERSION = 1
_HEAD = "interactions:\n"
_TAIL = f"version: {CASSETTE_VERSION}\n"
_OUTSIDE_ITEMS = re.compile(r"^(?!- )\S", re.MULTILINE)  # an unindented line that starts no list item


def dump_cassette(interactions: Sequence[Interaction]) -> str:
    document = {"interactions": [_interaction_document(i) for i in interactions], "version": CASSETTE_VERSION}
    return yaml.dump(document, Dumper=_Dumper, allow_unicode=True, width=120)


def dump_interaction(interaction: Interaction) -> str:
    """One interaction as an item of the `interactions` list, as `dump_cassette` writes it."""
    document = {"interactions": [_interaction_document(interaction)]}
    return yaml.dump(document, Dumper=_Dumper, allow_unicode=True, width=120).removeprefix(_HEAD)


def _cassette_text(items: str) -> str:
    return f"{_HEAD}{items}{_TAIL}" if items else dump_cassette(())


def _items_of(text: str, interactions: Sequence[Interaction]) -> str:
    """The `interactions` items of a cassette's text, reused as they are when laid out as PyYAML
    writes them (a block list at the top, `version: 1` last), else serialised anew."""
    items = text[len(_HEAD) : -len(_TAIL)]
    if text.startswith(_HEAD + "- ") and text.endswith("\n" + _TAIL) and not _OUTSIDE_ITEMS.search(items):
        return items
    return "".join(dump_interaction(interaction) for interaction in interactions)


def _interaction_document(interaction: Interaction) -> dict[str, Any]:
    request, response = interaction.request, interaction.response
    recorded_response: dict[str, Any] = {
        "body": {"string": _text_or_bytes(response.body)},
        "headers": _grouped(response.headers),
        "status": {"code": response.status, "message": response.reason},
    }
    if response.chunk_offsets is not None:
        recorded_response[CHUNK_OFFSETS_KEY] = [round(offset, 4) for offset in response.chunk_offsets]
    if response.websocket_messages is not None:
        recorded_response[WEBSOCKET_KEY] = [_websocket_document(message) for message in response.websocket_messages]
    recorded_request = {
        "body": _text_or_bytes(request.body),
        "headers": _grouped(request.headers),
        "method": request.method,
        "uri": request.uri,
    }
    return {"request": recorded_request, "response": recorded_response}


def _websocket_document(message: WebSocketMessage) -> dict[str, Any]:
    document: dict[str, Any] = {"type": message.type, "time": round(message.time, 4), "opcode": message.opcode}
    if message.code is not None:
        document["code"] = message.code
    return document | {"data": _text_or_bytes(message.data)}


def _text_or_bytes(body: bytes) -> str | bytes:
    """Text stays readable in the file; anything else becomes `!!binary`, as vcrpy does."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body


def _grouped(headers: Headers) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for name, value in headers:
        grouped.setdefault(name, []).append(value)
    return grouped


def write_atomic(path: Path, text: str) -> None:
    """Replace `path` by `text` in one step: readers see the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


class CassetteStore:
    """Appends recorded interactions to cassette files; safe from threads and the event loop."""

    def __init__(self, *, redaction: RedactionRules | None = None) -> None:
        self.redaction = redaction or RedactionRules()
        self._guard = threading.Lock()
        self._locks: dict[Path, threading.Lock] = {}
        self._items: dict[Path, str] = {}  # each cassette's `interactions` items as YAML text

    def append(self, path: Path, interaction: Interaction) -> Interaction:
        """Redact `interaction`, add it to the end of the cassette, and return what was written."""
        clean = redact(interaction, self.redaction)
        key = path.resolve()
        with self._lock_for(key):
            items = self._items.get(key)
            if items is None:
                items = self._existing(path)
            items += dump_interaction(clean)
            write_atomic(path, _cassette_text(items))
            self._items[key] = items
        return clean

    def start_afresh(self, path: Path) -> None:
        """The next append to `path` replaces what the file holds (re-recording a cassette).

        Nothing is written now: a run that records nothing leaves the file as it was.
        """
        key = path.resolve()
        with self._lock_for(key):
            self._items[key] = ""

    async def append_async(self, path: Path, interaction: Interaction) -> Interaction:
        """`append` in a worker thread, so a large cassette never blocks the event loop."""
        return await asyncio.to_thread(self.append, path, interaction)

    def write(self, path: Path, interactions: Sequence[Interaction]) -> tuple[Interaction, ...]:
        """Replace the whole cassette by `interactions`, redacted (`mockgem cassette redact`)."""
        clean = tuple(redact(interaction, self.redaction) for interaction in interactions)
        key = path.resolve()
        items = "".join(dump_interaction(interaction) for interaction in clean)
        with self._lock_for(key):
            write_atomic(path, _cassette_text(items))
            self._items[key] = items
        return clean

    def _lock_for(self, key: Path) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    @staticmethod
    def _existing(path: Path) -> str:
        """The items of the cassette at `path` (none if there is no file), checked to be vcrpy's."""
        if not path.exists():
            return ""
        cassette = load_cassette(path)
        if cassette.format != "vcrpy":
            raise CassetteError(
                f"{path}: this is a {cassette.format} cassette; mockgem records only into vcrpy YAML "
                "files, so record into a new file instead"
            )
        return _items_of(path.read_text(encoding="utf-8"), cassette.interactions)
