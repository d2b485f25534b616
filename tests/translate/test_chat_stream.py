from __future__ import annotations

import json
from typing import Any

import pytest
from openai.lib.streaming.chat import ChatCompletionStreamState as SdkStreamState
from openai.types.chat import ChatCompletionChunk

from mockgem.translate.chat_request import ChatOptions
from mockgem.translate.chat_stream import ChatStreamState, end_of_stream, stream_chunks

USAGE = {"promptTokenCount": 5, "candidatesTokenCount": 3, "totalTokenCount": 8}


def gemini(*parts: dict[str, Any], finish: str | None = None, index: int = 0) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": list(parts)}, "index": index}
    if finish:
        candidate["finishReason"] = finish
    return {
        "candidates": [candidate],
        "usageMetadata": USAGE,
        "responseId": "resp-1",
        "modelVersion": "gemini-2.5-flash",
    }


def run(chunks: list[dict[str, Any]], **options: Any) -> list[dict[str, Any]]:
    state = ChatStreamState(
        ChatOptions(model="gemini-2.5-flash", stream=True, **options), created=7, completion_id="fallback"
    )
    out = [c for chunk in chunks for c in stream_chunks(state, chunk)] + end_of_stream(state)
    for chunk in out:
        ChatCompletionChunk.model_validate(chunk)
    return out


def deltas(out: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c["choices"][0]["delta"] for c in out if c["choices"]]


def test_stream_chunks_text() -> None:
    out = run([gemini({"text": "Hel"}), gemini({"text": "lo"}, finish="STOP")])
    assert out == [
        {"id": "resp-1", "object": "chat.completion.chunk", "created": 7, "model": "gemini-2.5-flash",
         "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hel"}, "finish_reason": None}]},
        {"id": "resp-1", "object": "chat.completion.chunk", "created": 7, "model": "gemini-2.5-flash",
         "choices": [{"index": 0, "delta": {"content": "lo"}, "finish_reason": "stop"}]},
    ]  # fmt: skip


def test_stream_chunks_id_falls_back_without_response_id() -> None:
    chunk = gemini({"text": "x"}, finish="STOP")
    del chunk["responseId"]
    assert {c["id"] for c in run([chunk, gemini({"text": "y"})])} == {"fallback"}


@pytest.mark.parametrize(
    ("include_usage", "expected"),
    [(False, [None, None]), (True, [None, {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8}])],
)
def test_stream_chunks_usage_on_the_last_chunk_when_asked(include_usage: bool, expected: list[Any]) -> None:
    out = run([gemini({"text": "a"}), gemini({"text": "b"}, finish="STOP")], include_usage=include_usage)
    assert [c.get("usage") for c in out] == expected


def test_end_of_stream_sends_usage_a_cut_stream_never_carried() -> None:
    out = run([gemini({"text": "a"})], include_usage=True)
    assert out[-1]["choices"] == [] and out[-1]["usage"]["total_tokens"] == 8


def test_stream_chunks_empty_finish_chunk() -> None:
    out = run([gemini({"text": "a"}), gemini(finish="MAX_TOKENS")])
    assert out[-1]["choices"] == [{"index": 0, "delta": {}, "finish_reason": "length"}]


def test_stream_chunks_skips_a_chunk_with_nothing_to_say() -> None:
    assert len(run([gemini({"text": "a"}), gemini(), gemini(finish="STOP")])) == 2


CALL_A = {"functionCall": {"name": "weather", "args": {"city": "Paris"}}, "thoughtSignature": "c2ln"}
CALL_B = {"functionCall": {"name": "weather", "args": {"city": "Rome"}}}


def test_stream_chunks_tool_calls_whole_with_index_and_id() -> None:
    out = run([gemini(CALL_A), gemini(CALL_B, finish="STOP")])
    first, second = (d["tool_calls"] for d in deltas(out))
    assert first == [
        {
            "index": 0,
            "id": first[0]["id"],
            "type": "function",
            "function": {"name": "weather", "arguments": '{"city":"Paris"}'},
            "extra_content": {"google": {"thought_signature": "c2ln"}},
        }
    ]
    assert second[0]["index"] == 1 and second[0]["id"] != first[0]["id"]
    assert out[-1]["choices"][0]["finish_reason"] == "tool_calls"


def test_stream_chunks_tool_call_ids_match_the_non_stream_answer() -> None:
    from mockgem.translate.chat_response import to_chat_completion

    whole = gemini(CALL_A, CALL_B, finish="STOP")
    streamed = [call["id"] for d in deltas(run([whole])) for call in d["tool_calls"]]
    answered = to_chat_completion(whole, ChatOptions(model="m"), created=0, fallback_id="x")
    assert streamed == [call["id"] for call in answered["choices"][0]["message"]["tool_calls"]]


def test_stream_chunks_feed_the_openai_stream_helper() -> None:
    sdk = SdkStreamState()
    chunks = [gemini({"text": "Checking."}), gemini(CALL_A), gemini(CALL_B, finish="STOP")]
    for chunk in run(chunks, include_usage=True):
        sdk.handle_chunk(ChatCompletionChunk.model_validate(chunk))
    final = sdk.get_final_completion()
    message = final.choices[0].message
    assert message.content == "Checking."
    assert [json.loads(c.function.arguments) for c in message.tool_calls or []] == [{"city": "Paris"}, {"city": "Rome"}]
    assert final.choices[0].finish_reason == "tool_calls"
    assert final.usage is not None and final.usage.total_tokens == 8


THOUGHT = {"text": "Hmm", "thought": True}


def test_stream_chunks_thoughts_tagged_across_chunks() -> None:
    chunks = [gemini(THOUGHT), gemini({"text": " more", "thought": True}), gemini({"text": "Hi"}, finish="STOP")]
    got = deltas(run(chunks, include_thoughts=True))
    assert [d.get("content") for d in got] == ["<thought>Hmm", " more", "</thought>Hi"]
    assert [d.get("extra_content") for d in got] == [{"google": {"thought": True}}] * 2 + [None]


def test_stream_chunks_thoughts_closed_at_finish() -> None:
    got = deltas(run([gemini(THOUGHT), gemini(finish="MAX_TOKENS")], include_thoughts=True, thought_tag="think"))
    assert "".join(d.get("content", "") for d in got) == "<think>Hmm</think>"


@pytest.mark.parametrize(("include", "tag", "text"), [(True, None, "HmmHi"), (False, "thought", "Hi")])
def test_stream_chunks_thoughts_untagged_or_dropped(include: bool, tag: str | None, text: str) -> None:
    got = deltas(
        run([gemini(THOUGHT), gemini({"text": "Hi"}, finish="STOP")], include_thoughts=include, thought_tag=tag)
    )
    assert "".join(d.get("content", "") for d in got) == text


def test_stream_chunks_text_signature_on_its_delta() -> None:
    got = deltas(run([gemini({"text": "Hi", "thoughtSignature": "c2ln"}, finish="STOP")]))
    assert got[0]["extra_content"] == {"google": {"thought_signature": "c2ln"}}


def test_stream_chunks_two_candidates() -> None:
    chunk = {
        "candidates": [
            {"content": {"parts": [{"text": "A"}]}, "index": 0, "finishReason": "STOP"},
            {"content": {"parts": [{"text": "B"}]}, "index": 1, "finishReason": "STOP"},
        ],
        "usageMetadata": USAGE,
    }
    out = run([chunk], n=2, include_usage=True)
    assert [(c["choices"][0]["index"], c["choices"][0]["delta"]) for c in out] == [
        (0, {"role": "assistant", "content": "A"}),
        (1, {"role": "assistant", "content": "B"}),
    ]
    assert "usage" not in out[0] and out[1]["usage"]["total_tokens"] == 8


def test_stream_chunks_blocked_prompt() -> None:
    out = run([{"promptFeedback": {"blockReason": "SAFETY"}}], include_usage=True)
    assert out[0]["choices"] == [{"index": 0, "delta": {"role": "assistant"}, "finish_reason": "content_filter"}]
    assert "usage" in out[0] and len(out) == 1


def test_stream_chunks_media() -> None:
    got = deltas(run([gemini({"inlineData": {"mimeType": "image/png", "data": "aW1n"}}, finish="STOP")]))
    assert got[0]["images"] == [{"type": "image_url", "image_url": {"url": "data:image/png;base64,aW1n"}}]
