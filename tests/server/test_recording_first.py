"""Recordings first: in replay, whatever was recorded comes back as recorded, on any route.

Resources are recorded through mockgem against a second mockgem on loopback acting as the
upstream, then replayed by a fresh server with no upstream: names, times and bytes are the
recorded ones, and the journal shows a cassette answered each exchange.
"""

from __future__ import annotations

import io
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import openai
import pytest
from google import genai
from google.genai import types

from mockgem import MockGemServer
from mockgem.sources.cassettes.model import Interaction, RecordedRequest, RecordedResponse
from mockgem.sources.cassettes.store import CassetteStore
from tests.clients.conftest import genai_client

MODEL = "gemini-2.5-flash"
HOST = "https://generativelanguage.googleapis.com"
JSON_HEADERS = (("content-type", "application/json; charset=UTF-8"),)
Start = Callable[..., MockGemServer]


def _interaction(method: str, path: str, body: object, status: int, answer: bytes, headers: tuple[tuple[str, str], ...] = JSON_HEADERS) -> Interaction:
    sent = json.dumps(body).encode() if body is not None else b""
    return Interaction(RecordedRequest(method, HOST + path, (), sent), RecordedResponse(status, headers, answer))


def _send(server: MockGemServer, method: str, path: str, body: object = None, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(server.url + path, data=data, method=method, headers={"x-goog-api-key": "k", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def _record_then_replay(tmp_path: Path, make_server: Start, use: Callable[[genai.Client], object], **upstream_settings: object) -> tuple[object, object, MockGemServer]:
    """`use` run against a recorder, then against a replayer of what it recorded (upstream gone)."""
    upstream = make_server(rules={"default": {"text": "from upstream"}}, **upstream_settings)
    recorder = make_server(mode="record", cassette=tmp_path / "c.yaml", upstream=upstream.url)
    recorded = use(genai_client(recorder))
    recorder.stop()
    upstream.stop()
    replayer = make_server(cassette=tmp_path / "c.yaml")
    return recorded, use(genai_client(replayer)), replayer


def test_route_mockgem_does_not_simulate_replays_as_recorded(tmp_path: Path, make_server: Start) -> None:
    created = b'{\n  "name": "corpora/store-abc123",\n  "displayName": "docs"\n}\n'
    CassetteStore().write(tmp_path / "c.yaml", [
        _interaction("POST", "/v1beta/corpora", {"displayName": "docs"}, 200, created),
        _interaction("DELETE", "/v1beta/corpora/store-abc123?force=true", None, 200, b"{}\n"),
    ])
    server = make_server(cassette=tmp_path / "c.yaml")
    assert _send(server, "POST", "/v1beta/corpora", {"displayName": "docs"})[::2] == (200, created)
    assert _send(server, "DELETE", "/v1beta/corpora/store-abc123?force=true")[::2] == (200, b"{}\n")
    assert [entry.answered_by for entry in server.requests] == ["c.yaml #1", "c.yaml #2"]
    status, _, body = _send(server, "POST", "/v1beta/corpora", {"displayName": "other"})
    assert status == 404 and json.loads(body)["error"]["status"] == "NOT_FOUND"


def test_recorded_upload_then_generate_replays_under_the_recorded_name(tmp_path: Path, make_server: Start) -> None:
    def use(client: genai.Client) -> tuple[str, str]:
        file = client.files.upload(file=io.BytesIO(b"hello " * 100), config=types.UploadFileConfig(mime_type="text/plain"))
        answer = client.models.generate_content(model=MODEL, contents=[file, "summarise"])
        return file.name or "", answer.text or ""

    recorded, replayed, replayer = _record_then_replay(tmp_path, make_server, use)
    assert replayed == recorded
    assert {entry.source for entry in replayer.requests} == {"cassettes"}
    assert len(replayer.requests) == 3  # upload start, upload chunk, generate


def test_recorded_cache_create_patch_and_use_replay_as_recorded(tmp_path: Path, make_server: Start) -> None:
    def use(client: genai.Client) -> tuple[str, str, str]:
        cache = client.caches.create(model=MODEL, config=types.CreateCachedContentConfig(contents=["context " * 2000], ttl="300s"))
        updated = client.caches.update(name=cache.name or "", config=types.UpdateCachedContentConfig(ttl="600s"))
        answer = client.models.generate_content(model=MODEL, contents="summarise", config=types.GenerateContentConfig(cached_content=cache.name))
        return cache.name or "", str(updated.expire_time), answer.text or ""

    recorded, replayed, replayer = _record_then_replay(tmp_path, make_server, use)
    assert replayed == recorded
    assert {entry.source for entry in replayer.requests} == {"cassettes"}


def test_recorded_batch_replays_to_completion(tmp_path: Path, make_server: Start) -> None:
    def use(client: genai.Client) -> tuple[str, list[str]]:
        batch = client.batches.create(model=MODEL, src=[{"contents": [{"parts": [{"text": "hi"}], "role": "user"}]}])
        while batch.state is None or batch.state.name not in {"JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED"}:
            time.sleep(0.05)
            batch = client.batches.get(name=batch.name or "")
        responses = batch.dest.inlined_responses if batch.dest else None
        return batch.name or "", [item.response.text or "" for item in responses or [] if item.response]

    recorded, replayed, replayer = _record_then_replay(tmp_path, make_server, use, batch_duration=0.2)
    assert replayed == recorded and recorded[1] == ["from upstream"]
    assert {entry.source for entry in replayer.requests} == {"cassettes"}


def test_openai_sdk_replays_a_recorded_compat_exchange_as_recorded(tmp_path: Path, make_server: Start) -> None:
    answer = {"id": "rec-1", "object": "chat.completion", "created": 1, "model": "gemini-2.5-flash",
              "choices": [{"index": 0, "message": {"role": "assistant", "content": "recorded"}, "finish_reason": "stop"}]}
    stream = b'data: {"id":"rec-2","object":"chat.completion.chunk","created":1,"model":"gemini-2.5-flash","choices":[{"index":0,"delta":{"role":"assistant","content":"streamed"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n'
    ask = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}]}
    CassetteStore().write(tmp_path / "c.yaml", [
        _interaction("POST", "/v1beta/openai/chat/completions", ask, 200, json.dumps(answer).encode()),
        _interaction("POST", "/v1beta/openai/chat/completions", {**ask, "stream": True}, 200, stream, (("content-type", "text/event-stream"),)),
    ])
    server = make_server(cassette=tmp_path / "c.yaml")
    client = openai.OpenAI(base_url=server.openai_base_url, api_key="k", max_retries=0)
    completion = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "hi"}])
    assert (completion.id, completion.choices[0].message.content) == ("rec-1", "recorded")
    chunks = list(client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "hi"}], stream=True))
    assert [(chunk.id, chunk.choices[0].delta.content) for chunk in chunks] == [("rec-2", "streamed")]
    assert [entry.answered_by for entry in server.requests] == ["c.yaml #1", "c.yaml #2"]


def test_recorded_json_array_stream_binary_body_and_error_come_back_byte_for_byte(tmp_path: Path, make_server: Start) -> None:
    array = b'[{\n  "candidates": [{"content": {"parts": [{"text": "a"}], "role": "model"}}]\n}\n,\r\n{\n  "candidates": []\n}\n]'
    video = bytes(range(256)) * 4
    error = b'{\n  "error": {\n    "code": 429,\n    "message": "Quota",\n    "status": "RESOURCE_EXHAUSTED",\n    "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "7s"}]\n  }\n}\n'
    ask = {"contents": [{"role": "user", "parts": [{"text": "x"}]}]}
    CassetteStore().write(tmp_path / "c.yaml", [
        _interaction("POST", f"/v1beta/models/{MODEL}:streamGenerateContent", ask, 200, array),
        _interaction("GET", "/v1beta/files/abc:download?alt=media", None, 200, video, (("content-type", "video/mp4"),)),
        _interaction("POST", f"/v1beta/models/{MODEL}:generateContent", ask, 429, error),
    ])
    server = make_server(cassette=tmp_path / "c.yaml")
    assert _send(server, "POST", f"/v1beta/models/{MODEL}:streamGenerateContent", ask)[::2] == (200, array)
    status, headers, body = _send(server, "GET", "/v1beta/files/abc:download?alt=media")
    assert (status, headers["content-type"], body) == (200, "video/mp4", video)
    client = genai_client(server, "v1beta")
    with pytest.raises(genai.errors.ClientError) as caught:
        client.models.generate_content(model=MODEL, contents="x")
    assert caught.value.code == 429 and caught.value.details["error"]["details"][0]["retryDelay"] == "7s"


def test_recording_answers_a_request_the_validator_would_refuse(tmp_path: Path, make_server: Start) -> None:
    odd = {"contents": [{"role": "user", "parts": [{"text": "hi"}], "unknownField": 1}]}
    CassetteStore().write(tmp_path / "c.yaml", [_interaction("POST", f"/v1beta/models/{MODEL}:generateContent", odd, 200, b'{"candidates": []}')])
    server = make_server(cassette=tmp_path / "c.yaml")
    assert _send(server, "POST", f"/v1beta/models/{MODEL}:generateContent", odd)[::2] == (200, b'{"candidates": []}')
    other = {"contents": [{"role": "user", "parts": [{"text": "other"}], "unknownField": 1}]}
    status, _, body = _send(server, "POST", f"/v1beta/models/{MODEL}:generateContent", other)
    assert status == 400 and "Unknown name" in json.loads(body)["error"]["message"]
    assert server.requests.last is not None and server.requests.last.body == other


def test_one_object_where_the_schema_has_a_list_is_answered(make_server: Start) -> None:
    server = make_server(rules={"rules": [{"match": {"contains": "single"}, "reply": {"text": "read as a list"}}]})
    body = {"contents": {"role": "user", "parts": {"text": "a single part"}}, "safetySettings": {"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}}
    status, _, answer = _send(server, "POST", f"/v1beta/models/{MODEL}:generateContent", body)
    assert status == 200 and json.loads(answer)["candidates"][0]["content"]["parts"][0]["text"] == "read as a list"


def test_journal_names_the_rule_behind_a_scripted_error(make_server: Start) -> None:
    server = make_server(rules={"rules": [{"match": {"contains": "boom"}, "reply": {"error": {"code": 503}}}]})
    client = genai_client(server)
    with pytest.raises(genai.errors.ServerError):
        client.models.generate_content(model=MODEL, contents="boom")
    entry = server.requests.last
    assert entry is not None and (entry.status, entry.source) == (503, "rules") and entry.answered_by and "rule" in entry.answered_by


def test_journal_names_the_simulator_behind_a_resource_answer(make_server: Start) -> None:
    server = make_server()
    client = genai_client(server)
    client.files.upload(file=io.BytesIO(b"data"), config=types.UploadFileConfig(mime_type="text/plain"))
    assert {(entry.source, entry.answered_by) for entry in server.requests} == {("simulator", "this run's files")}


def test_journal_keeps_when_each_chunk_of_a_stream_went_out(make_server: Start) -> None:
    server = make_server(rules={"rules": [{"match": {"contains": "stream"}, "reply": {"text": "one two three four"}, "stream": {"chunks": 4}}]})
    client = genai_client(server)
    assert len(list(client.models.generate_content_stream(model=MODEL, contents="stream please"))) == 4
    entry = server.requests.last
    assert entry is not None and len(entry.chunk_offsets_ms) == 4
    assert list(entry.chunk_offsets_ms) == sorted(entry.chunk_offsets_ms)
    status, _, body = _send(server, "GET", "/_mockgem/requests")
    assert len(json.loads(body)["requests"][-1]["chunks"]) == 4
