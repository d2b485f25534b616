"""JSON read as Google's front end reads it, and numbers read as ASCII digits with bounds.

A request body is parsed by orjson, which refuses what proto3 JSON refuses: a lone surrogate
escape (`"\\ud800"` is no Unicode text), a number beyond a double (`1e400`), NaN and Infinity.
An integer beyond 64 bits becomes a double, as in a proto `Struct` (the typed int fields check
their own range). Nesting deeper than protobuf's JSON parser allows is refused before any
recursive code sees it.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

# protobuf's JSON parser refuses a message nested deeper than this (kDefaultMaxRecursionDepth,
# https://github.com/protocolbuffers/protobuf/blob/main/src/google/protobuf/util/internal/json_stream_parser.cc).
MAX_DEPTH = 100
_ASCII_INT = re.compile(r"[+-]?[0-9]+", re.ASCII)
# A count longer than this many digits is refused before `int()` works on it.
_MAX_DIGITS = 20


TOO_DEEP = "Message too deep. Max recursion depth reached."


class JsonRefused(ValueError):
    """A body that is no JSON the real API would read; the message says why."""


def load_json(raw: bytes | str) -> Any:
    """The JSON value of `raw`, or JsonRefused."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise JsonRefused(TOO_DEEP if "depth" in str(exc) else str(exc)) from None  # orjson words it by version
    if nesting_exceeds(value, MAX_DEPTH):
        raise JsonRefused(TOO_DEEP)
    return value


def nesting_exceeds(value: Any, limit: int) -> bool:
    """Whether lists and objects nest more than `limit` deep (worked out without recursion)."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def ascii_int(text: str, *, low: int, high: int) -> int | None:
    """`text` as an integer when it is ASCII digits (optionally signed) within [low, high], else None.

    `str.isdigit` takes `²` and Arabic-Indic digits, and `int()` of 5,000 digits raises: neither
    may reach `int()`."""
    stripped = text.strip()
    if not _ASCII_INT.fullmatch(stripped) or len(stripped.lstrip("+-").lstrip("0")) > _MAX_DIGITS:
        return None
    number = int(stripped)
    return number if low <= number <= high else None
