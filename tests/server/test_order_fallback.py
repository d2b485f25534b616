"""Matching as a vcrpy user knows it: `match_on`, and a stale recording played by order, reported.

The cassettes are recorded with an older request shape (no `generationConfig`); today's
google-genai sends `generationConfig.responseModalities`. In the selected cassette each such
request gets the next unplayed recording of its method and path, and the journal and the log
say how they differ; `strict` makes it a miss, `ignore_paths` an exact match.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from google import genai
from google.genai import types

from mockgem import MockGemServer
from mockgem.sources.cassettes.model import Interaction, RecordedRequest, RecordedResponse
from mockgem.sources.cassettes.store import CassetteStore

MODEL = "gemini-2.5-flash"
GENERATE = f"https://generativelanguage.googleapis.com/v1beta/models/{MODEL}:generateContent"
COUNT = f"https://generativelanguage.googleapis.com/v1beta/models/{MODEL}:countTokens"
TODAY = types.GenerateContentConfig(response_modalities=["TEXT"])
Start = Callable[..., MockGemServer]


def _recorded(uri: str, body: dict[str, Any], answer: dict[str, Any], headers: tuple[tuple[str, str], ...] = ()) -> Interaction:
    request = RecordedRequest("POST", uri, (("content-type", "application/json"), *headers), json.dumps(body).encode())
    return Interaction(request, RecordedResponse(200, (("content-type", "application/json"),), json.dumps(answer).encode(), "OK"))


def _turn(text: str) -> dict[str, Any]:
    return {"contents": [{"parts": [{"text": text}]}]}


def _reply(text: str) -> dict[str, Any]:
    return {"candidates": [{"content": {"parts": [{"text": text}], "role": "model"}, "finishReason": "STOP"}]}


@pytest.fixture
def stale(tmp_path: Path) -> Path:
    path = tmp_path / "stale.yaml"
    CassetteStore().write(path, [_recorded(GENERATE, _turn("Hi"), _reply("first")), _recorded(GENERATE, _turn("Bye"), _reply("second"))])
    return path


def _client(server: MockGemServer, headers: dict[str, str] | None = None) -> genai.Client:
    return genai.Client(api_key="k", http_options=types.HttpOptions(base_url=server.url, headers=headers))


def _ask(client: genai.Client, text: str, config: types.GenerateContentConfig | None = TODAY) -> str:
    return client.models.generate_content(model=MODEL, contents=text, config=config).text or ""


def test_fallback_plays_stale_recordings_in_order_and_reports_each_diff(stale: Path, make_server: Start, caplog: pytest.LogCaptureFixture) -> None:
    server = make_server(cassette=stale)
    with caplog.at_level(logging.WARNING, logger="mockgem"):
        assert [_ask(_client(server), "Hi"), _ask(_client(server), "Bye")] == ["first", "second"]
    first, second = server.requests.fallbacks
    assert first.answered_by == "stale.yaml #1" and second.answered_by == "stale.yaml #2"
    assert "played stale.yaml #1" in (first.fallback or "") and "by order" in (first.fallback or "")
    assert 'body.generationConfig: (absent) -> {"responseModalities": ["TEXT"]}' in (first.fallback or "")
    assert sum("answered by a fallback" in record.getMessage() for record in caplog.records) == 2


def test_fallback_is_used_up_with_the_recordings(stale: Path, make_server: Start) -> None:
    server = make_server(cassette=stale)
    _ask(_client(server), "Hi"), _ask(_client(server), "Bye")
    with pytest.raises(genai.errors.ClientError) as caught:
        _ask(_client(server), "Hi")
    assert caught.value.code == 400 and "served already" not in str(caught.value)


def test_strict_makes_a_stale_recording_a_miss_with_the_diff(stale: Path, make_server: Start) -> None:
    with pytest.raises(genai.errors.ClientError) as caught:
        _ask(_client(make_server(cassette=stale, strict=True)), "Hi")
    assert caught.value.code == 400 and "body.generationConfig" in str(caught.value)


def test_ignoring_the_new_field_matches_exactly_leaving_no_empty_parent(stale: Path, make_server: Start) -> None:
    server = make_server(cassette=stale, strict=True, ignore_paths=("generationConfig.responseModalities",))
    assert _ask(_client(server), "Bye") == "second"
    assert server.requests.fallbacks == []


def test_fallback_needs_a_selected_cassette(stale: Path, make_server: Start) -> None:
    with pytest.raises(genai.errors.ClientError):
        _ask(_client(make_server(cassette_dir=stale.parent)), "Hi")


def test_match_on_method_and_path_ignores_the_body_as_vcrpy_does(stale: Path, make_server: Start) -> None:
    server = make_server(cassette=stale, match_on=("method", "path"))
    assert [_ask(_client(server), "anything"), _ask(_client(server), "else")] == ["first", "second"]
    assert server.requests.fallbacks == []


def test_match_on_vcrpy_body_compares_the_json_as_sent(stale: Path, make_server: Start) -> None:
    """vcrpy's `body`: the recorded turn has no role, today's has `"role": "user"`; the Gemini-aware
    matcher (the default) reads both as a user turn."""
    assert _ask(_client(make_server(cassette=stale, strict=True)), "Hi", config=None) == "first"
    with pytest.raises(genai.errors.ClientError) as caught:
        _ask(_client(make_server(cassette=stale, strict=True, match_on=("method", "path", "body"))), "Hi", config=None)
    assert 'body.contents[0].role: (absent) -> "user"' in str(caught.value)


def test_match_on_headers_asks_for_every_recorded_header(tmp_path: Path, make_server: Start) -> None:
    path = tmp_path / "headers.yaml"
    CassetteStore().write(path, [_recorded(GENERATE, _turn("Hi"), _reply("tenant a"), (("x-tenant", "a"),))])
    server = make_server(cassette=path, strict=True, match_on=("method", "path", "gemini_body", "headers"))
    assert _ask(_client(server, {"x-tenant": "a"}), "Hi", config=None) == "tenant a"
    with pytest.raises(genai.errors.ClientError) as caught:
        _ask(_client(server, {"x-tenant": "b"}), "Hi", config=None)
    assert "header x-tenant: a -> b" in str(caught.value)


def test_a_simulated_count_is_reported_when_the_cassette_holds_counts(tmp_path: Path, make_server: Start) -> None:
    path = tmp_path / "count.yaml"
    CassetteStore().write(path, [_recorded(COUNT, _turn("Hi"), {"totalTokens": 99})])
    server = make_server(cassette=path)
    client = _client(server)
    assert client.models.count_tokens(model=MODEL, contents="Hello there").total_tokens == 99  # by order
    assert client.models.count_tokens(model=MODEL, contents="Hello there").total_tokens != 99  # the built-in count
    by_order, simulated = server.requests.fallbacks
    assert by_order.answered_by == "count.yaml #1" and simulated.source == "builtin"
    assert (simulated.fallback or "").startswith("answered by the built-in simulator, although the cassette count.yaml holds 1 recording")


def test_a_count_with_no_recording_of_its_route_is_not_reported(stale: Path, make_server: Start) -> None:
    server = make_server(cassette=stale)
    client = _client(server)
    client.models.count_tokens(model=MODEL, contents="Hello")
    assert server.requests.fallbacks == []
