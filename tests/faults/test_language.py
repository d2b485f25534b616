from __future__ import annotations

import math

import pytest

from mockgem.errors import ConfigError, InvalidArgument
from mockgem.faults.language import (
    Block,
    Cut,
    Empty,
    ErrorAt,
    Fault,
    Finish,
    HttpError,
    Latency,
    MalformedAt,
    Reset,
    Stall,
    Ttfb,
    parse_fault_header,
    parse_faults,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("503", Fault(HttpError(503))),
        ("429=30s", Fault(HttpError(429, retry_after=30.0))),
        ("500@0.05", Fault(HttpError(500), 0.05)),
        ("503:0.05", Fault(HttpError(503), 0.05)),
        ("latency=200ms..800ms", Fault(Latency(0.2, 0.8))),
        ("latency:200ms..800ms", Fault(Latency(0.2, 0.8))),
        ("latency=300ms", Fault(Latency(0.3, 0.3))),
        ("ttfb=2s", Fault(Ttfb(2.0, 2.0))),
        ("ttfb=1.5s..2s@0.5", Fault(Ttfb(1.5, 2.0), 0.5)),
        ("cut=3", Fault(Cut(3))),
        ("cut=0", Fault(Cut(0))),
        ("error-at=2:500", Fault(ErrorAt(2, 500))),
        ("error-at:2:429", Fault(ErrorAt(2, 429))),
        ("malformed-at=1", Fault(MalformedAt(1))),
        ("stall", Fault(Stall(math.inf))),
        ("stall=5s", Fault(Stall(5.0))),
        ("block=SAFETY", Fault(Block("SAFETY"))),
        ("block=prohibited_content", Fault(Block("PROHIBITED_CONTENT"))),
        ("finish=MAX_TOKENS", Fault(Finish("MAX_TOKENS"))),
        ("finish=MALFORMED_FUNCTION_CALL@1", Fault(Finish("MALFORMED_FUNCTION_CALL"))),
        ("reset", Fault(Reset())),
        ("RESET", Fault(Reset())),
        ("empty@0", Fault(Empty(), 0.0)),
        ("  cut = 3 ", Fault(Cut(3))),
    ],
)
def test_parse_faults_reads_each_term(text: str, expected: Fault) -> None:
    assert parse_faults(text) == (expected,)


def test_parse_faults_splits_commas_and_lists() -> None:
    faults = parse_faults(["503@0.1, latency=1s..2s", "cut=3,"])
    assert faults == (Fault(HttpError(503), 0.1), Fault(Latency(1.0, 2.0)), Fault(Cut(3)))


def test_parse_faults_of_nothing_is_empty() -> None:
    assert parse_faults("") == ()
    assert parse_faults([]) == ()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("foo", "unknown fault 'foo'"),
        ("502", "'502' is not an HTTP error"),
        ("503=2s", "only 429 takes a value"),
        ("503@1.5", "not between 0 and 1"),
        ("503@x", "is not a number"),
        ("503:0.1@0.2", "probability twice"),
        ("latency=200", "needs a unit"),
        ("latency=2s..1s", "ends before it starts"),
        ("latency", "latency needs a value"),
        ("cut=-1", "is not a chunk count"),
        ("cut=two", "is not a chunk count"),
        ("error-at=2", "needs a chunk and a code"),
        ("error-at=2:418", "'418' is not an HTTP error"),
        ("block=NOPE", "is not one of SAFETY|"),
        ("finish=STOP", "is not one of MAX_TOKENS|"),
        ("reset=1", "reset takes no value"),
        ("stall=forever", "needs a unit"),
    ],
)
def test_parse_faults_rejects_bad_terms_with_config_error(text: str, reason: str) -> None:
    with pytest.raises(ConfigError, match="valid faults: 400") as caught:
        parse_faults(text)
    assert reason in str(caught.value)


def test_parse_fault_header_rejects_with_invalid_argument() -> None:
    with pytest.raises(InvalidArgument) as caught:
        parse_fault_header("503, nope")
    assert caught.value.code == 400
    assert "X-Mockgem-Fault: unknown fault 'nope'" in caught.value.message
    assert "latency=200ms..800ms" in caught.value.message


def test_parse_fault_header_reads_several() -> None:
    assert parse_fault_header("503, cut=1") == (Fault(HttpError(503)), Fault(Cut(1)))


@pytest.mark.parametrize(
    ("fault", "text"),
    [
        (Fault(HttpError(503), 0.05), "503@0.05"),
        (Fault(HttpError(429, 30.0)), "429=30s"),
        (Fault(Latency(0.2, 0.8)), "latency=200ms..800ms"),
        (Fault(Ttfb(2.0, 2.0)), "ttfb=2s"),
        (Fault(Stall()), "stall"),
        (Fault(Stall(0.5)), "stall=500ms"),
        (Fault(ErrorAt(2, 500)), "error-at=2:500"),
    ],
)
def test_fault_str_writes_the_language(fault: Fault, text: str) -> None:
    assert str(fault) == text
