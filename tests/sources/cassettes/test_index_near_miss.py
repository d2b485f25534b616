"""The closest recording of a miss: fewest weighed differences, then the most alike text."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from google import genai
from google.genai import types

from mockgem import MockGemServer
from mockgem.sources.cassettes import index as index_module
from mockgem.sources.cassettes.index import CassetteIndex, NearMiss, likeness
from mockgem.sources.cassettes.model import Interaction, RecordedRequest, RecordedResponse
from mockgem.sources.cassettes.store import CassetteStore
from tests.clients.conftest import genai_client
from tests.sources.cassettes.test_index import HOST, _ask, _cassette, _interaction

MODEL = "gemini-2.5-flash"
RECORDINGS = 3000


def _question(number: int) -> str:
    return f"question number {number} about topic {number % 17}"


def _body(number: int, suffix: str = "") -> bytes:
    body = {"contents": [{"role": "user", "parts": [{"text": _question(number) + suffix}]}], "generationConfig": {"temperature": number % 5 / 10}}
    return json.dumps(body).encode()


def _numbered(number: int) -> Interaction:
    request = RecordedRequest("POST", f"{HOST}/v1beta/models/{MODEL}:generateContent", (("content-type", "application/json"),), _body(number))
    answer = {"candidates": [{"content": {"role": "model", "parts": [{"text": f"answer {number}"}]}, "finishReason": "STOP"}]}
    return Interaction(request, RecordedResponse(200, (("content-type", "application/json"),), json.dumps(answer).encode()))


def _closest(found: object) -> int:
    assert isinstance(found, NearMiss) and found.closest is not None
    return found.closest.position


def test_miss_among_thousands_names_the_recording_one_character_away(tmp_path: Path, make_server: Callable[..., MockGemServer]) -> None:
    CassetteStore().write(tmp_path / "big.yaml", [_numbered(n) for n in range(RECORDINGS)])
    client = genai_client(make_server(cassette=tmp_path / "big.yaml", strict=True))
    config = types.GenerateContentConfig(temperature=1234 % 5 / 10)
    with pytest.raises(genai.errors.ClientError) as caught:
        client.models.generate_content(model=MODEL, contents=_question(1234) + "!", config=config)
    message = str(caught.value)
    assert caught.value.code == 400 and "Closest: big.yaml #1235," in message
    assert f'"{_question(1234)}" -> "{_question(1234)}!"' in message


@pytest.mark.parametrize(
    ("recorded", "sent", "closest"),
    [
        (["Tell me about Rome", "Capital of Italy"], "Capital of Italy?", 2),
        (["Capital of France?", "Capital of Spain?", "The capital of Italy?"], "Capital of Italy?", 3),
        (["summarise chapter 1 in three lines", "summarise chapter 2 in five lines"], "summarise chapter 2 in four lines", 2),
        (["same", "same"], "other", 1),
    ],
)
def test_miss_among_equal_ranks_prefers_the_most_alike_text(recorded: list[str], sent: str, closest: int) -> None:
    index = CassetteIndex([_cassette("a.yaml", *(_interaction(text, "x") for text in recorded))])
    assert _closest(_ask(index, sent)) == closest


def test_miss_on_a_stream_request_is_compared_with_a_stream_recording() -> None:
    recordings = [_interaction("hello", "whole"), _interaction("goodbye", "chunks", action="streamGenerateContent")]
    index = CassetteIndex([_cassette("a.yaml", *recordings)])
    body = json.dumps({"contents": [{"parts": [{"text": "hello"}]}]}).encode()
    assert _closest(index.lookup("POST", f"/v1beta/models/{MODEL}:streamGenerateContent?alt=sse", body)) == 2
    assert _closest(index.lookup("POST", f"/v1beta/models/{MODEL}:generateContent", json.dumps({"contents": [{"parts": [{"text": "bye"}]}]}).encode())) == 1


def test_miss_compares_the_shapes_kept_at_load_without_parsing_recordings_again(monkeypatch: pytest.MonkeyPatch) -> None:
    index = CassetteIndex([_cassette("a.yaml", *(_numbered(n) for n in range(50)))])
    sent = index_module.describe_request("POST", f"/v1beta/models/{MODEL}:generateContent", _body(7, "!"))

    def refuse(*_: object) -> None:
        raise RuntimeError("a miss must not parse recordings again")

    monkeypatch.setattr(index_module, "describe_request", refuse)
    assert _closest(index.lookup_shape(sent)) == 8


@pytest.mark.parametrize(
    ("recorded", "sent", "expected"),
    [
        ("abc", "abc", 1.0),
        ("abcd", "abc", 6 / 7),
        ("", "abc", 0.0),
        (1, 2, 0.0),
        ("abc", 1, 0.0),
        ("xbc", "ybc", 4 / 6),
        ("a long prompt " * 1000 + "end", "a long prompt " * 1000 + "fin", 2 * 14001 / (2 * 14003)),
    ],
)
def test_likeness_measures_text_as_difflib_ratio(recorded: object, sent: object, expected: float) -> None:
    assert likeness(recorded, sent) == pytest.approx(expected)
