"""A cassette as a person reads it, for `mockgem cassette show`.

Bodies are pretty-printed JSON with long base64 blobs shortened to their size and digest (the
digest matching uses, so a blob can be compared with a hashed one) and embeddings to their
first few numbers, a stream is shown chunk by
chunk with each chunk's time offset when the file has them, and a secret query parameter that a
recorder left in a URI is masked.
"""

from __future__ import annotations

import json
import re
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from mockgem.protocol.json_text import load_json
from mockgem.sources.cassettes.keys import blob_digest
from mockgem.sources.cassettes.model import Cassette, Interaction, RecordedResponse
from mockgem.sources.cassettes.redact import REDACTED, SECRET_QUERY
from mockgem.sources.cassettes.source import SSE_TYPE
from mockgem.sse import parse_json_array, parse_sse

BLOB_MIN_LENGTH = 256  # characters: a shorter base64-looking string is shown as it is
TEXT_LIMIT = 2000  # characters of a non-JSON body shown before it is cut
NUMBERS_SHOWN = 4  # a longer list of numbers (an embedding) is shown as its length and first few
INDENT = "  "
_BASE64 = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")
_SIZE_UNITS = (("GB", 1000**3), ("MB", 1000**2), ("kB", 1000))


def format_cassette_heading(cassette: Cassette) -> str:
    count = len(cassette.interactions)
    return f"{cassette.path}: {count} interaction{'' if count == 1 else 's'} ({cassette.format})"


def format_interaction(interaction: Interaction, number: int) -> str:
    """Number, method and URI, the request body, the status, then the body or each stream chunk."""
    request, response = interaction.request, interaction.response
    lines = [f"#{number} {request.method} {mask_query(request.uri)}"]
    if request.body.strip():
        lines += ["request body:", _indented(format_body(request.body))]
    chunks = stream_chunks(response)
    lines.append(f"response: {_status_line(response, chunks)}")
    if chunks is not None:
        lines += _chunk_blocks(chunks, response.chunk_offsets)
    elif response.body.strip():
        lines.append(_indented(format_body(response.body)))
    return "\n".join(lines)


def mask_query(uri: str) -> str:
    """`uri` with the value of every secret query parameter (`key`, tokens) masked."""
    parts = urlsplit(uri)
    if not parts.query:
        return uri
    pieces = [_masked_piece(piece) for piece in parts.query.split("&")]
    return urlunsplit(parts._replace(query="&".join(pieces)))


def _masked_piece(piece: str) -> str:
    name = piece.partition("=")[0]
    return f"{name}={REDACTED}" if unquote_plus(name) in SECRET_QUERY else piece


def stream_chunks(response: RecordedResponse) -> list[Any] | None:
    """The chunks of a streamed body (SSE events or JSON array items); None for any other body."""
    body = response.body.lstrip()
    try:
        if SSE_TYPE in (response.header("content-type") or "") or body.startswith(b"data:"):
            return parse_sse(response.body)
        if body.startswith(b"["):
            return parse_json_array(response.body)
    except ValueError:
        return None  # not JSON after all: shown as text
    return None


def format_body(body: bytes) -> str:
    """JSON pretty-printed with blobs shortened; other text cut at TEXT_LIMIT; binary as its size."""
    try:
        return _pretty(load_json(body))
    except ValueError:
        pass
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return f"<{format_size(len(body))} of binary data>"
    if len(text) <= TEXT_LIMIT:
        return text
    return f"{text[:TEXT_LIMIT]}... ({len(text) - TEXT_LIMIT} more characters)"


def format_size(count: int) -> str:
    """`512 B`, `4.1 kB`, `1.2 MB`."""
    for unit, scale in _SIZE_UNITS:
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} B"


def _pretty(value: Any) -> str:
    return json.dumps(_shortened(value), indent=2, ensure_ascii=False)


def _shortened(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _shortened(item) for key, item in value.items()}
    if isinstance(value, list) and len(value) > NUMBERS_SHOWN and all(_is_number(item) for item in value):
        return f"<{len(value)} numbers: {', '.join(map(str, value[:NUMBERS_SHOWN]))}, ...>"
    if isinstance(value, list):
        return [_shortened(item) for item in value]
    if isinstance(value, str) and len(value) >= BLOB_MIN_LENGTH and _BASE64.fullmatch(value):
        size = len(value.rstrip("=")) * 3 // 4
        return f"<{format_size(size)} base64, {blob_digest(value)}>"
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _status_line(response: RecordedResponse, chunks: list[Any] | None) -> str:
    parts = [f"{response.status} {response.reason or _phrase(response.status)}".rstrip()]
    content_type = response.header("content-type")
    if content_type:
        parts.append(content_type)
    if chunks is not None:
        parts.append(f"stream of {len(chunks)} chunk{'' if len(chunks) == 1 else 's'}")
    return ", ".join(parts)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _chunk_blocks(chunks: list[Any], offsets: tuple[float, ...] | None) -> list[str]:
    blocks: list[str] = []
    for number, chunk in enumerate(chunks, 1):
        offset = f" +{offsets[number - 1]:.2f}s" if offsets and number <= len(offsets) else ""
        blocks += [f"chunk {number}/{len(chunks)}{offset}", _indented(_pretty(chunk))]
    return blocks


def _indented(text: str) -> str:
    return "\n".join(INDENT + line for line in text.splitlines())
