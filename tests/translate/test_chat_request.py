from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from mockgem.errors import InvalidArgument
from mockgem.translate.chat_request import ChatOptions, model_id, to_generate_request

USER = [{"role": "user", "content": "Hi"}]


def chat(**fields: Any) -> dict[str, Any]:
    return {"model": "gemini-2.5-flash", "messages": USER, **fields}


def config_of(**fields: Any) -> dict[str, Any]:
    return dict(to_generate_request(chat(**fields)).request.get("generationConfig", {}))


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("gemini-2.5-flash", "gemini-2.5-flash"),
        ("models/gemini-2.5-flash", "gemini-2.5-flash"),
        ("google/gemini-2.5-flash", "gemini-2.5-flash"),
    ],
)
def test_model_id_strips_prefixes(given: str, expected: str) -> None:
    assert model_id(given) == expected


def test_to_generate_request_minimal() -> None:
    translation = to_generate_request(chat())
    assert translation.model == "gemini-2.5-flash"
    assert translation.request == {"contents": [{"role": "user", "parts": [{"text": "Hi"}]}]}
    assert translation.options == ChatOptions(model="gemini-2.5-flash")


def test_to_generate_request_keeps_the_client_model_name_for_answers() -> None:
    translation = to_generate_request(chat(model="google/gemini-2.5-flash"))
    assert (translation.model, translation.options.model) == ("gemini-2.5-flash", "google/gemini-2.5-flash")


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"temperature": 0.5}, {"temperature": 0.5}),
        ({"top_p": 0.9}, {"topP": 0.9}),
        ({"n": 2}, {"candidateCount": 2}),
        ({"seed": 7}, {"seed": 7}),
        ({"presence_penalty": 0.1}, {"presencePenalty": 0.1}),
        ({"frequency_penalty": 0.2}, {"frequencyPenalty": 0.2}),
        ({"max_tokens": 100}, {"maxOutputTokens": 100}),
        ({"max_completion_tokens": 50}, {"maxOutputTokens": 50}),
        ({"max_tokens": 100, "max_completion_tokens": 50}, {"maxOutputTokens": 50}),
        ({"stop": "END"}, {"stopSequences": ["END"]}),
        ({"stop": ["a", "b"]}, {"stopSequences": ["a", "b"]}),
        ({"temperature": None}, {}),
        ({"response_format": {"type": "text"}}, {}),
        ({"response_format": {"type": "json_object"}}, {"responseMimeType": "application/json"}),
        (
            {"response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object"}}}},
            {"responseMimeType": "application/json", "responseJsonSchema": {"type": "object"}},
        ),
        ({"modalities": ["text", "audio"]}, {"responseModalities": ["TEXT", "AUDIO"]}),
        (
            {"modalities": ["audio"], "audio": {"voice": "Kore", "format": "wav"}},
            {
                "responseModalities": ["AUDIO"],
                "speechConfig": {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Kore"}}},
            },
        ),
    ],
)
def test_to_generate_request_generation_config(fields: dict[str, Any], expected: dict[str, Any]) -> None:
    assert config_of(**fields) == expected


@pytest.mark.parametrize(
    ("model", "effort", "expected"),
    [
        ("gemini-2.5-flash", "none", {"thinkingBudget": 0}),
        ("gemini-2.5-flash", "minimal", {"thinkingBudget": 1024}),
        ("gemini-2.5-flash", "low", {"thinkingBudget": 1024}),
        ("gemini-2.5-flash", "medium", {"thinkingBudget": 8192}),
        ("gemini-2.5-pro", "high", {"thinkingBudget": 24576}),
        ("gemini-3-pro-preview", "none", {"thinkingLevel": "low"}),
        ("gemini-3-flash-preview", "minimal", {"thinkingLevel": "low"}),
        ("models/gemini-3-flash-preview", "low", {"thinkingLevel": "low"}),
        ("gemini-3.1-pro-preview", "medium", {"thinkingLevel": "high"}),
        ("google/gemini-3-pro-preview", "high", {"thinkingLevel": "high"}),
    ],
)
def test_to_generate_request_reasoning_effort(model: str, effort: str, expected: dict[str, Any]) -> None:
    assert config_of(model=model, reasoning_effort=effort)["thinkingConfig"] == expected


def test_to_generate_request_reasoning_effort_with_include_thoughts() -> None:
    request = chat(reasoning_effort="low", extra_body={"google": {"thinking_config": {"include_thoughts": True}}})
    translation = to_generate_request(request)
    config = translation.request["generationConfig"]
    assert config["thinkingConfig"] == {"includeThoughts": True, "thinkingBudget": 1024}
    assert translation.options.include_thoughts


@pytest.mark.parametrize("thinking", [{"thinking_budget": 100}, {"thinkingLevel": "low"}])
def test_to_generate_request_reasoning_effort_and_thinking_config_rejected(thinking: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgument) as raised:
        to_generate_request(chat(reasoning_effort="low", google={"thinking_config": thinking}))
    assert raised.value.message == "Request contains an invalid argument."


@pytest.mark.parametrize("effort", ["xhigh", "max", "lots"])
def test_to_generate_request_reasoning_effort_unknown_rejected(effort: str) -> None:
    with pytest.raises(InvalidArgument):
        to_generate_request(chat(reasoning_effort=effort))


GOOGLE = {
    "thinking_config": {"include_thoughts": True, "thinking_budget": 128},
    "cached_content": "cachedContents/c1",
    "thought_tag_marker": "think",
    "safety_settings": [{"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": "BLOCK_NONE"}],
}


@pytest.mark.parametrize(
    "fields",
    [
        {"extra_body": {"google": GOOGLE}},
        {"google": GOOGLE},
        {
            "google": {
                "thinkingConfig": {"includeThoughts": True, "thinkingBudget": 128},
                "cachedContent": "cachedContents/c1",
                "thoughtTagMarker": "think",
                "safetySettings": GOOGLE["safety_settings"],
            }
        },
    ],
    ids=["extra_body.google", "top-level google", "camelCase"],
)
def test_to_generate_request_google_extras(fields: dict[str, Any]) -> None:
    translation = to_generate_request(chat(**fields))
    request = translation.request
    assert request["generationConfig"]["thinkingConfig"] == {"includeThoughts": True, "thinkingBudget": 128}
    assert request["cachedContent"] == "cachedContents/c1"
    assert request["safetySettings"] == [{"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": "BLOCK_NONE"}]
    assert (translation.options.include_thoughts, translation.options.thought_tag) == (True, "think")


def test_to_generate_request_thinking_level_passes_through() -> None:
    config = config_of(google={"thinking_config": {"thinking_level": "high"}}, model="gemini-3-pro-preview")
    assert config["thinkingConfig"] == {"thinkingLevel": "high"}


@pytest.mark.parametrize(("default", "expected"), [("thought", "thought"), (None, None)])
def test_to_generate_request_default_thought_tag(default: str | None, expected: str | None) -> None:
    assert to_generate_request(chat(), default_thought_tag=default).options.thought_tag == expected


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"reasoning": {"effort": "low"}}, 'Unknown name "reasoning": Cannot find field.'),
        ({"functions": []}, 'Unknown name "functions": Cannot find field.'),
        ({"extra_body": {"foo": 1}}, "Unknown name \"foo\" at 'extra_body': Cannot find field."),
        ({"google": {"labels": {}}}, "Unknown name \"labels\" at 'google': Cannot find field."),
        (
            {"google": {"thinking_config": {"budget": 1}}},
            "Unknown name \"budget\" at 'google.thinking_config': Cannot find field.",
        ),
    ],
)
def test_to_generate_request_unknown_field_rejected(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidArgument) as raised:
        to_generate_request(chat(**fields))
    assert raised.value.message == f"Invalid JSON payload received. {message}"
    assert raised.value.code == 400
    assert raised.value.details[0]["fieldViolations"] == [{"description": raised.value.message}]


SDK_EXTRAS = {
    "stream": False,
    "stream_options": {"include_usage": True},
    "user": "u",
    "metadata": {"a": "b"},
    "store": False,
    "logprobs": False,
    "top_logprobs": 0,
    "parallel_tool_calls": False,
    "service_tier": "auto",
    "logit_bias": {},
    "prediction": None,
    "web_search_options": {},
    "prompt_cache_key": "k",
    "safety_identifier": "s",
    "verbosity": "low",
}


def test_to_generate_request_accepts_and_ignores_sdk_fields() -> None:
    assert to_generate_request(chat(**SDK_EXTRAS)).request == to_generate_request(chat()).request


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, ChatOptions(model="gemini-2.5-flash")),
        (
            {"stream": True, "stream_options": {"include_usage": True}, "n": 2},
            ChatOptions(model="gemini-2.5-flash", stream=True, include_usage=True, n=2),
        ),
    ],
)
def test_to_generate_request_options(fields: dict[str, Any], expected: ChatOptions) -> None:
    assert to_generate_request(chat(**fields)).options == expected


TOOL = {"type": "function", "function": {"name": "f", "description": "d", "parameters": {"type": "object"}}}


def test_to_generate_request_tools() -> None:
    tools = [TOOL, {"type": "function", "function": {"name": "g"}}]
    request = to_generate_request(chat(tools=tools)).request
    assert request["tools"] == [
        {
            "functionDeclarations": [
                {"name": "f", "description": "d", "parametersJsonSchema": {"type": "object"}},
                {"name": "g"},
            ]
        }
    ]


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("auto", {"mode": "AUTO"}),
        ("none", {"mode": "NONE"}),
        ("required", {"mode": "ANY"}),
        ({"type": "function", "function": {"name": "f"}}, {"mode": "ANY", "allowedFunctionNames": ["f"]}),
        (
            {"type": "allowed_tools", "allowed_tools": {"mode": "required", "tools": [TOOL]}},
            {"mode": "ANY", "allowedFunctionNames": ["f"]},
        ),
    ],
)
def test_to_generate_request_tool_choice(choice: Any, expected: dict[str, Any]) -> None:
    request = to_generate_request(chat(tools=[TOOL], tool_choice=choice)).request
    assert request["toolConfig"] == {"functionCallingConfig": expected}


@pytest.mark.parametrize(
    "fields",
    [
        {"model": None},
        {"messages": []},
        {"tools": [{"type": "custom", "custom": {"name": "x"}}]},
        {"tool_choice": "sometimes"},
        {"response_format": {"type": "yaml"}},
        {"extra_body": "google"},
        {"stream_options": "x", "stream": True},
        {"stream_options": [True]},
        {"audio": "Kore"},
        {"google": "x"},
        {"extra_body": {"google": 5}},
        {"google": {"thinking_config": "x"}},
        {"tool_choice": {"type": "function", "function": "f"}},
        {"tool_choice": {"type": "allowed_tools", "allowed_tools": "x"}},
        {"tool_choice": {"type": "allowed_tools", "allowed_tools": {"tools": [{"function": "f"}]}}},
        {"modalities": "text"},
        {"response_format": {"type": "json_schema", "json_schema": "x"}},
        {"reasoning_effort": ["low"]},
        {"tools": 5},
    ],
)
def test_to_generate_request_invalid_rejected(fields: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgument):
        to_generate_request(chat(**fields))


class Step(BaseModel):
    explanation: str


class Solution(BaseModel):
    steps: list[Step]
    answer: int


def test_to_generate_request_reads_the_sdk_parse_response_format() -> None:
    from openai.lib._parsing._completions import type_to_response_format_param

    response_format = type_to_response_format_param(Solution)
    config = config_of(response_format=response_format)
    schema = config["responseJsonSchema"]
    assert config["responseMimeType"] == "application/json"
    assert schema["properties"]["steps"]["items"] == {"$ref": "#/$defs/Step"}
    assert schema["additionalProperties"] is False
