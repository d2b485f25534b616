"""Gemini stream chunks -> `chat.completion.chunk` dicts, one Gemini chunk at a time.

Where mockgem parts from the real layer on purpose (wire reference §7.3):
* tool calls carry `index`, which the real stream omits, because the openai SDK's `.stream()`
  helper raises without it; each call still arrives whole in one delta, as the real one does;
* a tool call finishes with `"tool_calls"`, as the real non-stream answer does, where the real
  stream says `"stop"` (python-genai#2868): agent loops that test for it work against both;
* `usage` goes on the chunk with the last `finish_reason` only when `stream_options.include_usage`
  asks for it, as OpenAI documents, while the real layer may send it regardless.
Rendering the dicts as SSE and the closing `[DONE]` belong to the SSE core.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mockgem._types import JSONDict
from mockgem.translate.chat_request import ChatOptions
from mockgem.translate.chat_response import ReadParts, blocked_choice, chat_usage, finish_reason, media_fields, read_parts


@dataclass(slots=True)
class ChatStreamState:
    """Everything one stream remembers between chunks; `completion_id` becomes the first responseId."""

    options: ChatOptions
    created: int
    completion_id: str
    id_settled: bool = False
    started: set[int] = field(default_factory=set)
    open_thoughts: set[int] = field(default_factory=set)
    calls: dict[int, int] = field(default_factory=dict)
    finished: set[int] = field(default_factory=set)
    usage: JSONDict = field(default_factory=dict)
    usage_sent: bool = False


def stream_chunks(state: ChatStreamState, chunk: JSONDict) -> list[JSONDict]:
    """The chat.completion.chunk dicts for one Gemini stream chunk (possibly none)."""
    _settle_id(state, chunk)
    if chunk.get("usageMetadata"):
        state.usage = chat_usage(chunk["usageMetadata"])
    candidates = chunk.get("candidates") or []
    if not candidates and chunk.get("promptFeedback"):
        return _with_usage(state, [_blocked_chunk(state)])
    chunks = [_candidate_chunk(state, candidate, i) for i, candidate in enumerate(candidates)]
    return _with_usage(state, [c for c in chunks if c is not None])


def end_of_stream(state: ChatStreamState) -> list[JSONDict]:
    """What still has to go out when Gemini's stream ends: usage that found no finished chunk."""
    if not state.options.include_usage or state.usage_sent:
        return []
    state.usage_sent = True
    return [{**_envelope(state, []), "usage": state.usage or chat_usage({})}]


def _settle_id(state: ChatStreamState, chunk: JSONDict) -> None:
    if not state.id_settled:
        state.completion_id = str(chunk.get("responseId") or state.completion_id)
        state.id_settled = True


def _envelope(state: ChatStreamState, choices: list[JSONDict]) -> JSONDict:
    return {
        "id": state.completion_id,
        "object": "chat.completion.chunk",
        "created": state.created,
        "model": state.options.model,
        "choices": choices,
    }


def _with_usage(state: ChatStreamState, chunks: list[JSONDict]) -> list[JSONDict]:
    done = len(state.finished) >= state.options.n
    if chunks and done and state.options.include_usage and not state.usage_sent:
        chunks[-1]["usage"] = state.usage or chat_usage({})
        state.usage_sent = True
    return chunks


def _blocked_chunk(state: ChatStreamState) -> JSONDict:
    state.finished.update(range(state.options.n))
    choice = blocked_choice()
    return _envelope(state, [{"index": 0, "delta": {"role": "assistant"}, "finish_reason": choice["finish_reason"]}])


def _candidate_chunk(state: ChatStreamState, candidate: JSONDict, position: int) -> JSONDict | None:
    index = int(candidate.get("index", position))
    parts = (candidate.get("content") or {}).get("parts") or []
    seed = f"{state.completion_id}/{index}"
    sent_calls = state.calls.get(index, 0)
    read = read_parts(parts, seed, include_thoughts=state.options.include_thoughts, first_call=sent_calls)
    delta = _delta(state, index, read)
    reason = candidate.get("finishReason")
    if reason is not None:
        _close_thoughts(state, index, delta)
        state.finished.add(index)
    if not delta and reason is None:
        return None
    called = state.calls.get(index, 0) > 0
    choice = {"index": index, "delta": delta, "finish_reason": finish_reason(reason, called)}
    return _envelope(state, [choice])


def _delta(state: ChatStreamState, index: int, read: ReadParts) -> JSONDict:
    delta: JSONDict = {}
    if index not in state.started:
        delta["role"] = "assistant"
        state.started.add(index)
    content = _content(state, index, read)
    if content:
        delta["content"] = content
    if read.thoughts and not read.text:
        delta["extra_content"] = {"google": {"thought": True}}
    if read.tool_calls:
        delta["tool_calls"] = _indexed_calls(state, index, read.tool_calls)
    delta.update(media_fields(read))
    return delta


def _content(state: ChatStreamState, index: int, read: ReadParts) -> str:
    tag, text = state.options.thought_tag, ""
    if read.thoughts and tag and index not in state.open_thoughts:
        text += f"<{tag}>"
        state.open_thoughts.add(index)
    text += read.thoughts
    if (read.text or read.tool_calls) and index in state.open_thoughts:
        text += f"</{tag}>"
        state.open_thoughts.discard(index)
    return text + read.text


def _close_thoughts(state: ChatStreamState, index: int, delta: JSONDict) -> None:
    if index in state.open_thoughts:
        delta["content"] = delta.get("content", "") + f"</{state.options.thought_tag}>"
        state.open_thoughts.discard(index)


def _indexed_calls(state: ChatStreamState, index: int, calls: list[JSONDict]) -> list[JSONDict]:
    first = state.calls.get(index, 0)
    state.calls[index] = first + len(calls)
    return [{"index": first + offset, **call} for offset, call in enumerate(calls)]
