"""The one chunking core: Gemini responses split into stream chunks and framed as bytes.

Pure: values in, values out. `split_response` turns a whole GenerateContentResponse into the
chunks of a stream the way the real API sends them (same responseId and modelVersion on every
chunk, cumulative usageMetadata, finishReason on the last chunk only); `merge_chunks` does the
reverse. The encoders frame chunks as native SSE (`data: ` + one line + CRLF CRLF), as the JSON
array of the no-`alt` stream form, or as the OpenAI-compatible SSE that ends in `[DONE]`.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from mockgem.protocol.json_text import load_json
from mockgem._types import JSONDict
from mockgem.protocol.tokens import count_part

OPENAI_DONE = b"data: [DONE]\n\n"
# Older google-genai SDKs split lines at these as well, so they must never appear raw.
_LINE_BREAKERS = ((b"\xe2\x80\xa8", b"\\u2028"), (b"\xe2\x80\xa9", b"\\u2029"), (b"\xc2\x85", b"\\u0085"))
_SSE_EVENT_END = re.compile(rb"\r\n\r\n|\n\n|\r\r")


@dataclass(frozen=True, slots=True)
class Chunk:
    """Bytes to write, after waiting `delay` seconds."""

    data: bytes
    delay: float = 0.0


def dump_line(payload: Any) -> bytes:
    """One-line JSON with the Unicode line separators escaped."""
    data = orjson.dumps(payload)
    for raw, escaped in _LINE_BREAKERS:
        data = data.replace(raw, escaped)
    return data


def encode_sse(payload: Any) -> bytes:
    return b"data: " + dump_line(payload) + b"\r\n\r\n"


def encode_openai_sse(payload: Any) -> bytes:
    return b"data: " + dump_line(payload) + b"\n\n"


def encode_array_item(payload: Any, index: int) -> bytes:
    """One element of the no-`alt` stream, as Google frames it: `[` before the first element,
    `\\n,\\r\\n` before each other one, the element pretty-printed with plain `\\n` inside.

    Portkey's gateway cuts this body at `\\r\\n` (Portkey-AI/gateway src/utils.ts
    getStreamModeSplitPattern) and strips `[`, a trailing `,` and the two bytes `\\n]` from each
    piece before parsing it (src/providers/google/chatComplete.ts, the stream chunk transform).
    """
    text = json.dumps(payload, indent=2, ensure_ascii=True).encode()
    return (b"[" if index == 0 else ARRAY_SEPARATOR) + text


ARRAY_SEPARATOR = b"\n,\r\n"
ARRAY_END = b"\n]"


def split_sse_events(body: bytes) -> list[bytes]:
    """A recorded SSE body cut into its events, each with its own terminator kept."""
    events: list[bytes] = []
    start = 0
    for match in _SSE_EVENT_END.finditer(body):
        events.append(body[start : match.end()])
        start = match.end()
    if body[start:].strip():
        events.append(body[start:])
    return events


def parse_sse(body: bytes) -> list[Any]:
    """The JSON payload of every `data:` event in an SSE body (`[DONE]` dropped)."""
    payloads = []
    for event in split_sse_events(body):
        lines = [line[5:].lstrip() for line in event.splitlines() if line.startswith(b"data:")]
        data = b"\n".join(lines).strip()
        if data and data != b"[DONE]":
            payloads.append(load_json(data))
        elif not lines and event.strip().startswith(b"{"):
            payloads.append(load_json(event))
    return payloads


def split_array_frames(body: bytes) -> list[bytes]:
    """A recorded no-`alt` stream cut after each element, its separators and closing bracket kept:
    the frames joined are the body again, byte for byte. A body that is no array is one frame."""
    decoder = json.JSONDecoder()
    text = body.decode("utf-8", errors="surrogateescape")
    position = text.find("[") + 1
    ends: list[int] = []
    while position > 0:
        start = _skip_separators(text, position)
        if start >= len(text) or text[start] == "]":
            break
        try:
            position = decoder.raw_decode(text, start)[1]
        except ValueError:
            return [body]
        ends.append(position)
    if not ends:
        return [body]
    cuts = [0, *ends, len(text)]
    return [text[a:b].encode("utf-8", errors="surrogateescape") for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


def _skip_separators(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n,":
        position += 1
    return position


def parse_json_array(body: bytes) -> list[Any]:
    value = load_json(body)
    return value if isinstance(value, list) else [value]


def split_text(text: str, pieces: int) -> list[str]:
    """`text` cut into at most `pieces` runs at word boundaries; joined they give `text` back."""
    words = re.findall(r"\S+\s*|\s+", text)
    if pieces <= 1 or len(words) <= 1:
        return [text]
    size = -(-len(words) // pieces)
    return ["".join(words[i : i + size]) for i in range(0, len(words), size)]


def split_response(response: JSONDict, chunks: int = 3) -> list[JSONDict]:
    """A whole GenerateContentResponse as the chunks of a stream."""
    candidates = response.get("candidates") or []
    if not candidates:
        return [response]
    pieces = [_candidate_pieces(candidate, chunks) for candidate in candidates]
    count = max(len(parts) for parts in pieces) or 1
    usage = response.get("usageMetadata") or {}
    return [
        _chunk(response, candidates, pieces, index, count, _usage_at(usage, pieces, index, count))
        for index in range(count)
    ]


def _candidate_pieces(candidate: JSONDict, chunks: int) -> list[JSONDict]:
    parts = (candidate.get("content") or {}).get("parts") or []
    text_parts = [p for p in parts if "text" in p and not p.get("thought")]
    budget = max(1, chunks - (len(parts) - len(text_parts)))
    pieces: list[JSONDict] = []
    for part in parts:
        if part in text_parts:
            pieces.extend(_text_pieces(part, max(1, budget // max(1, len(text_parts)))))
        else:
            pieces.append(part)
    return pieces


def _text_pieces(part: JSONDict, count: int) -> list[JSONDict]:
    texts = split_text(str(part["text"]), count)
    extra = {k: v for k, v in part.items() if k != "text"}
    return [{"text": text, **(extra if i == len(texts) - 1 else {})} for i, text in enumerate(texts)]


def _chunk(
    response: JSONDict,
    candidates: Sequence[JSONDict],
    pieces: Sequence[Sequence[JSONDict]],
    index: int,
    count: int,
    usage: JSONDict | None,
) -> JSONDict:
    last = index == count - 1
    chunk_candidates = []
    for candidate, parts in zip(candidates, pieces):
        entry: JSONDict = {}
        if index < len(parts):
            role = (candidate.get("content") or {}).get("role", "model")
            entry["content"] = {"parts": [parts[index]], "role": role}
        if last:
            entry.update({k: v for k, v in candidate.items() if k not in {"content", "index"}})
        if entry:
            entry["index"] = candidate.get("index", 0)
            chunk_candidates.append(entry)
    chunk: JSONDict = {"candidates": chunk_candidates}
    for key, value in response.items():
        if key not in {"candidates", "usageMetadata"} and (last or key != "promptFeedback"):
            chunk[key] = value
    if usage:
        chunk["usageMetadata"] = usage
    return chunk


def _usage_at(usage: JSONDict, pieces: Sequence[Sequence[JSONDict]], index: int, count: int) -> JSONDict | None:
    if not usage or index == count - 1:
        return usage or None
    final = int(usage.get("candidatesTokenCount", 0))
    sent = sum(count_part(p) for parts in pieces for p in parts[: index + 1] if not p.get("thought"))
    partial = dict(usage)
    partial["candidatesTokenCount"] = min(final, sent)
    thoughts = int(usage.get("thoughtsTokenCount", 0))
    partial["totalTokenCount"] = int(usage.get("promptTokenCount", 0)) + partial["candidatesTokenCount"] + thoughts
    if partial["candidatesTokenCount"] == 0:
        del partial["candidatesTokenCount"]
    return partial


def merge_chunks(chunks: Iterable[JSONDict]) -> JSONDict:
    """Stream chunks folded back into the one response a unary call returns."""
    merged: JSONDict = {}
    by_index: dict[int, JSONDict] = {}
    for chunk in chunks:
        for key, value in chunk.items():
            if key != "candidates":
                merged[key] = value
        for candidate in chunk.get("candidates") or []:
            _merge_candidate(by_index.setdefault(candidate.get("index", 0), {}), candidate)
    if by_index:
        merged = {"candidates": [by_index[i] for i in sorted(by_index)], **merged}
    return merged


def _merge_candidate(target: JSONDict, candidate: JSONDict) -> None:
    for key, value in candidate.items():
        if key != "content":
            target[key] = value
    content = candidate.get("content")
    if not content:
        return
    merged = target.setdefault("content", {"parts": [], "role": content.get("role", "model")})
    for part in content.get("parts") or []:
        parts = merged["parts"]
        if parts and _joinable(parts[-1], part):
            parts[-1] = {**parts[-1], **part, "text": parts[-1]["text"] + part["text"]}
        else:
            parts.append(copy.copy(part))


def _joinable(previous: JSONDict, part: JSONDict) -> bool:
    return (
        "text" in previous
        and "text" in part
        and bool(previous.get("thought")) == bool(part.get("thought"))
        and "thoughtSignature" not in previous
    )
