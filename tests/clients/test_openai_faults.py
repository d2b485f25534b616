"""The openai SDK on the OpenAI-compatible surface on a bad day: its default retries, stream errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import openai
import pytest

from mockgem import MockGemServer

MODEL = "gemini-2.5-flash"
SAY = [{"role": "user", "content": "tell me a long story"}]


def openai_client(server: MockGemServer, fault: str | None = None, **options: Any) -> openai.OpenAI:
    headers = {"X-Mockgem-Fault": fault} if fault else None
    return openai.OpenAI(api_key="test-key", base_url=server.openai_base_url, default_headers=headers, **options)


def failing_first(fault: str, times: int) -> dict[str, Any]:
    return {"rules": [{"fault": fault, "times": times}, {"reply": {"text": "recovered"}}]}


@pytest.mark.parametrize("fault", ["429", "503"])
def test_default_retries_recover_from_two_errors(make_server: Callable[..., MockGemServer], fault: str) -> None:
    client = openai_client(make_server(rules=failing_first(fault, 2)))
    completion = client.chat.completions.create(model=MODEL, messages=SAY)
    assert completion.choices[0].message.content == "recovered"


@pytest.mark.parametrize(("fault", "error"), [("429", openai.RateLimitError), ("503", openai.InternalServerError)])
def test_retries_give_up_after_max_retries(
    make_server: Callable[..., MockGemServer], fault: str, error: type[openai.APIStatusError]
) -> None:
    server = make_server(rules=failing_first(fault, 2))
    with pytest.raises(error) as caught:
        openai_client(server, max_retries=1).chat.completions.create(model=MODEL, messages=SAY)
    assert caught.value.status_code == int(fault)
    assert isinstance(caught.value.body, list) and caught.value.body[0]["error"]["code"] == int(fault)
    assert openai_client(server, max_retries=0).chat.completions.create(model=MODEL, messages=SAY)


def test_stream_error_chunk_raises_api_error(server: MockGemServer) -> None:
    client = openai_client(server, "error-at=2:500", max_retries=0)
    received = []
    with pytest.raises(openai.APIError) as caught:
        for chunk in client.chat.completions.create(model=MODEL, messages=SAY, stream=True):
            received.append(chunk)
    assert len(received) == 2 and "internal error" in caught.value.message


def test_cut_stream_is_a_failure_for_the_client(server: MockGemServer) -> None:
    client = openai_client(server, "cut=2", max_retries=0)
    received = []
    with pytest.raises(openai.APIConnectionError) as caught:
        for chunk in client.chat.completions.create(model=MODEL, messages=SAY, stream=True):
            received.append(chunk)
    assert len(received) == 2 and "incomplete chunked read" in str(caught.value.__cause__)


def test_blocked_prompt_is_a_content_filter_finish(server: MockGemServer) -> None:
    client = openai_client(server, "finish=SAFETY", max_retries=0)
    completion = client.chat.completions.create(model=MODEL, messages=SAY)
    assert completion.choices[0].finish_reason == "content_filter"


def test_header_faults_reach_embeddings(server: MockGemServer) -> None:
    client = openai_client(server, fault="503", max_retries=0)
    with pytest.raises(openai.InternalServerError) as caught:
        client.embeddings.create(model="gemini-embedding-001", input="hi")
    assert caught.value.status_code == 503
