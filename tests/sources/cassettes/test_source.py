"""CassetteSource over HTTP: scoping by header and admin, recorded SSE bytes, timing, misses."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mockgem import MockGemServer
from mockgem.errors import CassetteError
from mockgem.sources.cassettes.model import Interaction, RecordedRequest, RecordedResponse
from mockgem.sources.cassettes.source import ReplayTiming
from mockgem.sources.cassettes.store import CassetteStore

BASE = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash"
SSE = b'data: {"candidates": [{"content": {"parts": [{"text": "Hel"}], "role": "model"}}]}\r\n\r\ndata: {"candidates": [{"content": {"parts": [{"text": "lo"}], "role": "model"}, "finishReason": "STOP"}]}\r\n\r\n'


def _prompt(text: str) -> bytes:
    return json.dumps({"contents": [{"role": "user", "parts": [{"text": text}]}]}).encode()


def _reply(text: str) -> bytes:
    return json.dumps({"candidates": [{"content": {"parts": [{"text": text}], "role": "model"}, "finishReason": "STOP"}]}).encode()


def _write(path: Path, *pairs: tuple[str, bytes, RecordedResponse]) -> None:
    store = CassetteStore()
    for uri, body, response in pairs:
        store.append(path, Interaction(RecordedRequest("POST", uri, (("content-type", "application/json"),), body), response))


def _call(server: MockGemServer, path: str, body: bytes | None = None, method: str = "POST", **headers: str) -> tuple[int, bytes]:
    request = urllib.request.Request(server.url + path, data=body, method=method, headers={"x-goog-api-key": "k", "content-type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def cassette_dir(tmp_path: Path) -> Path:
    json_type = (("content-type", "application/json"),)
    _write(tmp_path / "a.yaml", (f"{BASE}:generateContent", _prompt("Hi"), RecordedResponse(200, json_type, _reply("from a"))))
    _write(tmp_path / "sub" / "b.yaml", (f"{BASE}:generateContent", _prompt("Hi"), RecordedResponse(200, json_type, _reply("from b"))))
    sse = RecordedResponse(200, (("content-type", "text/event-stream"),), SSE, chunk_offsets=(0.1, 0.3))
    _write(tmp_path / "stream.yaml", (f"{BASE}:streamGenerateContent?alt=sse", _prompt("Hi"), sse))
    return tmp_path


def _text(body: bytes) -> Any:
    return json.loads(body)["candidates"][0]["content"]["parts"][0]["text"]


def test_header_picks_cassette_with_or_without_extension(cassette_dir: Path, make_server: Callable[..., MockGemServer]) -> None:
    server = make_server(cassette_dir=cassette_dir)
    path = "/v1beta/models/gemini-2.5-flash:generateContent"
    assert _text(_call(server, path, _prompt("Hi"), **{"X-Mockgem-Cassette": "sub/b"})[1]) == "from b"
    assert _text(_call(server, path, _prompt("Hi"), **{"X-Mockgem-Cassette": "a.yaml"})[1]) == "from a"


def test_admin_lists_and_switches_the_active_cassette(cassette_dir: Path, make_server: Callable[..., MockGemServer]) -> None:
    server = make_server(cassette_dir=cassette_dir)
    listed = json.loads(_call(server, "/_mockgem/cassettes", method="GET")[1])
    assert {c["name"] for c in listed["cassettes"]} == {"a.yaml", "sub/b.yaml", "stream.yaml"}
    assert _call(server, "/_mockgem/cassette", b'{"name": "sub/b"}', method="PUT") == (200, b'{\n  "active": "sub/b.yaml"\n}')
    assert _text(_call(server, "/v1beta/models/gemini-2.5-flash:generateContent", _prompt("Hi"))[1]) == "from b"


def test_recorded_sse_is_served_byte_for_byte_with_recorded_timing(cassette_dir: Path, make_server: Callable[..., MockGemServer]) -> None:
    server = make_server(cassette_dir=cassette_dir, replay_timing="recorded")
    started = time.monotonic()
    status, body = _call(server, "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", _prompt("Hi"))
    assert (status, body) == (200, SSE)
    assert time.monotonic() - started >= 0.28


def test_recorded_sse_stream_is_served_as_json_array_when_asked(cassette_dir: Path, make_server: Callable[..., MockGemServer]) -> None:
    server = make_server(cassette_dir=cassette_dir)
    status, body = _call(server, "/v1beta/models/gemini-2.5-flash:streamGenerateContent", _prompt("Hi"))
    assert status == 200 and [_text(json.dumps(item).encode()) for item in json.loads(body)] == ["Hel", "lo"]


def test_miss_is_400_naming_cassettes_and_closest(cassette_dir: Path, make_server: Callable[..., MockGemServer]) -> None:
    server = make_server(cassette_dir=cassette_dir)
    status, body = _call(server, "/v1beta/models/gemini-2.5-flash:generateContent", _prompt("Hello"))
    message = json.loads(body)["error"]["message"]
    assert status == 400 and "3 cassettes" in message and "Closest" in message
    assert '"Hi" -> "Hello"' in message


@pytest.mark.parametrize(("text", "factor"), [("instant", 0.0), ("recorded", 1.0), ("scaled:0.5", 0.5)])
def test_replay_timing_parses(text: str, factor: float) -> None:
    assert ReplayTiming.parse(text).factor == factor


def test_replay_timing_scales_recorded_gaps() -> None:
    assert ReplayTiming(0.5).delays((0.2, 0.6, 0.6)) == pytest.approx((0.1, 0.2, 0.0))


def test_replay_timing_rejects_nonsense() -> None:
    with pytest.raises(CassetteError):
        ReplayTiming.parse("fast")
