"""LiteLLM's `gemini/` provider with api_base at mockgem ({mockgem}/v1beta; files: {mockgem})."""

from __future__ import annotations

import json

import litellm
from scenarios import MODEL, URL, run_scenarios

GEMINI = {"model": f"gemini/{MODEL}", "api_base": f"{URL}/v1beta", "api_key": "test-key"}
WEATHER = {"type": "function", "function": {"name": "get_weather", "description": "Weather in a city", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
CITY = {"type": "object", "properties": {"city": {"type": "string"}, "temperature": {"type": "integer"}}, "required": ["city", "temperature"]}


def ask(content: object, **options: object) -> litellm.ModelResponse:
    return litellm.completion(messages=[{"role": "user", "content": content}], **GEMINI, **options)


def plain() -> dict[str, object]:
    response = ask("Say hello")
    return {"text": response.choices[0].message.content, "tokens": response.usage.total_tokens}


def stream() -> dict[str, object]:
    texts = [chunk.choices[0].delta.content or "" for chunk in ask("Tell me a story", stream=True)]
    return {"chunks": len(texts), "text": "".join(texts)}


def tools() -> dict[str, object]:
    messages: list[dict[str, object]] = [{"role": "user", "content": "What is the weather in Paris?"}]
    first = litellm.completion(messages=messages, tools=[WEATHER], **GEMINI)
    call = first.choices[0].message.tool_calls[0]
    messages += [first.choices[0].message.model_dump(), {"role": "tool", "tool_call_id": call.id, "content": "sunny"}]
    second = litellm.completion(messages=messages, tools=[WEATHER], **GEMINI)
    return {"call": call.function.name, "args": json.loads(call.function.arguments), "text": second.choices[0].message.content}


def reasoning_effort() -> dict[str, object]:
    message = ask("What is six times seven?", reasoning_effort="low").choices[0].message
    return {"text": message.content, "reasoning": message.reasoning_content}


def response_format() -> dict[str, object]:
    schema = {"type": "json_schema", "json_schema": {"name": "city", "schema": CITY}}
    return {"output": json.loads(ask("Which city is it?", response_format=schema).choices[0].message.content)}


def files() -> dict[str, object]:
    uploaded = litellm.create_file(file=("note.txt", b"hello from a file", "text/plain"), purpose="user_data",
                                   custom_llm_provider="gemini", api_base=URL, api_key="test-key")
    question = [{"type": "file", "file": {"file_id": uploaded.id, "format": "text/plain"}}, {"type": "text", "text": "What does the file say?"}]
    return {"id": uploaded.id, "text": ask(question).choices[0].message.content}


def gs_and_https_files() -> dict[str, object]:
    question = [
        {"type": "file", "file": {"file_id": "gs://bucket/report.pdf", "format": "application/pdf"}},
        {"type": "file", "file": {"file_id": "https://example.com/report.pdf", "format": "application/pdf"}},
        {"type": "text", "text": "Compare the two file parts."},
    ]
    return {"text": ask(question).choices[0].message.content}


def google_search() -> dict[str, object]:
    response = ask("Who won the match?", tools=[{"googleSearch": {}}])
    grounding = getattr(response, "vertex_ai_grounding_metadata", None) or response._hidden_params.get("vertex_ai_grounding_metadata")
    return {"text": response.choices[0].message.content, "grounding": grounding}


def cache_control() -> dict[str, object]:
    document = {"type": "text", "text": "A long document. " * 300, "cache_control": {"type": "ephemeral"}}
    messages = [{"role": "system", "content": [document]}, {"role": "user", "content": "Say hello"}]
    response = litellm.completion(messages=messages, **GEMINI)
    return {"text": response.choices[0].message.content, "cached": response.usage.prompt_tokens_details}


run_scenarios({
    "plain": plain, "stream": stream, "tools": tools, "reasoning_effort": reasoning_effort,
    "response_format": response_format, "files": files, "gs_and_https_files": gs_and_https_files,
    "google_search": google_search, "cache_control": cache_control,
})
