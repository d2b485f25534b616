"""A scripted reply turned into the GenerateContentResponse the real API would send.

Token counts come from `protocol.tokens`, so countTokens, usageMetadata and every stream
chunk agree. Thought parts appear only when the request asks for them (`includeThoughts`).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import os
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from mockgem._types import JSONDict
from mockgem.errors import ApiError
from mockgem.protocol.catalog import ModelInfo
from mockgem.protocol.envelopes import api_error, quota_error
from mockgem.protocol.tokens import count_part, count_request, count_text
from mockgem.sources.tool_results import CodeExecutionReply, answer_text, code_execution_parts, grounding_metadata, question_text

class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FunctionCallReply(Strict):
    name: str
    args: dict[str, Any] = Field(default_factory=dict)
    id: str | None = None


class ErrorReply(Strict):
    code: int
    message: str | None = None
    status: str | None = None
    details: list[dict[str, Any]] | None = None


class StreamShape(Strict):
    chunks: int = Field(default=3, ge=1)


class Reply(Strict):
    text: str | None = None
    json_value: Any = Field(default=None, alias="json")
    thought: str | None = None
    function_calls: list[FunctionCallReply] = Field(default_factory=list)
    thought_signature: str | None = None
    finish_reason: str = "STOP"
    error: ErrorReply | None = None
    raw: dict[str, Any] | None = None
    stream: StreamShape | None = None
    grounding_metadata: dict[str, Any] | None = None
    code_execution: CodeExecutionReply | None = None


def reply_error(error: ErrorReply, model: str) -> ApiError:
    if error.code == 429 and error.message is None and error.details is None:
        return quota_error(
            model, "generate_content_free_tier_requests",
            "GenerateRequestsPerMinutePerProjectPerModel-FreeTier", 10, 47.0,
        )
    built = api_error(error.code, error.message, error.status)
    built.details = list(error.details or [])
    return built


def build_response(reply: Reply, request: JSONDict, model: ModelInfo | str, cached_tokens: int = 0) -> JSONDict:
    """The whole response for `reply` to `request`, `candidateCount` candidates of it."""
    model_id = model.id if isinstance(model, ModelInfo) else model
    config: JSONDict = request.get("generationConfig") or {}
    parts, finish = _answer_parts(reply, request, config, model)
    count = int(config.get("candidateCount") or 1)
    candidate: JSONDict = {"content": {"parts": parts, "role": "model"}, "finishReason": finish}
    grounding = grounding_metadata(reply.grounding_metadata, request, question_text(request), answer_text(parts))
    if grounding is not None:
        candidate["groundingMetadata"] = grounding
    candidates = [candidate | {"index": index} for index in range(count)]
    thoughts = _thought_tokens(reply, config, model)
    usage = _usage(request, parts, count, thoughts, cached_tokens)
    return {"candidates": candidates, "usageMetadata": usage, "modelVersion": model_id, "responseId": new_response_id()}


def as_vertex(response: JSONDict) -> JSONDict:
    """A response as Vertex AI writes it: `createTime`, and `trafficType` in its usage."""
    usage = response.get("usageMetadata")
    if isinstance(usage, dict):
        response = response | {"usageMetadata": usage | {"trafficType": "ON_DEMAND"}}
    created = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return response | {"createTime": created}


def new_response_id() -> str:
    """23 URL-safe characters, like the real `responseId`."""
    return base64.urlsafe_b64encode(os.urandom(18)).decode()[:23]


def _answer_parts(reply: Reply, request: JSONDict, config: JSONDict, model: ModelInfo | str) -> tuple[list[JSONDict], str]:
    parts: list[JSONDict] = []
    if reply.thought and _thoughts_included(config, model):
        parts.append({"text": reply.thought, "thought": True})
    finish = reply.finish_reason
    text = reply.text if reply.json_value is None else json.dumps(reply.json_value)
    if text is not None:
        text, finish = _within_limit(text, config.get("maxOutputTokens"), finish)
        parts.extend(code_execution_parts(reply.code_execution, request, text))
        parts.append({"text": text})
    for index, call in enumerate(reply.function_calls):
        parts.append(_function_call_part(call, reply, model, signed=index == 0))
    if not parts:
        parts.append({"text": ""})
    return parts, finish


def _within_limit(text: str, limit: Any, finish: str) -> tuple[str, str]:
    if isinstance(limit, int) and limit > 0 and count_text(text) > limit:
        return text[: limit * 4], "MAX_TOKENS"
    return text, finish


def _function_call_part(call: FunctionCallReply, reply: Reply, model: ModelInfo | str, *, signed: bool) -> JSONDict:
    """A call part; of parallel calls only the first carries the thought signature, as for real."""
    body: JSONDict = {"name": call.name, "args": call.args}
    if call.id:
        body["id"] = call.id
    part: JSONDict = {"functionCall": body}
    signature = (reply.thought_signature or _default_signature(call, model)) if signed else None
    if signature:
        part["thoughtSignature"] = signature
    return part


def _default_signature(call: FunctionCallReply, model: ModelInfo | str) -> str | None:
    # Gemini 3 signs every function call; replaying the call without it is refused upstream.
    if isinstance(model, ModelInfo) and model.family == "3":
        digest = hashlib.sha256(f"{call.name}:{json.dumps(call.args, sort_keys=True)}".encode()).digest()
        return base64.b64encode(b"mockgem-signature:" + digest[:16]).decode()
    return None


def _thinking_on(config: JSONDict, model: ModelInfo | str) -> bool:
    thinking = config.get("thinkingConfig") or {}
    if thinking.get("thinkingBudget") == 0:
        return False
    return not isinstance(model, ModelInfo) or model.thinking


def _thoughts_included(config: JSONDict, model: ModelInfo | str) -> bool:
    return bool((config.get("thinkingConfig") or {}).get("includeThoughts")) and _thinking_on(config, model)


def _thought_tokens(reply: Reply, config: JSONDict, model: ModelInfo | str) -> int:
    return count_text(reply.thought) if reply.thought and _thinking_on(config, model) else 0


def _usage(request: JSONDict, parts: list[JSONDict], count: int, thoughts: int, cached: int) -> JSONDict:
    prompt = count_request(request) + cached
    answer = sum(count_part(p) for p in parts if not p.get("thought")) * count
    usage: JSONDict = {"promptTokenCount": prompt}
    if answer:
        usage["candidatesTokenCount"] = answer
    usage["totalTokenCount"] = prompt + answer + thoughts
    if cached:
        usage["cachedContentTokenCount"] = cached
    usage["promptTokensDetails"] = [{"modality": "TEXT", "tokenCount": prompt}]
    if thoughts:
        usage["thoughtsTokenCount"] = thoughts
    return usage
