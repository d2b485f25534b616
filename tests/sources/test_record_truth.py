"""Nothing recorded that was not true (issue 17, defects 9 to 11): a recording mockgem in front
of an upstream mockgem whose rules answer with faults. Garbage and broken answers reach the
google-genai client as 502s and are not recorded; a silent upstream is a 504; a stream is on
disk from its first byte; what is recorded replays."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from google import genai
from google.genai import errors, types

from mockgem import MockGemServer
from mockgem.sources.cassettes.formats import load_cassette
from tests.raw_http import GENERATE, post

MODEL = "gemini-2.5-flash"
Start = Callable[..., MockGemServer]
UPSTREAM_RULES = {
    "rules": [
        {"match": {"contains": "garbage"}, "reply": {"text": "never seen"}, "fault": ["malformed-at=0"]},
        {"match": {"contains": "broken"}, "reply": {"text": "one two three four five six"}, "stream": {"chunks": 4}, "fault": ["malformed-at=2"]},
        {"match": {"contains": "cut"}, "reply": {"text": "one two three four five six"}, "stream": {"chunks": 4}, "fault": ["cut=2"]},
        {"match": {"contains": "empty"}, "reply": {"text": "never seen"}, "fault": ["empty"]},
        {"match": {"contains": "silent"}, "reply": {"text": "too late"}, "fault": ["ttfb=3s"]},
        {"match": {"contains": "slow stream"}, "reply": {"text": "a b c d e f"}, "stream": {"chunks": 6}, "fault": ["latency=150ms"]},
        {"match": {"contains": "overloaded"}, "fault": ["503"]},
    ],
    "default": {"text": "a true answer"},
}


def client_of(server: MockGemServer) -> genai.Client:
    return genai.Client(api_key="record-key", http_options=types.HttpOptions(base_url=server.url, retry_options=types.HttpRetryOptions(attempts=1)))


@pytest.fixture
def recording(tmp_path: Path, make_server: Start) -> tuple[MockGemServer, Path]:
    upstream = make_server(rules=UPSTREAM_RULES)
    cassette = tmp_path / "truth.yaml"
    return make_server(mode="record", cassette=cassette, upstream=upstream.url, upstream_read_timeout=1.0), cassette


def recorded_prompts(cassette: Path) -> list[bytes]:
    return [interaction.request.body for interaction in load_cassette(cassette).interactions] if cassette.exists() else []


@pytest.mark.parametrize("prompt", ["garbage", "empty"])
def test_unary_garbage_is_a_502_quoting_the_upstream_and_not_recorded(recording: tuple[MockGemServer, Path], prompt: str) -> None:
    server, cassette = recording
    client = client_of(server)
    with pytest.raises(errors.APIError) as caught:
        client.models.generate_content(model=MODEL, contents=prompt)
    assert caught.value.code == 502 and "which is not recorded" in (caught.value.message or "")
    assert caught.value.status == "UNAVAILABLE"
    assert recorded_prompts(cassette) == []


def test_unary_garbage_never_becomes_an_error_with_code_200(recording: tuple[MockGemServer, Path]) -> None:
    answer = post(recording[0].port, GENERATE, b'{"contents": [{"parts": [{"text": "garbage"}]}]}')
    assert answer.status == 502 and answer.error()["code"] == 502
    assert '\\n  \\"candidates\\"' in answer.body.decode() or "candidates" in answer.error()["message"]


@pytest.mark.parametrize("prompt", ["broken", "cut"])
def test_stream_broken_inside_an_event_ends_in_a_502_chunk_and_is_not_recorded(recording: tuple[MockGemServer, Path], prompt: str) -> None:
    server, cassette = recording
    received, client = [], client_of(server)
    with pytest.raises(errors.APIError) as caught:
        for chunk in client.models.generate_content_stream(model=MODEL, contents=prompt):
            received.append(chunk.text)
    assert caught.value.code == 502 and received  # what came before the break reached the client
    assert recorded_prompts(cassette) == []


def test_stream_garbage_from_its_first_event_is_a_502_status(recording: tuple[MockGemServer, Path]) -> None:
    server, cassette = recording
    client = client_of(server)
    with pytest.raises(errors.APIError) as caught:
        list(client.models.generate_content_stream(model=MODEL, contents="garbage"))
    assert caught.value.code == 502
    assert recorded_prompts(cassette) == []


def test_silent_upstream_is_a_504(recording: tuple[MockGemServer, Path]) -> None:
    server, cassette = recording
    client = client_of(server)
    with pytest.raises(errors.APIError) as caught:
        client.models.generate_content(model=MODEL, contents="silent")
    assert (caught.value.code, caught.value.status) == (504, "DEADLINE_EXCEEDED")
    assert recorded_prompts(cassette) == []


def test_long_stream_outlives_the_read_timeout_while_its_chunks_keep_coming(recording: tuple[MockGemServer, Path]) -> None:
    server, cassette = recording  # six chunks 150 ms apart: longer than the 1 s read timeout in all
    client = client_of(server)
    texts = [chunk.text for chunk in client.models.generate_content_stream(model=MODEL, contents="slow stream")]
    assert "".join(text or "" for text in texts).split() == list("abcdef")
    assert len(recorded_prompts(cassette)) == 1


def test_true_error_and_true_answers_are_recorded_and_replay(recording: tuple[MockGemServer, Path], make_server: Start) -> None:
    server, cassette = recording
    client = client_of(server)
    with pytest.raises(errors.APIError) as caught:
        client.models.generate_content(model=MODEL, contents="overloaded")
    assert caught.value.code == 503
    assert client.models.generate_content(model=MODEL, contents="hello").text == "a true answer"
    assert len(recorded_prompts(cassette)) == 2
    replay = client_of(make_server(cassette=cassette))
    assert replay.models.generate_content(model=MODEL, contents="hello").text == "a true answer"


def test_stream_is_on_disk_from_its_first_chunk(recording: tuple[MockGemServer, Path]) -> None:
    server, cassette = recording
    client = client_of(server)
    chunks = client.models.generate_content_stream(model=MODEL, contents="slow stream")
    first = next(iter(chunks))
    assert first.text and len(recorded_prompts(cassette)) == 1  # written before the client had the rest
    partial = load_cassette(cassette).interactions[0].response.body
    rest = [chunk.text for chunk in chunks]
    complete = load_cassette(cassette).interactions[0].response.body
    assert len(rest) == 5 and complete.startswith(partial[:20]) and len(complete) > len(partial)


def test_append_to_a_large_cassette_writes_in_place(tmp_path: Path, make_server: Start) -> None:
    upstream = make_server(rules=UPSTREAM_RULES)
    cassette = tmp_path / "large.yaml"
    recorder = make_server(mode="record", cassette=cassette, upstream=upstream.url)
    client = client_of(recorder)
    client.models.generate_content(model=MODEL, contents="first")
    inode, head = os.stat(cassette).st_ino, cassette.read_bytes()[:-len(b"version: 1\n")]
    for n in range(3):
        client.models.generate_content(model=MODEL, contents=f"more {n}")
    list(client.models.generate_content_stream(model=MODEL, contents="slow stream"))
    assert os.stat(cassette).st_ino == inode and cassette.read_bytes().startswith(head)  # never replaced by a rewrite
    assert len(recorded_prompts(cassette)) == 5
