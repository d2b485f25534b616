"""Where cassettes are: the names a client may give, the files the loader reads, nothing outside.

A name from a client (`X-Mockgem-Cassette`, `PUT /_mockgem/cassette`) stays inside the cassette
directory and names a file the loader reads back: no `..`, no hidden or empty part, no suffix the
loader skips, no undecodable text. A symlink inside the directory never leads a recording, or a
load, outside it. Temporary files left by a write that was killed are removed when the
directory is loaded.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path, PureWindowsPath

from mockgem.errors import InvalidArgument

# Files in a cassette directory that are no cassettes: notes and a write's temporary files.
SKIPPED_SUFFIXES = frozenset({".md", ".txt", ".tmp"})
# `store.write_atomic`'s temporary files: `.NAME.` + mkstemp's 8 random characters + `.tmp`.
_TEMPORARY = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")
# A temporary file this old belongs to no write still going on (a write takes well under this).
STALE_AFTER_SECONDS = 60.0
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def inside_name(name: str, where: str) -> str:
    """`name`, if it names a cassette file inside the cassette directory; else the 400 a client
    gets for it. Both separators count: a client must not reach outside on any OS."""
    path = PureWindowsPath(name)
    if path.anchor or ".." in path.parts:
        raise _refused(name, where, "expected a cassette name inside the cassette directory, without '..'")
    if not path.parts or any(part.startswith(".") for part in path.parts) or name.endswith(("/", "\\")):
        raise _refused(name, where, "a cassette name needs a file name, and no part of it may start with '.' (the loader skips hidden files)")
    if path.suffix.lower() in SKIPPED_SUFFIXES:
        raise _refused(name, where, f"the loader skips {path.suffix} files; name the cassette .yaml, .yml or .json")
    if _CONTROL.search(name) or not _encodable(name):
        raise _refused(name, where, "a cassette name must be printable text")
    return name


def _refused(name: str, where: str, why: str) -> InvalidArgument:
    shown = name.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")[:200]
    return InvalidArgument(f"{where} {shown!r}: {why}")


def _encodable(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: an undecodable header byte
        return False
    return True


def cassette_files(directory: Path) -> list[Path]:
    """Every cassette under `directory`, subfolders included; hidden files, notes, temporaries and
    anything a symlink leads to outside the directory are skipped."""
    root = directory.resolve()
    return sorted(
        path for path in _files_under(directory)
        if not any(part.startswith(".") for part in path.relative_to(directory).parts)
        and path.suffix.lower() not in SKIPPED_SUFFIXES and stays_inside(path, root)
    )


def _files_under(directory: Path) -> Iterator[Path]:
    """The files below `directory`, without following a symlink to a directory."""
    for folder, _, names in os.walk(directory, followlinks=False):
        for name in names:
            path = Path(folder) / name
            if path.is_file():
                yield path


def stays_inside(path: Path, root: Path) -> bool:
    """Whether `path`, every symlink on the way followed, is inside the (resolved) `root`."""
    return path.resolve().is_relative_to(root)


def checked_recording_path(path: Path, directory: Path | None) -> Path:
    """`path` when it is written inside `directory` (or is an absolute path given by the user);
    a name a symlink leads outside the directory is a 400."""
    if directory is None or stays_inside(path, directory.resolve()):
        return path
    raise InvalidArgument(f"cassette {path.name!r}: a symlink leads it outside the cassette directory, where mockgem does not write")


def remove_stale_temporaries(directory: Path, *, now: float | None = None) -> list[Path]:
    """Removes the temporary files a killed write left in `directory`; returns them."""
    removed = []
    cutoff = (time.time() if now is None else now) - STALE_AFTER_SECONDS
    for folder, _, names in os.walk(directory, followlinks=False):
        for name in names:
            path = Path(folder) / name
            if _TEMPORARY.match(name) and not path.is_symlink() and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed
