"""A GenerateContentResponse -> the `chat.completion` Gemini's compat layer answers with.

Observed in real answers (corpus: pydantic-ai, magentic; wire reference §7.3): the completion
`id` is Gemini's `responseId`; `model` is the name the client sent; tool-call `arguments` are
compact JSON; the thought signature rides on `tool_calls[].extra_content.google`; and
`completion_tokens` counts the candidates only (`total_tokens` also holds the thoughts).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from mockgem._types import JSONDict
from mockgem.translate.chat_request import ChatOptions

# UNVERIFIED beyond STOP and MAX_TOKENS: every blocking kind becomes OpenAI's content_filter.
FINISH_REASONS = {
    "STOP": "stop",
    "MAX_TOKENS": "length",
    "SAFETY": "content_filter",
    "RECITATION": "content_filter",
    "BLOCKLIST": "content_filter",
    "PROHIBITED_CONTENT": "content_filter",
    "SPII": "content_filter",
    "IMAGE_SAFETY": "content_filter",
    "IMAGE_PROHIBITED_CONTENT": "content_filter",
}
ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def finish_reason(reason: str | None, called_tools: bool) -> str | None:
    """OpenAI's finish_reason for a Gemini finishReason; None while a candidate is unfinished."""
    if reason is None:
        return None
    mapped = FINISH_REASONS.get(reason, "stop")
    return "tool_calls" if mapped == "stop" and called_tools else mapped


def chat_usage(metadata: JSONDict) -> JSONDict:
    prompt = int(metadata.get("promptTokenCount", 0))
    completion = int(metadata.get("candidatesTokenCount", 0))
    thoughts = int(metadata.get("thoughtsTokenCount", 0))
    usage: JSONDict = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": int(metadata.get("totalTokenCount", prompt + completion + thoughts)),
    }
    if thoughts:
        usage["completion_tokens_details"] = {"reasoning_tokens": thoughts}
    if "cachedContentTokenCount" in metadata:
        usage["prompt_tokens_details"] = {"cached_tokens": int(metadata["cachedContentTokenCount"])}
    return usage


def tool_call_id(seed: str, position: int) -> str:
    """A stable id shaped like the real ones (`jm4owj31`, eight base-36 characters)."""
    number = int.from_bytes(hashlib.sha256(f"{seed}/{position}".encode()).digest()[:8], "big")
    return "".join(ID_ALPHABET[(number >> (6 * i)) % 36] for i in range(8))


def tool_call(part: JSONDict, call_id: str) -> JSONDict:
    call = part["functionCall"]
    arguments = json.dumps(call.get("args") or {}, separators=(",", ":"), ensure_ascii=False)
    result: JSONDict = {
        "id": call.get("id") or call_id,
        "type": "function",
        "function": {"name": call.get("name", ""), "arguments": arguments},
    }
    if part.get("thoughtSignature"):
        result["extra_content"] = {"google": {"thought_signature": part["thoughtSignature"]}}
    return result


@dataclass(slots=True)
class ReadParts:
    """One candidate's parts, sorted into what an OpenAI message holds."""

    thoughts: str = ""
    text: str = ""
    tool_calls: list[JSONDict] = field(default_factory=list)
    images: list[JSONDict] = field(default_factory=list)
    audio: JSONDict | None = None
    signature: str | None = None


def read_parts(parts: list[JSONDict], seed: str, *, include_thoughts: bool, first_call: int = 0) -> ReadParts:
    read = ReadParts()
    for part in parts:
        if "functionCall" in part:
            read.tool_calls.append(tool_call(part, tool_call_id(seed, first_call + len(read.tool_calls))))
        elif "inlineData" in part:
            _read_media(read, part["inlineData"], seed)
        elif part.get("thought"):
            read.thoughts += part.get("text", "") if include_thoughts else ""
        else:
            read.text += part.get("text", "")
            read.signature = part.get("thoughtSignature") or read.signature
    return read


def _read_media(read: ReadParts, blob: JSONDict, seed: str) -> None:
    mime, data = blob.get("mimeType", ""), blob.get("data", "")
    # UNVERIFIED: audio as OpenAI's message.audio, images as data URLs in message.images.
    if mime.startswith("audio/"):
        read.audio = {"id": f"audio_{tool_call_id(seed, -1)}", "data": data, "expires_at": 0, "transcript": ""}
    else:
        read.images.append({"type": "image_url", "image_url": {"url": f"data:{mime};base64,{data}"}})


def tagged(thoughts: str, text: str, tag: str | None) -> str:
    """Thought summaries ahead of the answer, in `<tag>…</tag>` when a tag is in force."""
    if not thoughts:
        return text
    return f"<{tag}>{thoughts}</{tag}>{text}" if tag else thoughts + text


def to_chat_completion(response: JSONDict, options: ChatOptions, *, created: int, fallback_id: str) -> JSONDict:
    """The chat.completion for a whole GenerateContentResponse."""
    completion_id = str(response.get("responseId") or fallback_id)
    candidates = response.get("candidates") or []
    choices = [_choice(c, i, completion_id, options) for i, c in enumerate(candidates)]
    result: JSONDict = {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": options.model,
        "choices": choices or [blocked_choice()],
    }
    result["usage"] = chat_usage(response.get("usageMetadata") or {})
    return result


def blocked_choice() -> JSONDict:
    """The one choice for a prompt Gemini blocked (promptFeedback, no candidates). UNVERIFIED."""
    return {"index": 0, "message": {"role": "assistant", "content": None}, "finish_reason": "content_filter"}


def _choice(candidate: JSONDict, position: int, completion_id: str, options: ChatOptions) -> JSONDict:
    index = int(candidate.get("index", position))
    parts = (candidate.get("content") or {}).get("parts") or []
    read = read_parts(parts, f"{completion_id}/{index}", include_thoughts=options.include_thoughts)
    reason = finish_reason(candidate.get("finishReason", "STOP"), bool(read.tool_calls))
    return {"index": index, "message": _message(read, options), "finish_reason": reason}


def _message(read: ReadParts, options: ChatOptions) -> JSONDict:
    content: str | None = tagged(read.thoughts, read.text, options.thought_tag)
    if not content and read.tool_calls:
        content = None
    message: JSONDict = {"role": "assistant", "content": content}
    if read.tool_calls:
        message["tool_calls"] = read.tool_calls
    return message | media_fields(read)


def media_fields(read: ReadParts) -> JSONDict:
    """What a message or a stream delta carries beside text and tool calls: images, audio and the
    thought signature (under `extra_content.google`, where the openai SDK keeps unknown fields)."""
    media: JSONDict = {}
    if read.images:
        media["images"] = read.images
    if read.audio:
        media["audio"] = read.audio
    if read.signature:
        media["extra_content"] = {"google": {"thought_signature": read.signature}}
    return media
