"""Value checks as the real API makes them: enum values and content roles, direct and through google-genai."""

from __future__ import annotations

from typing import Any

import pytest
from google import genai
from google.genai import errors, types

from mockgem import MockGemServer
from mockgem.errors import InvalidArgument
from mockgem.protocol.validation import validate_request

TEXT = {"parts": [{"text": "hi"}]}
V1BETA = "type.googleapis.com/google.ai.generativelanguage.v1beta"


@pytest.mark.parametrize(
    ("action", "body", "message"),
    [
        ("generateContent", {"contents": [TEXT], "safetySettings": [{"category": "NOPE"}]},
         f"Invalid value at 'safety_settings[0].category' ({V1BETA}.HarmCategory), \"NOPE\""),
        ("generateContent", {"contents": [TEXT], "safetySettings": [{"threshold": True}]},
         f"Invalid value at 'safety_settings[0].threshold' ({V1BETA}.SafetySetting.HarmBlockThreshold), true"),
        ("countTokens", {"generateContentRequest": {"contents": [TEXT], "generationConfig": {"mediaResolution": "x"}}},
         f"Invalid value at 'generate_content_request.generation_config.media_resolution' ({V1BETA}.GenerationConfig.MediaResolution), \"x\""),
        ("batchEmbedContents", {"requests": [{"content": TEXT, "task_type": "SEARCH"}]},
         f"Invalid value at 'requests[0].task_type' ({V1BETA}.TaskType), \"SEARCH\""),
        ("cachedContents.create", {"toolConfig": {"functionCallingConfig": {"mode": "ALWAYS"}}},
         f"Invalid value at 'cached_content.tool_config.function_calling_config.mode' ({V1BETA}.FunctionCallingConfig.Mode), \"ALWAYS\""),
        ("generateContent", {"contents": [{**TEXT, "role": "assistant"}]}, "Please use a valid role: user, model."),
        ("cachedContents.patch", {"contents": [{**TEXT, "role": "tool"}]}, "Please use a valid role: user, model."),
    ],
)
def test_validate_request_refuses_values_the_real_api_refuses(action: str, body: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        validate_request(action, body)
    assert refused.value.message == message


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("generateContent", {"contents": [{**TEXT, "role": "model"}, {**TEXT, "role": ""}, TEXT]}),
        ("generateContent", {"contents": [TEXT], "toolConfig": {"functionCallingConfig": {"mode": "any", "allowedFunctionNames": ["f"]}}}),
        ("generateContent", {"contents": [TEXT], "safetySettings": [{"category": 10, "threshold": "OFF", "method": "SEVERITY"}]}),
        ("generateContent", {"contents": [TEXT], "generationConfig": {"thinkingConfig": {"thinkingLevel": "low"}}}),
        ("embedContent", {"content": TEXT, "taskType": "retrieval_query"}),
        ("countTokens", {"contents": [TEXT], "generateContentRequest": {"contents": [TEXT]}}),  # the schema: contents is then ignored
    ],
)
def test_validate_request_accepts_what_the_real_api_accepts(action: str, body: dict[str, Any]) -> None:
    validate_request(action, body)


@pytest.fixture
def client(server: MockGemServer) -> genai.Client:
    return genai.Client(api_key="k", http_options=types.HttpOptions(base_url=server.url))


@pytest.mark.filterwarnings("ignore:NOPE is not a valid HarmCategory:UserWarning")
def test_sdk_unknown_harm_category_raises_client_error(client: genai.Client) -> None:
    config = types.GenerateContentConfig(safety_settings=[{"category": "NOPE", "threshold": "BLOCK_NONE"}])  # type: ignore[list-item]
    with pytest.raises(errors.ClientError) as raised:
        client.models.generate_content(model="gemini-2.5-flash", contents="hi", config=config)
    assert raised.value.code == 400 and raised.value.status == "INVALID_ARGUMENT"
    assert raised.value.message == f"Invalid value at 'safety_settings[0].category' ({V1BETA}.HarmCategory), \"NOPE\""


def test_sdk_unknown_task_type_raises_client_error(client: genai.Client) -> None:
    with pytest.raises(errors.ClientError) as raised:
        client.models.embed_content(
            model="gemini-embedding-001", contents="hi", config=types.EmbedContentConfig(task_type="NOPE")
        )
    assert raised.value.code == 400 and "TaskType), \"NOPE\"" in str(raised.value.message)


def test_sdk_assistant_role_raises_client_error(client: genai.Client) -> None:
    contents = [types.Content(role="assistant", parts=[types.Part(text="hi")])]
    with pytest.raises(errors.ClientError) as raised:
        client.models.generate_content(model="gemini-2.5-flash", contents=contents)
    assert raised.value.code == 400 and raised.value.message == "Please use a valid role: user, model."


def test_sdk_enum_values_it_sends_are_accepted(client: genai.Client) -> None:
    config = types.GenerateContentConfig(
        safety_settings=[types.SafetySetting(
                category=types.HarmCategory.HARM_CATEGORY_HARASSMENT, threshold=types.HarmBlockThreshold.BLOCK_ONLY_HIGH
            )],
        media_resolution=types.MediaResolution.MEDIA_RESOLUTION_LOW,
        response_modalities=["TEXT"],
        tool_config=types.ToolConfig(function_calling_config=types.FunctionCallingConfig(mode=types.FunctionCallingConfigMode.AUTO)),
    )
    response = client.models.generate_content(model="gemini-2.5-flash", contents="hi", config=config)
    assert response.text


@pytest.mark.parametrize(
    ("enum", "field"),
    [
        (types.HarmCategory, "category"),
        (types.HarmBlockThreshold, "threshold"),
    ],
)
def test_every_value_the_sdk_knows_is_accepted(enum: Any, field: str) -> None:
    for value in enum:
        setting = {"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE", field: value.value}
        validate_request("generateContent", {"contents": [{"parts": [{"text": "hi"}]}], "safetySettings": [setting]})
