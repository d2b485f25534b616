"""A deterministic token estimate, the same for countTokens, usageMetadata and every chunk.

Real tokenizers give about four characters of English per token; media parts count a fixed
amount, like an image of up to 384 px (258 tokens) on the real API.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from mockgem._types import JSONDict

MEDIA_PART_TOKENS = 258


def count_text(text: str) -> int:
    return (len(text) + 3) // 4 if text else 0


def count_part(part: JSONDict) -> int:
    if "text" in part:
        return count_text(str(part["text"]))
    if "inlineData" in part or "fileData" in part:
        return MEDIA_PART_TOKENS
    for key in ("functionCall", "functionResponse", "executableCode", "codeExecutionResult"):
        if key in part:
            return count_text(json.dumps(part[key], sort_keys=True))
    return 0


def count_contents(contents: Iterable[JSONDict]) -> int:
    return sum(count_part(part) for content in contents for part in content.get("parts") or [])


def count_request(request: JSONDict) -> int:
    """Prompt tokens of a GenerateContentRequest: contents, system instruction and tools."""
    total = count_contents(request.get("contents") or [])
    system: Any = request.get("systemInstruction")
    if isinstance(system, dict):
        total += count_contents([system])
    if request.get("tools"):
        total += count_text(json.dumps(request["tools"], sort_keys=True))
    return total
