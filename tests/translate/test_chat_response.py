from __future__ import annotations

import json
from typing import Any

import pytest
from openai.types.chat import ChatCompletion

from mockgem.translate.chat_request import ChatOptions
from mockgem.translate.chat_response import (
    ID_ALPHABET,
    chat_usage,
    finish_reason,
    tagged,
    to_chat_completion,
    tool_call_id,
)

OPTIONS = ChatOptions(model="gemini-2.5-flash")
USAGE = {"promptTokenCount": 5, "candidatesTokenCount": 39, "totalTokenCount": 230, "thoughtsTokenCount": 186}


def response(*parts: dict[str, Any], finish: str = "STOP", **fields: Any) -> dict[str, Any]:
    candidate = {"content": {"role": "model", "parts": list(parts)}, "finishReason": finish, "index": 0}
    return {"candidates": [candidate], "usageMetadata": USAGE, "responseId": "AdVRaMmD", **fields}


def complete(gemini: dict[str, Any], options: ChatOptions = OPTIONS) -> dict[str, Any]:
    result = to_chat_completion(gemini, options, created=1740000000, fallback_id="chatcmpl-fallback")
    ChatCompletion.model_validate(result)  # the openai SDK's own model accepts it
    return result


def message(gemini: dict[str, Any], options: ChatOptions = OPTIONS) -> dict[str, Any]:
    return dict(complete(gemini, options)["choices"][0]["message"])


def test_to_chat_completion_text() -> None:
    result = complete(response({"text": "Hel"}, {"text": "lo"}))
    assert result == {
        "id": "AdVRaMmD",
        "object": "chat.completion",
        "created": 1740000000,
        "model": "gemini-2.5-flash",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello"}, "finish_reason": "stop"}],
        "usage": {
            "prompt_tokens": 5,
            "completion_tokens": 39,
            "total_tokens": 230,
            "completion_tokens_details": {"reasoning_tokens": 186},
        },
    }


def test_to_chat_completion_without_response_id_uses_the_fallback() -> None:
    gemini = response({"text": "x"})
    del gemini["responseId"]
    assert complete(gemini)["id"] == "chatcmpl-fallback"


THOUGHT = {"text": "**Thinking**", "thought": True}


@pytest.mark.parametrize(
    ("include", "tag", "content"),
    [
        (False, "thought", "Hello"),
        (True, "thought", "<thought>**Thinking**</thought>Hello"),
        (True, "think", "<think>**Thinking**</think>Hello"),
        (True, None, "**Thinking**Hello"),
    ],
)
def test_to_chat_completion_thoughts(include: bool, tag: str | None, content: str) -> None:
    options = ChatOptions(model="m", include_thoughts=include, thought_tag=tag)
    assert message(response(THOUGHT, {"text": "Hello"}), options)["content"] == content


def test_to_chat_completion_text_signature() -> None:
    got = message(response({"text": "Hi", "thoughtSignature": "c2ln"}))
    assert got["extra_content"] == {"google": {"thought_signature": "c2ln"}}


def test_to_chat_completion_tool_calls() -> None:
    gemini = response(
        {"functionCall": {"name": "weather", "args": {"city": "Paris"}}, "thoughtSignature": "c2ln"},
        {"functionCall": {"name": "weather", "args": {"city": "Rome"}, "id": "given-id"}},
    )
    result = complete(gemini)
    [choice] = result["choices"]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["content"] is None
    first, second = choice["message"]["tool_calls"]
    assert first == {
        "id": tool_call_id("AdVRaMmD/0", 0),
        "type": "function",
        "function": {"name": "weather", "arguments": '{"city":"Paris"}'},
        "extra_content": {"google": {"thought_signature": "c2ln"}},
    }
    assert second["id"] == "given-id"
    assert json.loads(second["function"]["arguments"]) == {"city": "Rome"}


def test_tool_call_id_is_stable_and_shaped_like_the_real_ones() -> None:
    ids = {tool_call_id("AdVRaMmD/0", n) for n in range(50)}
    assert len(ids) == 50
    assert all(len(i) == 8 and set(i) <= set(ID_ALPHABET) for i in ids)
    assert tool_call_id("x", 1) == tool_call_id("x", 1)


def test_to_chat_completion_media_outputs() -> None:
    gemini = response(
        {"inlineData": {"mimeType": "image/png", "data": "aW1n"}},
        {"inlineData": {"mimeType": "audio/L16;codec=pcm;rate=24000", "data": "YXVk"}},
    )
    got = message(gemini)
    assert got["images"] == [{"type": "image_url", "image_url": {"url": "data:image/png;base64,aW1n"}}]
    assert got["audio"]["data"] == "YXVk"
    assert set(got["audio"]) == {"id", "data", "expires_at", "transcript"}


def test_to_chat_completion_one_choice_per_candidate() -> None:
    gemini = {
        "candidates": [
            {"content": {"parts": [{"text": "A"}]}, "finishReason": "STOP", "index": 0},
            {"content": {"parts": [{"text": "B"}]}, "finishReason": "MAX_TOKENS", "index": 1},
        ],
        "usageMetadata": USAGE,
    }
    choices = complete(gemini, ChatOptions(model="m", n=2))["choices"]
    assert [(c["index"], c["message"]["content"], c["finish_reason"]) for c in choices] == [
        (0, "A", "stop"),
        (1, "B", "length"),
    ]


def test_to_chat_completion_blocked_prompt() -> None:
    gemini = {
        "promptFeedback": {"blockReason": "SAFETY"},
        "usageMetadata": {"promptTokenCount": 4, "totalTokenCount": 4},
    }
    result = complete(gemini)
    assert result["choices"] == [
        {"index": 0, "message": {"role": "assistant", "content": None}, "finish_reason": "content_filter"}
    ]
    assert result["usage"] == {"prompt_tokens": 4, "completion_tokens": 0, "total_tokens": 4}


def test_to_chat_completion_safety_stop_without_content() -> None:
    gemini = {"candidates": [{"finishReason": "SAFETY", "index": 0}], "responseId": "r"}
    assert complete(gemini)["choices"][0]["finish_reason"] == "content_filter"


@pytest.mark.parametrize(
    ("reason", "called", "expected"),
    [
        ("STOP", False, "stop"),
        ("STOP", True, "tool_calls"),
        ("MAX_TOKENS", False, "length"),
        ("MAX_TOKENS", True, "length"),
        ("SAFETY", False, "content_filter"),
        ("RECITATION", False, "content_filter"),
        ("BLOCKLIST", False, "content_filter"),
        ("PROHIBITED_CONTENT", False, "content_filter"),
        ("SPII", False, "content_filter"),
        ("IMAGE_SAFETY", False, "content_filter"),
        ("IMAGE_PROHIBITED_CONTENT", False, "content_filter"),
        ("MALFORMED_FUNCTION_CALL", False, "stop"),
        ("OTHER", False, "stop"),
        ("SOMETHING_NEW", False, "stop"),
        (None, False, None),
    ],
)
def test_finish_reason(reason: str | None, called: bool, expected: str | None) -> None:
    assert finish_reason(reason, called) == expected


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        ({}, {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}),
        (
            {"promptTokenCount": 3, "candidatesTokenCount": 2},
            {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
        ),
        (
            {"promptTokenCount": 10, "cachedContentTokenCount": 8, "candidatesTokenCount": 2, "totalTokenCount": 12},
            {
                "prompt_tokens": 10,
                "completion_tokens": 2,
                "total_tokens": 12,
                "prompt_tokens_details": {"cached_tokens": 8},
            },
        ),
        (
            {"promptTokenCount": 1, "candidatesTokenCount": 2, "thoughtsTokenCount": 4},
            {
                "prompt_tokens": 1,
                "completion_tokens": 2,
                "total_tokens": 7,
                "completion_tokens_details": {"reasoning_tokens": 4},
            },
        ),
    ],
)
def test_chat_usage(metadata: dict[str, Any], expected: dict[str, Any]) -> None:
    assert chat_usage(metadata) == expected


@pytest.mark.parametrize(
    ("thoughts", "text", "tag", "expected"),
    [("", "a", "t", "a"), ("x", "a", "t", "<t>x</t>a"), ("x", "a", None, "xa"), ("x", "", "t", "<t>x</t>")],
)
def test_tagged(thoughts: str, text: str, tag: str | None, expected: str) -> None:
    assert tagged(thoughts, text, tag) == expected
