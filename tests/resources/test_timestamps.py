from __future__ import annotations

import pytest

from mockgem.errors import InvalidArgument
from mockgem.resources.timestamps import parse_duration, parse_rfc3339, rfc3339


def test_rfc3339_is_z_normalised_with_microseconds() -> None:
    assert rfc3339(1_800_000_000.5) == "2027-01-15T08:00:00.500000Z"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("2027-01-15T08:00:00Z", 1_800_000_000.0),
        ("2027-01-15T08:00:00.500000Z", 1_800_000_000.5),
        ("2027-01-15T08:00:00.500000123Z", 1_800_000_000.5),
        ("2027-01-15T09:00:00+01:00", 1_800_000_000.0),
        ("2027-01-15T08:00:00", 1_800_000_000.0),
    ],
)
def test_parse_rfc3339_forms(text: str, seconds: float) -> None:
    assert parse_rfc3339(text, "expire_time") == seconds


@pytest.mark.parametrize(("text", "seconds"), [("300s", 300.0), ("1.5s", 1.5), ("0s", 0.0)])
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text, "ttl") == seconds


@pytest.mark.parametrize("text", ["300", "5m", "", 300, None])
def test_parse_duration_refuses_what_protobuf_refuses(text: object) -> None:
    with pytest.raises(InvalidArgument) as refused:
        parse_duration(text, "cached_content.ttl")

    assert refused.value.message.startswith(
        "Invalid value at 'cached_content.ttl' (type.googleapis.com/google.protobuf.Duration)"
    )
