"""Where resources live: in memory by default, or in a directory that survives a restart.

A `StateStore` holds JSON records by kind and name, and byte blobs by key. The stores in this
package keep no copies of their own, so `reset()` on the state clears every resource at once.
Blobs are files on disk either way (`blobs.BlobFiles`): in a temporary directory by default,
removed when the state closes; with `--state-dir DIR`, records go to `DIR/state.sqlite3` and
blobs to `DIR/blobs/`.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import orjson

from mockgem._types import JSONDict
from mockgem.resources.blobs import BlobFiles, Data

GIB = 1024**3


@dataclass(frozen=True, slots=True)
class Limits:
    """The real Files API caps: 2 GB per file and 20 GB per project."""

    max_file_bytes: int = 2 * GIB
    max_total_bytes: int = 20 * GIB


class StateStore(Protocol):
    def get(self, kind: str, name: str) -> JSONDict | None: ...

    def put(self, kind: str, name: str, record: JSONDict) -> None: ...

    def remove(self, kind: str, name: str) -> None: ...

    def records(self, kind: str) -> list[JSONDict]: ...

    @property
    def blobs(self) -> BlobFiles: ...

    def write_blob(self, key: str, data: bytes) -> None: ...

    def append_blob(self, key: str, data: Data) -> None: ...

    def read_blob(self, key: str) -> bytes: ...

    def remove_blob(self, key: str) -> None: ...

    def reset(self) -> None: ...

    def close(self) -> None: ...


def encoded_record(record: JSONDict) -> bytes:
    """`record` as the JSON its answers are rendered with; TypeError (and nothing stored) for a
    value no answer could carry, so a store never holds what every later list would fail on."""
    return orjson.dumps(record)


class BlobsOnDisk:
    """The blob half of a state: every call on the state's `blobs`."""

    blobs: BlobFiles

    def write_blob(self, key: str, data: bytes) -> None:
        self.blobs.write(key, data)

    def append_blob(self, key: str, data: Data) -> None:
        self.blobs.append(key, data)

    def read_blob(self, key: str) -> bytes:
        return self.blobs.read(key)

    def remove_blob(self, key: str) -> None:
        self.blobs.remove(key)


class MemoryState(BlobsOnDisk):
    """Records in memory, blobs in a temporary directory removed by `close` (or at exit)."""

    def __init__(self) -> None:
        self._records: dict[str, dict[str, JSONDict]] = {}
        self._temporary = tempfile.TemporaryDirectory(prefix="mockgem-blobs-")
        self.blobs = BlobFiles(Path(self._temporary.name))

    def get(self, kind: str, name: str) -> JSONDict | None:
        return self._records.get(kind, {}).get(name)

    def put(self, kind: str, name: str, record: JSONDict) -> None:
        encoded_record(record)  # what could not be answered is not stored
        self._records.setdefault(kind, {})[name] = record

    def remove(self, kind: str, name: str) -> None:
        self._records.get(kind, {}).pop(name, None)

    def records(self, kind: str) -> list[JSONDict]:
        return list(self._records.get(kind, {}).values())

    def reset(self) -> None:
        self._records.clear()
        self.blobs.clear()

    def close(self) -> None:
        self._temporary.cleanup()


class DiskState(BlobsOnDisk):
    """Records in SQLite, blobs as files; safe to share between the server's threads."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.blobs = BlobFiles(self.directory / "blobs")
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.directory / "state.sqlite3", check_same_thread=False)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS records "
            "(kind TEXT NOT NULL, name TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (kind, name))"
        )
        self._db.commit()

    def get(self, kind: str, name: str) -> JSONDict | None:
        with self._lock:
            row = self._db.execute(
                "SELECT body FROM records WHERE kind = ? AND name = ?", (kind, name)
            ).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def put(self, kind: str, name: str, record: JSONDict) -> None:
        self._write(
            "INSERT OR REPLACE INTO records (kind, name, body) VALUES (?, ?, ?)",
            (kind, name, encoded_record(record).decode()),
        )

    def remove(self, kind: str, name: str) -> None:
        self._write("DELETE FROM records WHERE kind = ? AND name = ?", (kind, name))

    def records(self, kind: str) -> list[JSONDict]:
        with self._lock:
            rows = self._db.execute("SELECT body FROM records WHERE kind = ?", (kind,)).fetchall()
        return [dict(json.loads(row[0])) for row in rows]

    def reset(self) -> None:
        self._write("DELETE FROM records", ())
        self.blobs.clear()

    def close(self) -> None:
        self._db.close()

    def _write(self, sql: str, params: tuple[str, ...]) -> None:
        with self._lock:
            self._db.execute(sql, params)
            self._db.commit()


def open_state(directory: str | Path | None) -> MemoryState | DiskState:
    """The state for `--state-dir DIR`, or an in-memory one when no directory is given."""
    return MemoryState() if directory is None else DiskState(directory)
