"""Content outcomes written into GenerateContentResponse dicts: blocked prompts, early stops.

Each function takes a whole response (or the chunks of a stream) and returns new dicts; the
input is never changed. Shapes follow wire reference §4.2-4.3.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from mockgem._types import JSONDict

# The order the real API lists them in (a 2025 SAFETY finish quoted in CherryHQ/cherry-studio#664).
SAFETY_CATEGORIES = (
    "HARM_CATEGORY_HATE_SPEECH",
    "HARM_CATEGORY_DANGEROUS_CONTENT",
    "HARM_CATEGORY_HARASSMENT",
    "HARM_CATEGORY_SEXUALLY_EXPLICIT",
)
BLOCKED_CATEGORY = "HARM_CATEGORY_DANGEROUS_CONTENT"
_RATED_BLOCK_REASONS = ("SAFETY", "IMAGE_SAFETY")
_PROMPT_USAGE_KEYS = ("promptTokenCount", "promptTokensDetails", "cachedContentTokenCount", "cacheTokensDetails")


def safety_ratings(blocked_category: str = BLOCKED_CATEGORY) -> list[JSONDict]:
    """Ratings for the four categories, `blocked_category` rated HIGH and marked blocked."""
    return [
        {"category": category, "probability": "HIGH", "blocked": True}
        if category == blocked_category
        else {"category": category, "probability": "NEGLIGIBLE"}
        for category in SAFETY_CATEGORIES
    ]


def block_response(response: JSONDict, reason: str) -> JSONDict:
    """The response to a blocked prompt: HTTP 200, no candidates, `promptFeedback.blockReason`."""
    feedback: JSONDict = {"blockReason": reason}
    # UNVERIFIED: OTHER / BLOCKLIST / PROHIBITED_CONTENT blocks seem to come without ratings.
    if reason in _RATED_BLOCK_REASONS:
        feedback["safetyRatings"] = safety_ratings()
    blocked: JSONDict = {"promptFeedback": feedback}
    for key, value in response.items():
        if key == "usageMetadata":
            blocked[key] = _prompt_only_usage(value)
        elif key not in ("candidates", "promptFeedback"):
            blocked[key] = value
    return blocked


def block_chunks(chunks: Sequence[JSONDict], reason: str) -> list[JSONDict]:
    """A blocked prompt on a stream: one chunk, built on the last one (it has the full usage)."""
    return [block_response(chunks[-1] if chunks else {}, reason)]


def finish_response(response: JSONDict, reason: str) -> JSONDict:
    """Every candidate stopped with `reason`: text cut for MAX_TOKENS, content dropped otherwise."""
    candidates = response.get("candidates") or [{"index": 0}]
    stopped = dict(response)
    stopped["candidates"] = [stop_candidate(candidate, reason) for candidate in candidates]
    return stopped


def finish_chunks(chunks: Sequence[JSONDict], reason: str) -> list[JSONDict]:
    """A stream stopped half-way: the first half of its chunks, the last one carrying `reason`."""
    if not chunks:
        return [finish_response({}, reason)]
    kept = list(chunks[: math.ceil(len(chunks) / 2)])
    return kept[:-1] + [finish_response(kept[-1], reason)]


def stop_candidate(candidate: JSONDict, reason: str) -> JSONDict:
    stopped: JSONDict = {}
    content = candidate.get("content")
    if reason == "MAX_TOKENS" and content is not None:
        stopped["content"] = truncate_content(content)
    stopped["finishReason"] = reason
    if reason == "MALFORMED_FUNCTION_CALL":
        stopped["finishMessage"] = malformed_call_message(content)
    stopped["index"] = candidate.get("index", 0)
    if reason == "SAFETY":
        stopped["safetyRatings"] = safety_ratings()
    kept = {key: value for key, value in candidate.items() if key in ("citationMetadata", "tokenCount")}
    return stopped | kept


def truncate_content(content: JSONDict) -> JSONDict:
    """The content as a token limit would leave it: the last answer text cut at about half."""
    parts: list[JSONDict] = list(content.get("parts") or [])
    answers = [i for i, part in enumerate(parts) if "text" in part and not part.get("thought")]
    if not answers:
        return content
    last = answers[-1]
    text = half_text(str(parts[last]["text"]))
    cut_parts = [dict(parts[last], text=text)] if text else []
    return dict(content, parts=parts[:last] + cut_parts)


def half_text(text: str) -> str:
    """About the first half of `text`, ended at a word boundary when there is one."""
    head = text[: len(text) // 2]
    before_space = head.rsplit(" ", 1)[0]
    return before_space if " " in head and before_space else head


def malformed_call_message(content: JSONDict | None) -> str:
    # UNVERIFIED: the exact wording; public reports show "Malformed function call: <call text>".
    calls = [part["functionCall"] for part in (content or {}).get("parts", []) if "functionCall" in part]
    name = calls[0].get("name", "tool") if calls else "tool"
    return f"Malformed function call: print(default_api.{name}("


def malform(payload: str) -> str:
    """A chunk that cannot be parsed: the first half of its JSON text."""
    return payload[: max(1, len(payload) // 2)]


def _prompt_only_usage(usage: JSONDict) -> JSONDict:
    kept = {key: value for key, value in usage.items() if key in _PROMPT_USAGE_KEYS}
    kept["totalTokenCount"] = usage.get("promptTokenCount", 0) + usage.get("toolUsePromptTokenCount", 0)
    return kept
