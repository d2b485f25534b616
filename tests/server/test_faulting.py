"""Faults and quotas on the wire: raw HTTP over a real socket, every stream form."""

from __future__ import annotations

import json
import time
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from mockgem import Config, create_app
from mockgem.errors import ConfigError
from mockgem.protocol.calls import ApiRequest
from mockgem.server.fault_state import QuotaDesk
from mockgem.server.keys import QUOTAS, SOURCE
from mockgem.sources.base import Answer, Chunks, FunctionSource
from tests.conftest import EXAMPLE_RULES

MODEL = "gemini-2.5-flash"
GENERATE = f"/v1beta/models/{MODEL}:generateContent"
STREAM = f"/v1beta/models/{MODEL}:streamGenerateContent"
SSE = STREAM + "?alt=sse"
KEY = {"x-goog-api-key": "k"}
STORY = {"contents": [{"parts": [{"text": "tell me a long story"}], "role": "user"}]}  # five chunks


@pytest.fixture
async def http(aiohttp_client: Any) -> TestClient:
    return await aiohttp_client(create_app(Config(rules=(EXAMPLE_RULES,))))


async def post(http: TestClient, path: str, fault: str | None = None, key: str = "k") -> aiohttp.ClientResponse:
    headers = {"x-goog-api-key": key} | ({"X-Mockgem-Fault": fault} if fault else {})
    return await http.post(path, json=STORY, headers=headers)


def sse_events(raw: bytes) -> list[bytes]:
    return [event for event in raw.split(b"\r\n\r\n") if event]


@pytest.mark.parametrize(
    ("fault", "status", "message"),
    [
        ("503", "UNAVAILABLE", "The model is overloaded. Please try again later."),
        ("500", "INTERNAL", "An internal error has occurred."),
        ("504", "DEADLINE_EXCEEDED", "The request timed out. Please try again."),
        ("403", "PERMISSION_DENIED", "The caller does not have permission"),
        ("429", "RESOURCE_EXHAUSTED", "You exceeded your current quota"),
    ],
)
@pytest.mark.parametrize(("path", "as_list"), [(GENERATE, False), (SSE, False), (STREAM, True)])
async def test_header_http_error_has_the_real_envelope(
    http: TestClient, fault: str, status: str, message: str, path: str, as_list: bool
) -> None:
    response = await post(http, path, fault)
    body = await response.json()
    assert response.status == int(fault) and isinstance(body, list) == as_list
    error = (body[0] if as_list else body)["error"]
    assert (error["code"], error["status"]) == (int(fault), status) and error["message"].startswith(message)


async def test_header_429_carries_retry_info_with_its_delay(http: TestClient) -> None:
    error = (await (await post(http, GENERATE, "429=30s")).json())["error"]
    assert error["details"][2] == {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "30s"}


async def test_bad_fault_header_is_400_listing_valid_terms(http: TestClient) -> None:
    response = await post(http, GENERATE, "503, teapot")
    error = (await response.json())["error"]
    assert (response.status, error["status"]) == (400, "INVALID_ARGUMENT")
    assert "teapot" in error["message"] and "valid faults: 400, 403" in error["message"]


@pytest.mark.parametrize("path", [SSE, STREAM])
async def test_cut_closes_after_chunk_n_without_finishing(http: TestClient, path: str) -> None:
    response = await post(http, path, "cut=2")
    assert response.status == 200
    with pytest.raises(aiohttp.ClientPayloadError):
        await response.read()


async def test_cut_sends_exactly_n_sse_events_first(http: TestClient) -> None:
    response = await post(http, SSE, "cut=2")
    received = b""
    with pytest.raises(aiohttp.ClientPayloadError):
        async for data in response.content.iter_any():
            received += data
    assert len(sse_events(received)) == 2 and received.endswith(b"\r\n\r\n")


async def test_error_at_sends_an_sse_error_event_after_chunk_n(http: TestClient) -> None:
    events = sse_events(await (await post(http, SSE, "error-at=2:500")).read())
    assert len(events) == 3
    assert json.loads(events[-1][6:]) == {
        "error": {"code": 500, "message": json.loads(events[-1][6:])["error"]["message"], "status": "INTERNAL"}
    }
    assert events[-1].startswith(b'data: {"error":')


async def test_error_at_is_an_element_of_the_json_array(http: TestClient) -> None:
    chunks = json.loads(await (await post(http, STREAM, "error-at=1:503")).read())
    assert len(chunks) == 2 and "candidates" in chunks[0]
    assert chunks[1]["error"]["status"] == "UNAVAILABLE"


async def test_error_at_zero_on_a_unary_call_is_the_http_error(http: TestClient) -> None:
    response = await post(http, GENERATE, "error-at=0:500")
    assert response.status == 500


@pytest.mark.parametrize("path", [SSE, STREAM, GENERATE])
async def test_malformed_chunk_is_not_json(http: TestClient, path: str) -> None:
    fault = "malformed-at=0" if path == GENERATE else "malformed-at=1"
    raw = await (await post(http, path, fault)).read()
    last = sse_events(raw)[-1][6:] if path == SSE else raw
    with pytest.raises(ValueError):
        json.loads(last)


@pytest.mark.parametrize("path", [SSE, STREAM, GENERATE])
async def test_reset_aborts_before_any_byte(http: TestClient, path: str) -> None:
    with pytest.raises((aiohttp.ClientOSError, aiohttp.ServerDisconnectedError)):
        await post(http, path, "reset")


@pytest.mark.parametrize("path", [SSE, GENERATE])
async def test_empty_is_200_with_no_body(http: TestClient, path: str) -> None:
    response = await post(http, path, "empty")
    assert (response.status, await response.read()) == (200, b"")


@pytest.mark.parametrize("path", [SSE, GENERATE])
async def test_stall_sends_nothing_then_cuts(http: TestClient, path: str) -> None:
    started = time.monotonic()
    response = await post(http, path, "stall=200ms")
    with pytest.raises(aiohttp.ClientPayloadError):
        await response.read()
    assert time.monotonic() - started >= 0.2


async def test_stall_after_cut_point_keeps_the_first_chunks(http: TestClient) -> None:
    response = await post(http, SSE, "cut=3, stall=100ms")
    received = b""
    with pytest.raises(aiohttp.ClientPayloadError):
        async for data in response.content.iter_any():
            received += data
    assert len(sse_events(received)) == 3


async def test_ttfb_delays_the_first_byte(http: TestClient) -> None:
    started = time.monotonic()
    response = await post(http, GENERATE, "ttfb=200ms")
    assert response.status == 200 and time.monotonic() - started >= 0.2


async def test_latency_is_between_chunks(http: TestClient) -> None:
    started = time.monotonic()
    events = sse_events(await (await post(http, SSE, "latency=50ms")).read())
    assert len(events) == 5 and time.monotonic() - started >= 0.2


@pytest.mark.parametrize("path", [GENERATE, SSE])
async def test_block_answers_prompt_feedback_without_candidates(http: TestClient, path: str) -> None:
    raw = await (await post(http, path, "block=SAFETY")).read()
    body = json.loads(sse_events(raw)[-1][6:]) if path == SSE else json.loads(raw)
    assert body["promptFeedback"]["blockReason"] == "SAFETY" and "candidates" not in body


async def stream_text(http: TestClient, fault: str | None) -> tuple[str, str]:
    events = [json.loads(e[6:]) for e in sse_events(await (await post(http, SSE, fault)).read())]
    text = "".join(part["text"] for event in events for part in event["candidates"][0]["content"]["parts"])
    return text, events[-1]["candidates"][0]["finishReason"]


async def test_finish_stops_the_stream_early(http: TestClient) -> None:
    full, _ = await stream_text(http, None)
    cut, reason = await stream_text(http, "finish=MAX_TOKENS")
    assert reason == "MAX_TOKENS" and full.startswith(cut) and len(cut) < len(full)


async def test_rule_fault_fires_then_the_next_rule_answers(aiohttp_client: Any) -> None:
    rules = {"rules": [{"fault": "503", "times": 1}, {"reply": {"text": "recovered"}}]}
    http = await aiohttp_client(create_app(Config(rules=(rules,))))
    assert (await post(http, GENERATE)).status == 503
    body = await (await post(http, GENERATE)).json()
    assert body["candidates"][0]["content"]["parts"][0]["text"] == "recovered"


async def test_rule_fault_next_to_reply_applies_to_it(aiohttp_client: Any) -> None:
    rules = {"rules": [{"reply": {"text": "one two three four"}, "fault": ["error-at=1:500"], "stream": {"chunks": 3}}]}
    http = await aiohttp_client(create_app(Config(rules=(rules,))))
    events = sse_events(await (await post(http, SSE)).read())
    assert len(events) == 2 and events[1].startswith(b'data: {"error":')


def test_bad_rule_fault_stops_the_app() -> None:
    with pytest.raises(ConfigError, match="rule 0: key 'fault': unknown fault 'teapot'"):
        create_app(Config(rules=({"rules": [{"fault": "teapot"}]},)))


@pytest.mark.parametrize("setting", [{"faults": ("teapot",)}, {"quotas": ("gemini-2.5-flash:rpm",)}])
def test_bad_global_setting_stops_the_app(setting: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match="valid"):
        create_app(Config(**setting))


async def test_header_fault_wins_over_global_one(aiohttp_client: Any) -> None:
    http = await aiohttp_client(create_app(Config(faults=("503",))))
    assert (await post(http, GENERATE)).status == 503
    assert (await post(http, GENERATE, "500")).status == 500


async def statuses(aiohttp_client: Any, seed: int, count: int = 16) -> list[int]:
    http = await aiohttp_client(create_app(Config(faults=("503@0.5",), seed=seed)))
    return [(await post(http, GENERATE)).status for _ in range(count)]


async def test_same_seed_draws_the_same_faults(aiohttp_client: Any) -> None:
    first = await statuses(aiohttp_client, 7)
    assert first == await statuses(aiohttp_client, 7)
    assert set(first) == {200, 503}
    assert first != await statuses(aiohttp_client, 8)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


async def test_quota_window_opens_again_after_retry_delay(aiohttp_client: Any) -> None:
    app = create_app(Config())
    clock = FakeClock()
    app[QUOTAS] = QuotaDesk((f"{MODEL}:rpm=2",), clock=clock)
    http = await aiohttp_client(app)
    assert [(await post(http, GENERATE)).status for _ in range(2)] == [200, 200]
    clock.now += 12.5
    refused = await post(http, GENERATE)
    error = (await refused.json())["error"]
    assert refused.status == 429 and error["details"][2]["retryDelay"] == "48s"
    assert "limit: 2, model: gemini-2.5-flash" in error["message"]
    clock.now += 47.4
    assert (await post(http, GENERATE)).status == 429
    clock.now += 0.1
    assert (await post(http, GENERATE)).status == 200


async def test_quota_counts_each_key_apart(aiohttp_client: Any) -> None:
    http = await aiohttp_client(create_app(Config(quotas=(f"{MODEL}:rpm=1",))))
    assert [(await post(http, GENERATE, key=key)).status for key in ("a", "b", "a")] == [200, 200, 429]
    assert (await post(http, SSE, key="b")).status == 429


async def replayed(request: ApiRequest) -> Answer:
    chunks = [{"candidates": [{"content": {"parts": [{"text": f"part {i}"}], "role": "model"}, "index": 0}]} for i in range(4)]
    return Chunks(payloads=tuple(chunks), delays=(0.0, 0.05, 0.05, 0.05), origin="cassette")


@pytest.fixture
async def replay(aiohttp_client: Any) -> TestClient:
    app = create_app(Config())
    app[SOURCE] = FunctionSource(replayed)
    return await aiohttp_client(app)


async def test_replayed_stream_is_cut_at_its_recorded_chunk(replay: TestClient) -> None:
    response = await post(replay, SSE, "cut=2")
    received = b""
    with pytest.raises(aiohttp.ClientPayloadError):
        async for data in response.content.iter_any():
            received += data
    assert [json.loads(e[6:])["candidates"][0]["content"]["parts"][0]["text"] for e in sse_events(received)] == [
        "part 0",
        "part 1",
    ]


async def test_replayed_stream_keeps_its_timing_plus_latency(replay: TestClient) -> None:
    started = time.monotonic()
    events = sse_events(await (await post(replay, SSE, "latency=50ms")).read())
    assert len(events) == 4 and time.monotonic() - started >= 0.3
