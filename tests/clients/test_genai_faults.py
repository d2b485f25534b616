"""The google-genai SDK on a bad day: retries on 429 and 503, mid-stream errors, cut streams."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx2
import pytest
from google import genai
from google.genai import errors, types

from mockgem import MockGemServer

MODEL = "gemini-2.5-flash"
STORY = "tell me a long story"
RECOVERED = {"reply": {"text": "recovered"}}


def client_for(server: MockGemServer, *, attempts: int | None = None, fault: str | None = None) -> genai.Client:
    retry = types.HttpRetryOptions(attempts=attempts, initial_delay=0.01, max_delay=0.05) if attempts else None
    headers = {"X-Mockgem-Fault": fault} if fault else None
    options = types.HttpOptions(base_url=server.url, retry_options=retry, headers=headers)
    return genai.Client(api_key="test-key", http_options=options)


def failing_first(fault: str, times: int) -> dict[str, Any]:
    return {"rules": [{"fault": fault, "times": times}, RECOVERED]}


@pytest.mark.parametrize("fault", ["429", "503", "500"])
def test_retry_options_recover_from_a_passing_error(make_server: Callable[..., MockGemServer], fault: str) -> None:
    server = make_server(rules=failing_first(fault, 2))
    client = client_for(server, attempts=3)
    response = client.models.generate_content(model=MODEL, contents="hi")
    assert response.text == "recovered"


@pytest.mark.parametrize(("fault", "error"), [("429", errors.ClientError), ("503", errors.ServerError)])
def test_retry_options_give_up_after_their_attempts(
    make_server: Callable[..., MockGemServer], fault: str, error: type[errors.APIError]
) -> None:
    server = make_server(rules=failing_first(fault, 3))
    client = client_for(server, attempts=3)
    with pytest.raises(error) as caught:
        client.models.generate_content(model=MODEL, contents="hi")
    assert caught.value.code == int(fault)
    plain_client = client_for(server)
    assert plain_client.models.generate_content(model=MODEL, contents="hi").text == "recovered"


async def test_async_client_retries_too(make_server: Callable[..., MockGemServer]) -> None:
    server = make_server(rules=failing_first("503", 1))
    client = client_for(server, attempts=2)
    response = await client.aio.models.generate_content(model=MODEL, contents="hi")
    assert response.text == "recovered"


def test_429_error_carries_the_retry_delay(server: MockGemServer) -> None:
    client = client_for(server, fault="429=7s")
    with pytest.raises(errors.ClientError) as caught:
        client.models.generate_content(model=MODEL, contents="hi")
    assert (caught.value.code, caught.value.status) == (429, "RESOURCE_EXHAUSTED")
    retry_info = caught.value.details["error"]["details"][2]
    assert retry_info == {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "7s"}


def test_quota_refuses_the_request_over_the_limit(make_server: Callable[..., MockGemServer]) -> None:
    server = make_server(quotas=(f"{MODEL}:rpm=1",))
    client = client_for(server)
    client.models.generate_content(model=MODEL, contents="hi")
    with pytest.raises(errors.ClientError) as caught:
        client.models.generate_content(model=MODEL, contents="hi")
    assert caught.value.code == 429 and "limit: 1, model: gemini-2.5-flash" in caught.value.message


def test_mid_stream_error_chunk_raises_after_the_first_chunks(server: MockGemServer) -> None:
    received = []
    client = client_for(server, fault="error-at=2:500")
    with pytest.raises(errors.ServerError) as caught:
        for chunk in client.models.generate_content_stream(model=MODEL, contents=STORY):
            received.append(chunk.text)
    assert len(received) == 2 and (caught.value.code, caught.value.status) == (500, "INTERNAL")


def test_cut_stream_is_a_failure_for_the_client(server: MockGemServer) -> None:
    received = []
    client = client_for(server, fault="cut=3")
    with pytest.raises(httpx2.RemoteProtocolError):
        for chunk in client.models.generate_content_stream(model=MODEL, contents=STORY):
            received.append(chunk.text)
    assert len(received) == 3


def test_malformed_chunk_is_an_unknown_response(server: MockGemServer) -> None:
    client = client_for(server, fault="malformed-at=1")
    with pytest.raises(errors.UnknownApiResponseError):
        list(client.models.generate_content_stream(model=MODEL, contents=STORY))


def test_reset_is_a_connection_error(server: MockGemServer) -> None:
    client = client_for(server, fault="reset")
    with pytest.raises(httpx2.TransportError):
        client.models.generate_content(model=MODEL, contents="hi")


def test_blocked_prompt_has_no_text(server: MockGemServer) -> None:
    client = client_for(server, fault="block=SAFETY")
    response = client.models.generate_content(model=MODEL, contents="hi")
    assert response.prompt_feedback.block_reason == types.BlockedReason.SAFETY
    assert response.text is None and not response.candidates


def test_finish_reason_fault_reaches_the_sdk(server: MockGemServer) -> None:
    client = client_for(server, fault="finish=SAFETY")
    response = client.models.generate_content(model=MODEL, contents="hi")
    candidate = response.candidates[0]
    assert candidate.finish_reason == types.FinishReason.SAFETY and candidate.content is None
    assert any(rating.blocked for rating in candidate.safety_ratings)


def outcomes(server: MockGemServer, count: int = 20) -> list[str]:
    client = client_for(server)
    seen = []
    for _ in range(count):
        try:
            seen.append(client.models.generate_content(model=MODEL, contents="hi").text or "")
        except errors.APIError as exc:
            seen.append(str(exc.code))
    return seen


def test_same_seed_gives_the_same_faults(make_server: Callable[..., MockGemServer]) -> None:
    settings: dict[str, Any] = {"faults": ("503@0.3", "429@0.3"), "seed": 1234}
    first = outcomes(make_server(**settings))
    assert first == outcomes(make_server(**settings))
    assert {"503", "429"} <= set(first) and len(set(first)) == 3


@pytest.mark.parametrize(
    "call",
    [
        lambda client: client.models.count_tokens(model=MODEL, contents="hi"),
        lambda client: client.models.embed_content(model="gemini-embedding-001", contents="hi"),
        lambda client: client.models.embed_content(model="gemini-embedding-001", contents=["a", "b"]),
    ],
)
def test_header_faults_reach_count_and_embed_calls(server: MockGemServer, call: Callable[[genai.Client], object]) -> None:
    with pytest.raises(errors.ServerError) as caught:
        call(client_for(server, fault="503"))
    assert caught.value.code == 503
    assert server.requests.last is not None and server.requests.last.faults == ("503",)


def test_quotas_do_not_count_embed_calls(make_server: Callable[..., MockGemServer]) -> None:
    server = make_server(quotas=("*:rpm=1",))
    client = client_for(server)
    for _ in range(3):
        client.models.embed_content(model="gemini-embedding-001", contents="hi")
    assert server.stats["statuses"] == {"200": 3}
