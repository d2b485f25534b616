"""RFC 3339 timestamps and protobuf Durations as the API writes and reads them."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

from mockgem.errors import InvalidArgument

Clock = Callable[[], float]

DURATION = re.compile(r"^(-?\d+(?:\.\d{1,9})?)s$")


def rfc3339(seconds: float) -> str:
    """Z-normalised with 6 fractional digits, one of the forms the API writes (0/3/6/9)."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_rfc3339(text: str, field: str) -> float:
    try:
        # Python 3.11 fromisoformat takes "Z" but at most 6 fractional digits: trim nanoseconds.
        trimmed = re.sub(r"(\.\d{6})\d+", r"\1", text)
        parsed = datetime.fromisoformat(trimmed)
    except ValueError:
        raise invalid_value(field, "google.protobuf.Timestamp", text) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def parse_duration(text: object, field: str) -> float:
    match = DURATION.match(text) if isinstance(text, str) else None
    if match is None:
        raise invalid_value(field, "google.protobuf.Duration", text)
    return float(match.group(1))


def invalid_value(field: str, type_name: str, value: object) -> InvalidArgument:
    """The proto3 JSON parser's refusal of a malformed well-known-type value."""
    return InvalidArgument(
        f"Invalid value at '{field}' (type.googleapis.com/{type_name}), \"{value}\""
    )
