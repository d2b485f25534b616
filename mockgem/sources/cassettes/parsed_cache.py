"""Parsed cassettes kept beside them, so a start with many cassettes skips the YAML parser.

For `DIR/sub/name.yaml`, `DIR/.mockgem-cache/sub/name.yaml.json` holds the SHA-256 of the
cassette's bytes, a fingerprint of the readers that parsed it, and its interactions. It is used
only while both still match: an edited cassette, or a mockgem whose readers changed, parses the
file again and rewrites the entry. An entry that cannot be read is ignored; one that cannot be
written (a read-only checkout) is skipped. The entries are JSON, so, like the safe YAML loader,
nothing in them can run code. The directory ignores itself in git, as `.pytest_cache` does.
`MOCKGEM_PARSED_CACHE=off` reads and writes no cache.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import yaml

from mockgem.sources.cassettes.model import Interaction, RecordedRequest, RecordedResponse

CACHE_DIR = ".mockgem-cache"
SWITCH = "MOCKGEM_PARSED_CACHE"
# A change to any of these can change what a file parses to: their source is in the fingerprint.
READER_MODULES = ("formats.py", "bodies.py", "har.py", "httprr.py", "safe_yaml.py", "model.py", "parsed_cache.py")
_OFF = frozenset({"0", "off", "false", "no"})

Parsed = tuple[str, tuple[Interaction, ...]]
Reader = Callable[[bytes], Parsed]


def read_cached(path: Path, root: Path, data: bytes, read: Reader) -> Parsed:
    """`read(data)`, from the cache entry of `path` (a file under `root`) when it is current."""
    readers = readers_fingerprint()
    if readers is None or os.environ.get(SWITCH, "").lower() in _OFF:
        return read(data)
    entry = cache_path(path, root)
    digest = hashlib.sha256(data).hexdigest()
    cached = load_entry(entry, digest, readers)
    if cached is not None:
        return cached
    parsed = read(data)
    store_entry(entry, digest, readers, parsed)
    return parsed


def cache_path(path: Path, root: Path) -> Path:
    """Where the entry of `path` lives: under `root`'s cache directory, at the same relative place.

    String operations, not pathlib's: with a thousand cassettes pathlib took a third of the load.
    """
    text, top = str(path), os.path.join(str(root), "")
    relative = text[len(top):] if text.startswith(top) else path.name
    return Path(top + CACHE_DIR + os.sep + relative + ".json")


@functools.cache
def readers_fingerprint() -> str | None:
    """A digest of the readers' source, Python's version and PyYAML's; None (no cache) if unreadable."""
    digest = hashlib.sha256(f"{sys.version_info[:2]} {yaml.__version__}".encode())
    try:
        for name in READER_MODULES:
            digest.update((Path(__file__).parent / name).read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


def load_entry(entry: Path, digest: str, readers: str) -> Parsed | None:
    """The parsed cassette in `entry`, or None when it is missing, stale or unreadable."""
    try:
        document = orjson.loads(entry.read_bytes())
        if document["digest"] != digest or document["readers"] != readers:
            return None
        return str(document["format"]), tuple(_interaction(item) for item in document["interactions"])
    except (OSError, ValueError, TypeError, KeyError, IndexError):
        return None


def store_entry(entry: Path, digest: str, readers: str, parsed: Parsed) -> None:
    """Write the entry whole (a temporary file per process and thread, then a rename): servers
    starting side by side on one directory never read half of one."""
    file_format, interactions = parsed
    document = {"digest": digest, "readers": readers, "format": file_format, "interactions": [_plain(i) for i in interactions]}
    temporary = entry.with_name(f"{entry.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        _make_cache_dir(entry)
        temporary.write_bytes(orjson.dumps(document))
        os.replace(temporary, entry)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


def _make_cache_dir(entry: Path) -> None:
    top = next(parent for parent in entry.parents if parent.name == CACHE_DIR)
    if not top.is_dir():
        top.mkdir(exist_ok=True)
        (top / ".gitignore").write_text("# written by mockgem: parsed cassettes, safe to delete\n*\n")
    entry.parent.mkdir(parents=True, exist_ok=True)


def _plain(interaction: Interaction) -> list[Any]:
    """An interaction as JSON lists; bodies as Latin-1 text, which maps every byte to one character."""
    request, response = interaction.request, interaction.response
    return [
        [request.method, request.uri, request.headers, request.body.decode("latin-1")],
        [response.status, response.headers, response.body.decode("latin-1"), response.reason, response.chunk_offsets],
    ]


def _interaction(item: list[Any]) -> Interaction:
    (method, uri, request_headers, request_body), (status, headers, body, reason, offsets) = item
    return Interaction(
        RecordedRequest(method, uri, _headers(request_headers), request_body.encode("latin-1")),
        RecordedResponse(status, _headers(headers), body.encode("latin-1"), reason, None if offsets is None else tuple(offsets)),
    )


def _headers(pairs: list[list[str]]) -> tuple[tuple[str, str], ...]:
    return tuple((name, value) for name, value in pairs)
