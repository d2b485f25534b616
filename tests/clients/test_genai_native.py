"""The google-genai SDK against mockgem over a real socket: every native method."""

from __future__ import annotations

import json

import pytest
from google import genai
from google.genai import errors, types
from pydantic import BaseModel

from mockgem import MockGemServer
from tests.clients.conftest import genai_client

MODEL = "gemini-2.5-flash"


@pytest.mark.parametrize("api_version", ["v1", "v1beta"])
def test_generate_content_answers_matching_rule(server: MockGemServer, api_version: str) -> None:
    client = genai_client(server, api_version)
    response = client.models.generate_content(model=MODEL, contents="What's the weather?")
    assert response.text == "Sunny, 21 C"
    assert response.candidates[0].finish_reason == types.FinishReason.STOP
    assert response.usage_metadata.total_token_count == (
        response.usage_metadata.prompt_token_count + response.usage_metadata.candidates_token_count
    )
    assert response.model_version == MODEL
    assert response.response_id


def test_generate_content_default_reply_for_unmatched_text(client: genai.Client) -> None:
    assert client.models.generate_content(model=MODEL, contents="hello").text == "Hello from mockgem."


async def test_generate_content_async(client: genai.Client) -> None:
    response = await client.aio.models.generate_content(model=MODEL, contents="weather today")
    assert response.text == "Sunny, 21 C"


def test_stream_yields_chunks_of_one_response(client: genai.Client) -> None:
    chunks = list(client.models.generate_content_stream(model=MODEL, contents="tell me a long story"))
    assert len(chunks) == 5
    assert "".join(c.text for c in chunks).startswith("Once upon a time")
    assert len({c.response_id for c in chunks}) == 1
    assert [c.candidates[0].finish_reason for c in chunks][-1] == types.FinishReason.STOP
    assert all(c.candidates[0].finish_reason is None for c in chunks[:-1])
    counts = [c.usage_metadata.candidates_token_count or 0 for c in chunks]
    assert counts == sorted(counts)


async def test_stream_async(client: genai.Client) -> None:
    stream = await client.aio.models.generate_content_stream(model=MODEL, contents="weather")
    texts = [chunk.text async for chunk in stream]
    assert "".join(texts) == "Sunny, 21 C"


def test_count_tokens_agrees_with_usage_metadata(client: genai.Client) -> None:
    text = "How many tokens is this sentence, roughly speaking?"
    counted = client.models.count_tokens(model=MODEL, contents=text)
    usage = client.models.generate_content(model=MODEL, contents=text).usage_metadata
    assert counted.total_tokens == usage.prompt_token_count > 0


def test_embed_content_is_deterministic_with_dimensions(client: genai.Client) -> None:
    config = types.EmbedContentConfig(output_dimensionality=8)
    first = client.models.embed_content(model="gemini-embedding-001", contents=["a", "b"], config=config)
    again = client.models.embed_content(model="gemini-embedding-001", contents=["a"], config=config)
    assert [len(e.values) for e in first.embeddings] == [8, 8]
    assert first.embeddings[0].values == again.embeddings[0].values
    assert first.embeddings[0].values != first.embeddings[1].values


def test_models_list_pages_to_the_end(client: genai.Client) -> None:
    names = [model.name for model in client.models.list(config={"page_size": 3})]
    assert "models/gemini-2.5-flash" in names
    assert len(names) == len(set(names)) > 3


def test_models_get_and_unknown_model(client: genai.Client) -> None:
    model = client.models.get(model=MODEL)
    assert model.input_token_limit == 1_048_576 and model.display_name == "Gemini 2.5 Flash"
    with pytest.raises(errors.ClientError) as caught:
        client.models.get(model="gemini-0-nope")
    assert caught.value.code == 404 and caught.value.status == "NOT_FOUND"


def test_generate_with_unknown_model_is_not_found(client: genai.Client) -> None:
    with pytest.raises(errors.ClientError) as caught:
        client.models.generate_content(model="gemini-0-nope", contents="hi")
    assert caught.value.code == 404
    assert "Call ListModels" in caught.value.message


def test_function_call_reply(client: genai.Client) -> None:
    response = client.models.generate_content(model=MODEL, contents="call paris")
    assert response.function_calls[0].name == "get_weather"
    assert response.function_calls[0].args == {"city": "Paris"}


def test_thoughts_only_when_included(client: genai.Client) -> None:
    with_thoughts = types.GenerateContentConfig(thinking_config=types.ThinkingConfig(include_thoughts=True))
    response = client.models.generate_content(model=MODEL, contents="think hard", config=with_thoughts)
    parts = response.candidates[0].content.parts
    assert [bool(p.thought) for p in parts] == [True, False]
    assert response.text == "42"
    assert response.usage_metadata.thoughts_token_count > 0
    plain = client.models.generate_content(model=MODEL, contents="think hard")
    assert [bool(p.thought) for p in plain.candidates[0].content.parts] == [False]


class Thing(BaseModel):
    name: str
    items: list[int]


def test_json_reply_parses_with_response_schema(client: genai.Client) -> None:
    config = types.GenerateContentConfig(response_mime_type="application/json", response_schema=Thing)
    response = client.models.generate_content(model=MODEL, contents="json please", config=config)
    assert json.loads(response.text) == {"name": "x", "items": [1, 2]}
    assert response.parsed == Thing(name="x", items=[1, 2])


def test_error_reply_raises_client_error_with_quota_details(client: genai.Client) -> None:
    with pytest.raises(errors.ClientError) as caught:
        client.models.generate_content(model=MODEL, contents="over quota")
    assert caught.value.code == 429 and caught.value.status == "RESOURCE_EXHAUSTED"
    kinds = [d["@type"].rsplit(".", 1)[-1] for d in caught.value.details["error"]["details"]]
    assert kinds == ["Help", "QuotaFailure", "RetryInfo"]


def test_server_error_reply_raises_server_error(make_server) -> None:  # type: ignore[no-untyped-def]
    server = make_server(rules={"rules": [{"reply": {"error": {"code": 503}}}]})
    client = genai_client(server)
    with pytest.raises(errors.ServerError) as caught:
        client.models.generate_content(model=MODEL, contents="hi")
    assert caught.value.code == 503 and caught.value.status == "UNAVAILABLE"


def test_times_limits_a_rule(client: genai.Client) -> None:
    first = client.models.generate_content(model=MODEL, contents="cut")
    assert first.candidates[0].finish_reason == types.FinishReason.MAX_TOKENS
    second = client.models.generate_content(model=MODEL, contents="cut")
    assert second.text == "Hello from mockgem."


def test_max_output_tokens_truncates(client: genai.Client) -> None:
    config = types.GenerateContentConfig(max_output_tokens=2)
    response = client.models.generate_content(model=MODEL, contents="tell me a long story", config=config)
    assert response.candidates[0].finish_reason == types.FinishReason.MAX_TOKENS
    assert len(response.text) <= 8


def test_candidate_count(client: genai.Client) -> None:
    config = types.GenerateContentConfig(candidate_count=2)
    response = client.models.generate_content(model=MODEL, contents="weather", config=config)
    assert [c.index for c in response.candidates] == [0, 1]


def test_multimodal_and_function_turns_are_accepted(client: genai.Client) -> None:
    contents = [
        types.Content(role="user", parts=[types.Part.from_text(text="look"), types.Part.from_bytes(data=b"\x89PNG", mime_type="image/png")]),
        types.Content(role="model", parts=[types.Part(function_call=types.FunctionCall(name="f", args={"a_b": 1}), thought_signature=b"sig")]),
        types.Content(role="user", parts=[types.Part.from_function_response(name="f", response={"r": 1})]),
    ]
    config = types.GenerateContentConfig(
        system_instruction="be nice",
        tools=[types.Tool(function_declarations=[types.FunctionDeclaration(name="f", description="d", parameters_json_schema={"type": "object", "properties": {"a_b": {"type": "integer"}}})])],
        thinking_config=types.ThinkingConfig(include_thoughts=True, thinking_budget=128),
        safety_settings=[types.SafetySetting(category="HARM_CATEGORY_HATE_SPEECH", threshold="BLOCK_NONE")],
    )
    assert client.models.generate_content(model=MODEL, contents=contents, config=config).text


def test_invalid_argument_raises_client_error(client: genai.Client) -> None:
    with pytest.raises(errors.ClientError) as caught:
        client.models.generate_content(model=MODEL, contents=[types.Content(role="user", parts=[])])
    assert caught.value.code == 400 and caught.value.status == "INVALID_ARGUMENT"
    assert "parts must not be empty" in caught.value.message


def test_raw_reply_is_served_as_given(make_server) -> None:  # type: ignore[no-untyped-def]
    raw = {"candidates": [{"content": {"parts": [{"text": "verbatim"}], "role": "model"}, "finishReason": "RECITATION", "index": 0}], "modelVersion": "custom"}
    client = genai_client(make_server(rules={"rules": [{"match": {"contains": "raw"}, "reply": {"raw": raw}}]}))
    response = client.models.generate_content(model=MODEL, contents="raw please")
    assert response.candidates[0].finish_reason == types.FinishReason.RECITATION
    assert response.model_version == "custom"


def test_several_rules_files_first_match_wins(make_server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text("rules:\n  - match: {contains: hi}\n    reply: {text: from a}\n")
    second.write_text("rules:\n  - match: {contains: hi}\n    reply: {text: from b}\n  - match: {contains: bye}\n    reply: {text: b says bye}\n")
    client = genai_client(make_server(rules=[first, second]))
    assert client.models.generate_content(model=MODEL, contents="hi").text == "from a"
    assert client.models.generate_content(model=MODEL, contents="bye").text == "b says bye"
