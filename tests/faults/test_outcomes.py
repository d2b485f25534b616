from __future__ import annotations

import copy
import json

import pytest

from mockgem._types import JSONDict
from mockgem.faults.outcomes import (
    BLOCKED_CATEGORY,
    SAFETY_CATEGORIES,
    block_chunks,
    block_response,
    finish_chunks,
    finish_response,
    half_text,
    malform,
    safety_ratings,
)

USAGE: JSONDict = {
    "promptTokenCount": 15,
    "candidatesTokenCount": 7,
    "totalTokenCount": 40,
    "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 15}],
    "thoughtsTokenCount": 18,
}


def _response(*texts: str, finish: str | None = "STOP") -> JSONDict:
    candidate: JSONDict = {"content": {"parts": [{"text": text} for text in texts], "role": "model"}, "index": 0}
    if finish:
        candidate["finishReason"] = finish
    return {"candidates": [candidate], "usageMetadata": USAGE, "modelVersion": "gemini-2.5-flash", "responseId": "r1"}


def _chunks(count: int) -> list[JSONDict]:
    return [_response(f"part {i} ", finish="STOP" if i == count - 1 else None) for i in range(count)]


def test_safety_ratings_marks_one_category_blocked() -> None:
    ratings = safety_ratings()
    assert [rating["category"] for rating in ratings] == list(SAFETY_CATEGORIES)
    assert [rating for rating in ratings if rating.get("blocked")] == [
        {"category": BLOCKED_CATEGORY, "probability": "HIGH", "blocked": True}
    ]


@pytest.mark.parametrize(("reason", "rated"), [("SAFETY", True), ("IMAGE_SAFETY", True), ("OTHER", False)])
def test_block_response_drops_candidates_and_gives_feedback(reason: str, rated: bool) -> None:
    blocked = block_response(_response("Hello"), reason)
    assert "candidates" not in blocked
    assert blocked["promptFeedback"]["blockReason"] == reason
    assert ("safetyRatings" in blocked["promptFeedback"]) is rated
    assert blocked["modelVersion"] == "gemini-2.5-flash"
    assert blocked["responseId"] == "r1"


def test_block_response_keeps_only_prompt_usage() -> None:
    usage = block_response(_response("Hello"), "SAFETY")["usageMetadata"]
    assert usage == {
        "promptTokenCount": 15,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 15}],
        "totalTokenCount": 15,
    }


def test_block_chunks_gives_one_chunk() -> None:
    assert block_chunks(_chunks(3), "SAFETY") == [block_response(_chunks(3)[-1], "SAFETY")]
    assert block_chunks([], "OTHER") == [{"promptFeedback": {"blockReason": "OTHER"}}]


def test_finish_response_max_tokens_truncates_the_answer() -> None:
    response = _response("The capital of France is Paris.")
    candidate = finish_response(response, "MAX_TOKENS")["candidates"][0]
    assert candidate["content"] == {"parts": [{"text": "The capital of"}], "role": "model"}
    assert candidate["finishReason"] == "MAX_TOKENS"
    assert "safetyRatings" not in candidate


def test_finish_response_max_tokens_keeps_thoughts_and_drops_later_parts() -> None:
    content = {"parts": [{"text": "thinking", "thought": True}, {"text": "one two three four"}, {"text": "x"}]}
    response = {"candidates": [{"content": content, "index": 0}]}
    parts = finish_response(response, "MAX_TOKENS")["candidates"][0]["content"]["parts"]
    assert parts == [{"text": "thinking", "thought": True}, {"text": "one two three four"}]


@pytest.mark.parametrize(
    ("reason", "extra"),
    [
        ("SAFETY", {"safetyRatings": safety_ratings()}),
        ("RECITATION", {}),
        ("MALFORMED_FUNCTION_CALL", {"finishMessage": "Malformed function call: print(default_api.tool("}),
    ],
)
def test_finish_response_blocking_reasons_drop_content(reason: str, extra: JSONDict) -> None:
    candidate = finish_response(_response("Hello there"), reason)["candidates"][0]
    assert candidate == {"finishReason": reason, "index": 0} | extra


def test_finish_response_names_the_malformed_call() -> None:
    content = {"parts": [{"functionCall": {"name": "get_weather", "args": {}}}]}
    candidate = finish_response({"candidates": [{"content": content}]}, "MALFORMED_FUNCTION_CALL")["candidates"][0]
    assert candidate["finishMessage"].startswith("Malformed function call: print(default_api.get_weather(")


def test_finish_response_without_candidates_adds_one() -> None:
    assert finish_response({}, "SAFETY")["candidates"][0]["finishReason"] == "SAFETY"


def test_outcomes_leave_their_input_unchanged() -> None:
    chunks = _chunks(4)
    before = copy.deepcopy(chunks)
    for reason in ("MAX_TOKENS", "SAFETY"):
        finish_chunks(chunks, reason)
        finish_response(chunks[0], reason)
        block_chunks(chunks, reason)
    assert chunks == before


@pytest.mark.parametrize(("count", "kept"), [(1, 1), (2, 1), (3, 2), (4, 2), (5, 3)])
def test_finish_chunks_stops_half_way_with_reason_on_last_chunk_only(count: int, kept: int) -> None:
    stopped = finish_chunks(_chunks(count), "SAFETY")
    assert len(stopped) == kept
    assert [chunk["candidates"][0].get("finishReason") for chunk in stopped] == [None] * (kept - 1) + ["SAFETY"]
    assert "content" not in stopped[-1]["candidates"][0]
    assert stopped[-1]["usageMetadata"] == USAGE


def test_finish_chunks_max_tokens_cuts_the_last_kept_text() -> None:
    stopped = finish_chunks([_response("alpha beta gamma delta", finish=None)], "MAX_TOKENS")
    assert stopped[0]["candidates"][0]["content"]["parts"] == [{"text": "alpha beta"}]


def test_finish_chunks_of_nothing_gives_one_finished_chunk() -> None:
    assert finish_chunks([], "RECITATION") == [{"candidates": [{"finishReason": "RECITATION", "index": 0}]}]


@pytest.mark.parametrize(
    ("text", "half"),
    [("The capital of France is Paris.", "The capital of"), ("Hi", "H"), ("abcdef", "abc"), ("", "")],
)
def test_half_text_cuts_at_a_word(text: str, half: str) -> None:
    assert half_text(text) == half


def test_malform_is_not_json() -> None:
    payload = json.dumps(_response("Hello"))
    with pytest.raises(json.JSONDecodeError):
        json.loads(malform(payload))
