"""An upload's body: in memory up to a megabyte, in a temporary file past it, never whole in RAM.

Read once, as it arrives, up to `--max-file-size`; the recordings are asked by its digest, the
file store copies it a piece at a time, a multipart body is split over a memory map of the file.
"""

from __future__ import annotations

import contextlib
import mmap
import tempfile
from collections.abc import Iterator
from typing import IO

from mockgem.sources.cassettes.keys import OPAQUE_DIGEST_PREFIX, opaque_file_digest

IN_MEMORY = 1 << 20


class UploadBody:
    """The bytes of one upload request; `close` removes its temporary file."""

    def __init__(self) -> None:
        self._file: tempfile.SpooledTemporaryFile[bytes] = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY, prefix="mockgem-upload-")
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self._file.write(chunk)
        self.size += len(chunk)

    @property
    def in_memory(self) -> bool:
        return self.size <= IN_MEMORY

    def value(self) -> bytes:
        """All the bytes (only for a small body, or one that must be whole: a forwarded upload)."""
        self._file.seek(0)
        return self._file.read()

    def reader(self) -> IO[bytes]:
        """The body as a file read from its start."""
        self._file.seek(0)
        return self._file

    @contextlib.contextmanager
    def mapped(self) -> Iterator[bytes | mmap.mmap]:
        """The body as one buffer: the bytes when small, else a read-only map of the file."""
        if self.in_memory:
            yield self.value()
            return
        self._file.flush()
        mapping = mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ)
        try:
            yield mapping
        finally:
            with contextlib.suppress(BufferError):  # a view still held: the map closes when collected
                mapping.close()

    def matching_body(self) -> bytes:
        """What the recordings are asked with: the bytes when small or JSON, else their digest,
        which the match key reads as it reads the bytes (`keys.canonical_body`)."""
        if self.in_memory:
            return self.value()
        head = self.reader().read(64).lstrip()
        if head[:1] in (b"{", b"["):
            return self.value()
        return f"{OPAQUE_DIGEST_PREFIX}{opaque_file_digest(self.reader())}".encode()

    def close(self) -> None:
        self._file.close()
