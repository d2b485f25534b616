"""The openai SDK against mockgem's OpenAI-compatible surface over a real socket."""

from __future__ import annotations

import base64
import json
import struct
from collections.abc import Callable
from typing import Any

import openai
import pytest
from google.genai import types
from pydantic import BaseModel

from mockgem import MockGemServer
from tests.clients.conftest import genai_client

MODEL = "gemini-2.5-flash"


def openai_client(server: MockGemServer, **options: Any) -> openai.OpenAI:
    return openai.OpenAI(api_key="test-key", base_url=server.openai_base_url, **options)


@pytest.fixture
def oai(server: MockGemServer) -> openai.OpenAI:
    return openai_client(server, max_retries=0)


def say(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


def test_create_answers_from_rules(oai: openai.OpenAI) -> None:
    completion = oai.chat.completions.create(model=MODEL, messages=say("weather?"))
    choice = completion.choices[0]
    assert choice.message.content == "Sunny, 21 C" and choice.finish_reason == "stop"
    assert completion.usage.total_tokens == completion.usage.prompt_tokens + completion.usage.completion_tokens
    assert completion.model == MODEL


async def test_create_async(server: MockGemServer) -> None:
    client = openai.AsyncOpenAI(api_key="k", base_url=server.openai_base_url)
    completion = await client.chat.completions.create(model=MODEL, messages=[{"role": "system", "content": "be brief"}, *say("weather")])
    assert completion.choices[0].message.content == "Sunny, 21 C"


def test_stream_with_usage_on_the_last_chunk(oai: openai.OpenAI) -> None:
    stream = oai.chat.completions.create(model=MODEL, messages=say("a long story"), stream=True, stream_options={"include_usage": True})
    chunks = list(stream)
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text.startswith("Once upon a time")
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0
    assert all(c.usage is None for c in chunks[:-1])


async def test_stream_async(server: MockGemServer) -> None:
    client = openai.AsyncOpenAI(api_key="k", base_url=server.openai_base_url)
    stream = await client.chat.completions.create(model=MODEL, messages=say("weather"), stream=True)
    text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
    assert text == "Sunny, 21 C"


def test_stream_helper_with_tool_calls(oai: openai.OpenAI) -> None:
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]
    with oai.chat.completions.stream(model=MODEL, messages=say("call paris"), tools=tools) as stream:
        final = stream.get_final_completion()
    call = final.choices[0].message.tool_calls[0]
    assert call.function.name == "get_weather" and json.loads(call.function.arguments) == {"city": "Paris"}
    assert call.id


class Thing(BaseModel):
    name: str
    items: list[int]


def test_parse_with_a_pydantic_model(oai: openai.OpenAI) -> None:
    completion = oai.chat.completions.parse(model=MODEL, messages=say("json please"), response_format=Thing)
    assert completion.choices[0].message.parsed == Thing(name="x", items=[1, 2])


def test_beta_parse_with_a_pydantic_model(oai: openai.OpenAI) -> None:
    completion = oai.beta.chat.completions.parse(model=MODEL, messages=say("json please"), response_format=Thing)
    assert completion.choices[0].message.parsed == Thing(name="x", items=[1, 2])


def test_tool_round_trip_echoes_thought_signatures(make_server: Callable[..., MockGemServer]) -> None:
    rules = {"rules": [{"match": {"contains": "weather"}, "reply": {"function_calls": [{"name": "get_weather", "args": {"city": "Paris"}}]}, "times": 1}], "default": {"text": "It is sunny in Paris."}}
    client = openai_client(make_server(rules=rules), max_retries=0)
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]
    messages: list[Any] = say("weather in Paris?")
    first = client.chat.completions.create(model="gemini-3-flash-preview", messages=messages, tools=tools)
    call = first.choices[0].message.tool_calls[0]
    assert first.choices[0].finish_reason == "tool_calls"
    signature = call.model_extra["extra_content"]["google"]["thought_signature"]
    assert signature
    stripped = {"role": "assistant", "tool_calls": [{"id": call.id, "type": "function", "function": {"name": "get_weather", "arguments": call.function.arguments}}]}
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="gemini-3-flash-preview", tools=tools, messages=[*messages, stripped, {"role": "tool", "tool_call_id": call.id, "content": "sunny"}])
    echoed = first.choices[0].message.model_dump(exclude_none=True)
    second = client.chat.completions.create(model="gemini-3-flash-preview", tools=tools, messages=[*messages, echoed, {"role": "tool", "tool_call_id": call.id, "content": "sunny"}])
    assert second.choices[0].message.content == "It is sunny in Paris."


def decode(embedding: list[float] | str) -> list[float]:
    if isinstance(embedding, list):
        return embedding
    raw = base64.b64decode(embedding)
    return list(struct.unpack(f"<{len(raw) // 4}f", raw))


@pytest.mark.parametrize("encoding_format", ["float", "base64", None])
def test_embeddings(oai: openai.OpenAI, encoding_format: str | None) -> None:
    extra = {"encoding_format": encoding_format} if encoding_format else {}
    response = oai.embeddings.create(model="gemini-embedding-001", input=["a", "b"], dimensions=8, **extra)
    # Asked for explicitly, base64 comes back as the string; by default the SDK decodes it.
    vectors = [decode(item.embedding) for item in response.data]
    assert [len(v) for v in vectors] == [8, 8] and vectors[0] != vectors[1]
    assert response.usage.prompt_tokens == response.usage.total_tokens == 2
    again = oai.embeddings.create(model="gemini-embedding-001", input="a", dimensions=8, encoding_format="float")
    assert again.data[0].embedding == pytest.approx(vectors[0])


def test_models_list_and_retrieve(oai: openai.OpenAI) -> None:
    ids = [model.id for model in oai.models.list()]
    assert "models/gemini-2.5-flash" in ids
    assert oai.models.retrieve("gemini-2.5-flash").id == "models/gemini-2.5-flash"


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda c: c.chat.completions.create(model=MODEL, messages=say("over quota")), openai.RateLimitError),
        (lambda c: c.chat.completions.create(model="gemini-0-nope", messages=say("hi")), openai.NotFoundError),
        (lambda c: c.chat.completions.create(model=MODEL, messages=say("hi"), extra_body={"reasoning": 1}), openai.BadRequestError),
        (lambda c: c.models.retrieve("gemini-0-nope"), openai.NotFoundError),
    ],
)
def test_errors_are_the_sdks_own_classes(oai: openai.OpenAI, call: Callable[[openai.OpenAI], Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        call(oai)


def test_server_error_is_internal_server_error(make_server: Callable[..., MockGemServer]) -> None:
    client = openai_client(make_server(rules={"rules": [{"reply": {"error": {"code": 503}}}]}), max_retries=0)
    with pytest.raises(openai.InternalServerError) as caught:
        client.chat.completions.create(model=MODEL, messages=say("hi"))
    assert caught.value.status_code == 503


def test_vertex_openapi_endpoint(server: MockGemServer) -> None:
    base = f"{server.url}/v1beta1/projects/p/locations/us-central1/endpoints/openapi"
    client = openai.OpenAI(api_key="fake-token", base_url=base)
    completion = client.chat.completions.create(model="google/gemini-2.5-flash", messages=say("weather"))
    assert completion.choices[0].message.content == "Sunny, 21 C"
    assert completion.model == "google/gemini-2.5-flash"


def test_one_rule_answers_both_sdks_alike(server: MockGemServer, oai: openai.OpenAI) -> None:
    client = genai_client(server)
    native = client.models.generate_content(model=MODEL, contents="weather", config=types.GenerateContentConfig(candidate_count=1))
    compat = oai.chat.completions.create(model=MODEL, messages=say("weather"))
    assert native.text == compat.choices[0].message.content == "Sunny, 21 C"
    assert native.usage_metadata.prompt_token_count == compat.usage.prompt_tokens
