"""Cassettes written as vcrpy YAML version 1, redacted, one writer per file at a time.

vcrpy itself loads what is written here. A stream's chunk times go in the response's extra
`chunk_offsets` list, which vcrpy carries along untouched.

An append serialises only the new interaction and writes only it: the store keeps the YAML text
of the file's interactions (as read, when the file is laid out as PyYAML writes it), and adds
the new item in place of the closing `version: 1` line, which it writes again after it. A
200 MB cassette is never rewritten for an append, and a kill in the middle of one leaves every
earlier interaction whole: the loader drops a torn last item (`formats.read_interactions`).
A stream is appended when its first byte arrives (`add`) and completed at its end (`replace`):
in place when it is still the file's last item, else by one whole rewrite. A whole rewrite (a
file laid out otherwise, a rewrite, `mockgem cassette redact`) goes to a temporary file in the
same directory, then `os.replace`: a crash leaves the previous cassette as it was.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import re
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

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
_HEAD_BYTES, _TAIL_BYTES = _HEAD.encode(), _TAIL.encode()
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


def write_atomic(path: Path, text: str | bytes) -> None:
    """Replace `path` by `text` in one step: readers see the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(text.encode("utf-8") if isinstance(text, str) else text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


@dataclass
class _Layout:
    """A cassette as this store last wrote it: its items' YAML (`entry` None for those it found
    in the file), and the file's size then, or None when the next write must rewrite it whole."""

    items: list[tuple[int | None, bytes]] = field(default_factory=list)
    size: int | None = None

    def offset(self, index: int) -> int:
        return len(_HEAD_BYTES) + sum(len(text) for _, text in self.items[:index])

    def index_of(self, entry: int) -> int:
        return next(index for index, (held, _) in enumerate(self.items) if held == entry)

    def text(self) -> bytes:
        return _HEAD_BYTES + self.tail(0) if self.items else dump_cassette(()).encode()

    def tail(self, start: int) -> bytes:
        """The file's bytes from item `start` on (the closing line included)."""
        return b"".join(text for _, text in self.items[start:]) + _TAIL_BYTES


class CassetteStore:
    """Appends recorded interactions to cassette files; safe from threads and the event loop."""

    def __init__(self, *, redaction: RedactionRules | None = None) -> None:
        self.redaction = redaction or RedactionRules()
        self._guard = threading.Lock()
        self._locks: dict[Path, threading.Lock] = {}
        self._layouts: dict[Path, _Layout] = {}
        self._entries = itertools.count()

    def append(self, path: Path, interaction: Interaction) -> Interaction:
        """Redact `interaction`, add it to the end of the cassette, and return what was written."""
        return self.add(path, interaction)[0]

    def add(self, path: Path, interaction: Interaction) -> tuple[Interaction, int]:
        """`append`, and the entry by which `replace` and `remove` find the item again."""
        clean = redact(interaction, self.redaction)
        entry = next(self._entries)
        key = path.resolve()
        with self._lock_for(key):
            layout = self._layout(path, key)
            layout.items.append((entry, dump_interaction(clean).encode()))
            try:
                self._write(path, layout, len(layout.items) - 1, _TAIL_BYTES)
            except BaseException:
                layout.items.pop()  # not written: the next write leaves it out
                raise
        return clean, entry

    def replace(self, path: Path, entry: int, interaction: Interaction) -> Interaction:
        """The item `add` wrote as `entry`, now `interaction` (a stream, complete)."""
        clean = redact(interaction, self.redaction)
        key = path.resolve()
        with self._lock_for(key):
            layout = self._layout(path, key)
            index = layout.index_of(entry)
            previous = layout.tail(index)
            layout.items[index] = (entry, dump_interaction(clean).encode())
            self._write(path, layout, index, previous)
        return clean

    def remove(self, path: Path, entry: int) -> None:
        """The item `add` wrote as `entry`, gone (a stream the upstream broke off)."""
        key = path.resolve()
        with self._lock_for(key):
            layout = self._layout(path, key)
            index = layout.index_of(entry)
            previous = layout.tail(index)
            del layout.items[index]
            self._write(path, layout, index, previous)

    def start_afresh(self, path: Path) -> None:
        """The next append to `path` replaces what the file holds (re-recording a cassette).

        Nothing is written now: a run that records nothing leaves the file as it was.
        """
        key = path.resolve()
        with self._lock_for(key):
            self._layouts[key] = _Layout()

    async def append_async(self, path: Path, interaction: Interaction) -> Interaction:
        """`append` in a worker thread, so a large cassette never blocks the event loop."""
        return await asyncio.to_thread(self.append, path, interaction)

    def write(self, path: Path, interactions: Sequence[Interaction]) -> tuple[Interaction, ...]:
        """Replace the whole cassette by `interactions`, redacted (`mockgem cassette redact`)."""
        clean = tuple(redact(interaction, self.redaction) for interaction in interactions)
        key = path.resolve()
        layout = _Layout([(None, dump_interaction(interaction).encode()) for interaction in clean])
        with self._lock_for(key):
            self._write(path, layout, 0, b"")
            self._layouts[key] = layout
        return clean

    def _write(self, path: Path, layout: _Layout, start: int, previous: bytes) -> None:
        """The file made to hold `layout`: from item `start` on, in place, when the file is as
        this store left it and `start` is its last item, or just past it (`previous`: what the file held from
        there, put back if the write fails); else whole, by a temporary file."""
        in_place = layout.size is not None and start >= len(layout.items) - 1 and layout.items and _size(path) == layout.size
        layout.size = None  # unknown until the write is through: a failed one rewrites it whole
        if in_place:
            _write_from(path, layout.offset(start), layout.tail(start), previous)
        else:
            write_atomic(path, layout.text())
        layout.size = _size(path)

    def _layout(self, path: Path, key: Path) -> _Layout:
        layout = self._layouts.get(key)
        if layout is None:
            layout = self._layouts[key] = self._existing(path)
        return layout

    def _lock_for(self, key: Path) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    @staticmethod
    def _existing(path: Path) -> _Layout:
        """The items of the cassette at `path` (none if there is no file), checked to be vcrpy's;
        its size when its text is laid out as this store writes it (appends go in place)."""
        if not path.exists():
            return _Layout()
        cassette = load_cassette(path)
        if cassette.format != "vcrpy":
            raise CassetteError(
                f"{path}: this is a {cassette.format} cassette; mockgem records only into vcrpy YAML "
                "files, so record into a new file instead"
            )
        text = path.read_text(encoding="utf-8")
        items = _items_of(text, cassette.interactions)
        laid_out = text == _cassette_text(items)
        return _Layout([(None, items.encode())] if items else [], _size(path) if laid_out and items else None)


def _write_from(path: Path, offset: int, text: bytes, previous: bytes) -> None:
    """`text` in place of what `path` holds from `offset` on; on a failure, `previous` again."""
    with path.open("r+b") as handle:
        try:
            _put(handle, offset, text)
        except BaseException:
            with contextlib.suppress(OSError):
                _put(handle, offset, previous)
            raise


def _put(handle: BinaryIO, offset: int, text: bytes) -> None:
    handle.seek(offset)
    handle.truncate()
    handle.write(text)
    handle.flush()
    os.fsync(handle.fileno())


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return None
