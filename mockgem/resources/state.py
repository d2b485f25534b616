"""Where resources live: in memory by default, or in a directory that survives a restart.

A `StateStore` holds JSON records by kind and name, and byte blobs by key. The stores in this
package keep no copies of their own, so `reset()` on the state clears every resource at once.
With `--state-dir DIR`, records go to `DIR/state.sqlite3` and blobs to `DIR/blobs/`.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from mockgem._types import JSONDict

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

    def write_blob(self, key: str, data: bytes) -> None: ...

    def append_blob(self, key: str, data: bytes) -> None: ...

    def read_blob(self, key: str) -> bytes: ...

    def remove_blob(self, key: str) -> None: ...

    def reset(self) -> None: ...


class MemoryState:
    def __init__(self) -> None:
        self._records: dict[str, dict[str, JSONDict]] = {}
        self._blobs: dict[str, bytearray] = {}

    def get(self, kind: str, name: str) -> JSONDict | None:
        return self._records.get(kind, {}).get(name)

    def put(self, kind: str, name: str, record: JSONDict) -> None:
        self._records.setdefault(kind, {})[name] = record

    def remove(self, kind: str, name: str) -> None:
        self._records.get(kind, {}).pop(name, None)

    def records(self, kind: str) -> list[JSONDict]:
        return list(self._records.get(kind, {}).values())

    def write_blob(self, key: str, data: bytes) -> None:
        self._blobs[key] = bytearray(data)

    def append_blob(self, key: str, data: bytes) -> None:
        self._blobs.setdefault(key, bytearray()).extend(data)

    def read_blob(self, key: str) -> bytes:
        return bytes(self._blobs.get(key, b""))

    def remove_blob(self, key: str) -> None:
        self._blobs.pop(key, None)

    def reset(self) -> None:
        self._records.clear()
        self._blobs.clear()


class DiskState:
    """Records in SQLite, blobs as files; safe to share between the server's threads."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self._blob_dir = self.directory / "blobs"
        self._blob_dir.mkdir(parents=True, exist_ok=True)
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
            (kind, name, json.dumps(record)),
        )

    def remove(self, kind: str, name: str) -> None:
        self._write("DELETE FROM records WHERE kind = ? AND name = ?", (kind, name))

    def records(self, kind: str) -> list[JSONDict]:
        with self._lock:
            rows = self._db.execute("SELECT body FROM records WHERE kind = ?", (kind,)).fetchall()
        return [dict(json.loads(row[0])) for row in rows]

    def write_blob(self, key: str, data: bytes) -> None:
        self._blob_path(key).write_bytes(data)

    def append_blob(self, key: str, data: bytes) -> None:
        with self._blob_path(key).open("ab") as blob:
            blob.write(data)

    def read_blob(self, key: str) -> bytes:
        path = self._blob_path(key)
        return path.read_bytes() if path.exists() else b""

    def remove_blob(self, key: str) -> None:
        self._blob_path(key).unlink(missing_ok=True)

    def reset(self) -> None:
        self._write("DELETE FROM records", ())
        for blob in self._blob_dir.iterdir():
            blob.unlink()

    def close(self) -> None:
        self._db.close()

    def _write(self, sql: str, params: tuple[str, ...]) -> None:
        with self._lock:
            self._db.execute(sql, params)
            self._db.commit()

    def _blob_path(self, key: str) -> Path:
        # Keys are names this package makes ("file-abc"); never let one climb out of the folder.
        return self._blob_dir / key.replace("/", "_").replace("..", "_")


def open_state(directory: str | Path | None) -> MemoryState | DiskState:
    """The state for `--state-dir DIR`, or an in-memory one when no directory is given."""
    return MemoryState() if directory is None else DiskState(directory)
