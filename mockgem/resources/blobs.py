"""Uploaded and generated file bytes, kept as files on disk, never whole in memory.

An upload of 2 GB goes through in pieces: appended from the request's spooled body a piece at
a time, its size and SHA-256 worked out by reading it back the same way. `Data` is what a piece
may be: bytes, a view into a mapped body, or a file object read from its current position.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import IO

Data = bytes | memoryview | IO[bytes]
PIECE = 1 << 20


def data_size(data: Data) -> int:
    """The bytes `data` holds from here on (a file object's, from its position)."""
    if isinstance(data, bytes | memoryview):
        return len(data)
    position = data.tell()
    end = data.seek(0, 2)
    data.seek(position)
    return end - position


def skip(data: Data, count: int) -> Data:
    """`data` without its first `count` bytes (those a retried chunk sends again)."""
    if count <= 0:
        return data
    if isinstance(data, bytes | memoryview):
        return data[count:]
    data.seek(count, 1)
    return data


class BlobFiles:
    """Blobs by key, one file each in `directory`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    def write(self, key: str, data: bytes) -> None:
        self._path(key).write_bytes(data)

    def append(self, key: str, data: Data) -> None:
        with self._path(key).open("ab") as blob:
            if isinstance(data, bytes | memoryview):
                blob.write(data)
            else:
                shutil.copyfileobj(data, blob, PIECE)

    def read(self, key: str) -> bytes:
        path = self._path(key)
        return path.read_bytes() if path.exists() else b""

    def size(self, key: str) -> int:
        path = self._path(key)
        return path.stat().st_size if path.exists() else 0

    def sha256(self, key: str) -> str:
        """The hex SHA-256 of the blob, read a piece at a time."""
        digest = hashlib.sha256()
        path = self._path(key)
        if path.exists():
            with path.open("rb") as blob:
                while piece := blob.read(PIECE):
                    digest.update(piece)
        return digest.hexdigest()

    def remove(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def clear(self) -> None:
        for blob in self.directory.iterdir():
            blob.unlink()

    def _path(self, key: str) -> Path:
        # Keys are names the stores make ("file-abc"); never let one climb out of the folder.
        return self.directory / key.replace("/", "_").replace("..", "_")
