"""Recorded bodies to bytes: plain or base64 text, and content-encoding (gzip, deflate, br) undone."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable

import brotli  # type: ignore[import-untyped]

from mockgem.sources.cassettes.model import Headers, header_values, without_headers

_GZIP_MAGIC = b"\x1f\x8b"
_DECODED_AWAY = frozenset({"content-encoding", "content-length"})


def as_bytes(value: object) -> bytes:
    """A body as YAML or JSON holds it: text, bytes, nothing, or a bare number."""
    if value is None:
        return b""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value).encode()
    raise ValueError(f"a body must be text or bytes, not {type(value).__name__}")


def _inflate(data: bytes) -> bytes:
    try:
        return zlib.decompress(data)
    except zlib.error:  # servers often send raw deflate without the zlib header
        return zlib.decompress(data, -zlib.MAX_WBITS)


def _gunzip(data: bytes) -> bytes:
    return gzip.decompress(data)


def _unbrotli(data: bytes) -> bytes:
    return bytes(brotli.decompress(data))


_DECODERS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": _gunzip,
    "x-gzip": _gunzip,
    "deflate": _inflate,
    "br": _unbrotli,
    "identity": bytes,
}


def decode_content(body: bytes, headers: Headers) -> tuple[bytes, Headers]:
    """`body` with its content-encoding undone, and the headers that no longer apply removed.

    Some recorders already stored the decoded body but kept the header: such a body is kept
    as it is. A body that starts like gzip yet does not inflate is corrupt and raises ValueError.
    """
    codings = [c.strip().lower() for v in header_values(headers, "content-encoding") for c in v.split(",")]
    codings = [c for c in codings if c]
    if not codings:
        return body, headers
    try:
        for coding in reversed(codings):
            body = _DECODERS[coding](body) if coding in _DECODERS else body
    except (OSError, EOFError, zlib.error, brotli.error) as exc:
        if body.startswith(_GZIP_MAGIC):
            raise ValueError(f"the {'+'.join(codings)} body does not decode: {exc}") from exc
    return body, without_headers(headers, _DECODED_AWAY)
