"""CassetteIndex replay order: repeat the last recording (replay) or count it used up (auto)."""

from __future__ import annotations

from mockgem.sources.cassettes.index import CassetteIndex, NearMiss
from mockgem.sources.cassettes.keys import describe_request
from tests.sources.cassettes.test_index import _answer, _ask, _cassette, _interaction


def test_without_repeat_last_used_up_recordings_are_a_miss_naming_the_served_one() -> None:
    index = CassetteIndex([_cassette("a.yaml", _interaction("hi", "one"), _interaction("hi", "two"))], repeat_last=False)
    assert [_answer(_ask(index, "hi")) for _ in range(2)] == [b"one", b"two"]
    found = _ask(index, "hi")
    assert isinstance(found, NearMiss) and found.closest is not None and found.mismatches == ()
    assert "served already" in found.message
    index.reset()
    assert _answer(_ask(index, "hi")) == b"one"


def test_just_recorded_interaction_counts_as_served_once_then_repeats() -> None:
    index = CassetteIndex([_cassette("a.yaml", _interaction("hi", "old"))], repeat_last=False)
    assert _answer(_ask(index, "hi")) == b"old"
    index.record("a.yaml", _interaction("hi", "new"), served=True)
    assert [_answer(_ask(index, "hi")) for _ in range(2)] == [b"new", b"new"]
    index.reset()
    assert [_answer(_ask(index, "hi")) for _ in range(2)] == [b"old", b"new"]


def test_recording_served_counts_only_where_nothing_was_left_to_serve() -> None:
    index = CassetteIndex([_cassette("a.yaml", _interaction("hi", "old"))], repeat_last=False)
    index.record("a.yaml", _interaction("hi", "new"), served=True)
    assert [_answer(_ask(index, "hi")) for _ in range(2)] == [b"old", b"new"]


def test_repeat_last_still_serves_a_just_recorded_interaction_again() -> None:
    index = CassetteIndex()
    index.record("a.yaml", _interaction("hi", "new"), served=True)
    assert _answer(_ask(index, "hi")) == b"new"


def test_forgotten_cassette_is_a_miss_everywhere() -> None:
    index = CassetteIndex([_cassette("a.yaml", _interaction("hi", "one"))])
    index.forget("a.yaml")
    assert isinstance(_ask(index, "hi"), NearMiss)
    shape = describe_request("POST", "/v1beta/models/gemini-2.5-flash:generateContent", b'{"contents": [{"parts": [{"text": "hi"}]}]}')
    assert not index.holds(shape)
