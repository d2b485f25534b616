from __future__ import annotations

import pytest

from mockgem.errors import ConfigError
from mockgem.faults.language import (
    BLOCK_REASONS,
    ERROR_CODES,
    FINISH_REASONS,
    Block,
    Cut,
    Effect,
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
    format_faults,
    parse_faults,
)

pytest.importorskip("hypothesis")
from hypothesis import given
from hypothesis import strategies as st

_durations = st.integers(min_value=0, max_value=600_000).map(lambda ms: ms / 1000)
_counts = st.integers(min_value=0, max_value=1000)
_codes = st.sampled_from(ERROR_CODES)


def _ranges(kind: type[Latency | Ttfb]) -> st.SearchStrategy[Effect]:
    return st.tuples(_durations, _durations).map(lambda pair: kind(min(pair), max(pair)))


_effects: st.SearchStrategy[Effect] = st.one_of(
    _codes.map(HttpError),
    _durations.map(lambda seconds: HttpError(429, seconds)),
    _ranges(Latency),
    _ranges(Ttfb),
    _counts.map(Cut),
    st.tuples(_counts, _codes).map(lambda pair: ErrorAt(*pair)),
    _counts.map(MalformedAt),
    st.one_of(st.just(Stall()), _durations.map(Stall)),
    st.sampled_from(BLOCK_REASONS).map(Block),
    st.sampled_from(FINISH_REASONS).map(Finish),
    st.just(Reset()),
    st.just(Empty()),
)
_faults = st.builds(Fault, _effects, st.floats(min_value=0.0, max_value=1.0))


@given(st.lists(_faults, max_size=5))
def test_parse_faults_reads_back_what_format_faults_writes(faults: list[Fault]) -> None:
    assert parse_faults(format_faults(faults)) == tuple(faults)


@given(st.text(max_size=40))
def test_parse_faults_fails_only_with_config_error(text: str) -> None:
    try:
        parse_faults(text)
    except ConfigError:
        pass
