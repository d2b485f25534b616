"""CassetteIndex: O(1) replay in recorded order, scoped lookups, readable near misses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mockgem.sources.cassettes import index as index_module
from mockgem.sources.cassettes.index import CassetteIndex, Mismatch, NearMiss, Recorded
from mockgem.sources.cassettes.model import Cassette, Interaction, RecordedRequest, RecordedResponse

HOST = "https://generativelanguage.googleapis.com"


def _interaction(text: str, answer: str, model: str = "gemini-2.5-flash", action: str = "generateContent") -> Interaction:
    body = json.dumps({"contents": [{"role": "user", "parts": [{"text": text}]}]}).encode()
    request = RecordedRequest("POST", f"{HOST}/v1beta/models/{model}:{action}", (), body)
    return Interaction(request, RecordedResponse(200, (), answer.encode()))


def _cassette(name: str, *interactions: Interaction) -> Cassette:
    return Cassette(name, Path(name), interactions)


def _ask(index: CassetteIndex, text: str, cassette: str | None = None, model: str = "gemini-2.5-flash") -> Recorded | NearMiss:
    body = json.dumps({"contents": [{"parts": [{"text": text}], "role": "user"}]}).encode()
    return index.lookup("POST", f"/v1/models/{model}:generateContent", body, cassette=cassette)


def _answer(found: Recorded | NearMiss) -> bytes:
    assert isinstance(found, Recorded), getattr(found, "message", found)
    return found.interaction.response.body


def test_identical_requests_replay_in_order_then_last_repeats() -> None:
    index = CassetteIndex([_cassette("a.yaml", _interaction("hi", "one"), _interaction("other", "x"), _interaction("hi", "two"))])
    assert [_answer(_ask(index, "hi")) for _ in range(4)] == [b"one", b"two", b"two", b"two"]
    index.reset()
    assert _answer(_ask(index, "hi")) == b"one"


def test_hit_reports_its_origin() -> None:
    index = CassetteIndex([_cassette("dir/a.yaml", _interaction("x", "0"), _interaction("hi", "1"))])
    found = _ask(index, "hi")
    assert isinstance(found, Recorded) and found.origin == "dir/a.yaml #2"


def test_scoped_lookup_by_name_with_or_without_extension() -> None:
    index = CassetteIndex([_cassette("t/one.yaml", _interaction("hi", "1")), _cassette("t/two.yaml", _interaction("hi", "2"))])
    assert _answer(_ask(index, "hi", "t/two")) == b"2"
    assert _answer(_ask(index, "hi", "t/one.yaml")) == b"1"
    assert _answer(_ask(index, "hi")) == b"1"
    assert index.names == ("t/one.yaml", "t/two.yaml") and len(index) == 2


def test_unknown_cassette_name_is_a_near_miss_naming_it() -> None:
    found = _ask(CassetteIndex([_cassette("a.yaml")]), "hi", "nope")
    assert isinstance(found, NearMiss) and "nope" in found.message and found.closest is None


def test_recorded_interaction_is_found_at_once() -> None:
    index = CassetteIndex()
    index.record("new.yaml", _interaction("hi", "fresh"))
    assert _answer(_ask(index, "hi", "new")) == b"fresh"


def test_hits_do_not_scan_the_recordings(monkeypatch: pytest.MonkeyPatch) -> None:
    index = CassetteIndex([_cassette("big.yaml", *(_interaction(f"q{n}", f"a{n}") for n in range(2000)))])

    def refuse(*_: object) -> None:
        raise RuntimeError("a hit must not compare recordings")

    monkeypatch.setattr(index_module, "compare", refuse)
    assert _answer(_ask(index, "q1999")) == b"a1999"


def test_miss_names_cassettes_closest_recording_and_the_difference() -> None:
    index = CassetteIndex(
        [
            _cassette("a.yaml", _interaction("Capital of France?", "Paris"), _interaction("hi", "x", model="gemini-2.5-pro")),
            _cassette("b.yaml", _interaction("Capital of Spain?", "Madrid", action="countTokens")),
        ]
    )
    found = _ask(index, "Capital of Italy?")
    assert isinstance(found, NearMiss) and found.closest is not None
    assert found.closest.origin == "a.yaml #1"
    assert found.mismatches == (
        Mismatch("body.contents[0].parts[0].text", '"Capital of France?"', '"Capital of Italy?"'),
    )
    message = found.message
    assert "a.yaml, b.yaml" in message and "3 interactions" in message and "a.yaml #1" in message
    assert 'body.contents[0].parts[0].text: "Capital of France?" -> "Capital of Italy?"' in message


def test_miss_ranks_endpoint_differences_above_body_differences() -> None:
    index = CassetteIndex([_cassette("a.yaml", _interaction("same", "x", model="gemini-2.5-pro"), _interaction("other", "y"))])
    found = _ask(index, "same")
    assert isinstance(found, NearMiss) and found.closest is not None and found.closest.position == 2


def test_miss_on_model_reports_the_model_aspect() -> None:
    index = CassetteIndex([_cassette("a.yaml", _interaction("same", "x", model="gemini-2.5-pro"))])
    found = _ask(index, "same")
    assert isinstance(found, NearMiss)
    assert found.mismatches == (Mismatch("model", "gemini-2.5-pro", "gemini-2.5-flash"),)


def test_miss_with_nothing_loaded_says_so() -> None:
    found = _ask(CassetteIndex(), "hi")
    assert isinstance(found, NearMiss) and "none loaded" in found.message


def test_long_diff_is_cut_short() -> None:
    recorded = {"contents": [{"parts": [{"text": str(n)} for n in range(10)]}]}
    request = RecordedRequest("POST", f"{HOST}/v1beta/models/m:generateContent", (), json.dumps(recorded).encode())
    index = CassetteIndex([_cassette("a.yaml", Interaction(request, RecordedResponse(200)))])
    sent = {"contents": [{"parts": [{"text": str(n + 1)} for n in range(10)]}]}
    found = index.lookup("POST", "/v1beta/models/m:generateContent", json.dumps(sent).encode())
    assert isinstance(found, NearMiss) and len(found.mismatches) == 10
    assert "... and 4 more" in found.message
