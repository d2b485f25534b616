"""The Interactions API (`/interactions`) to and from generateContent, so one rule answers both.

An interaction's `input` (a string, content blocks, or steps) becomes the `contents` of a
GenerateContentRequest, its tools and generation config the native ones; a GenerateContentResponse
becomes the interaction's `steps` (`user_input`, `thought`, `model_output`, `function_call`) and
`usage`. Field names are the Interactions API's own snake_case, as google-genai's generated
client (`google/genai/_gaos/types/interactions/`) sends and reads them.
"""

from __future__ import annotations

from typing import Any

from mockgem._types import JSONDict

_TOOLS = {"google_search": "googleSearch", "code_execution": "codeExecution", "url_context": "urlContext"}
_CONFIG = {"temperature": "temperature", "top_p": "topP", "max_output_tokens": "maxOutputTokens", "seed": "seed", "stop_sequences": "stopSequences"}


def interaction_to_generate(body: JSONDict) -> JSONDict:
    """The GenerateContentRequest an interaction's create body asks for."""
    request: JSONDict = {"contents": input_contents(body.get("input"))}
    if isinstance(body.get("system_instruction"), str):
        request["systemInstruction"] = {"parts": [{"text": body["system_instruction"]}]}
    tools = [tool for tool in (_tool(item) for item in body.get("tools") or []) if tool]
    if tools:
        request["tools"] = tools
    config = _generation_config(body)
    if config:
        request["generationConfig"] = config
    return request


def input_contents(value: Any) -> list[JSONDict]:
    """`input` as turns: a string or content blocks are one user turn; steps keep their roles."""
    if isinstance(value, str):
        return [{"role": "user", "parts": [{"text": value}]}]
    items = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
    if items and all(isinstance(item, dict) and "content" in item or _is_step(item) for item in items):
        return [turn for turn in (_step_turn(item) for item in items) if turn["parts"]]
    return [{"role": "user", "parts": [part for part in (_part(item) for item in items) if part]}]


def _is_step(item: Any) -> bool:
    return isinstance(item, dict) and item.get("type") in {"user_input", "model_output", "function_call", "function_result", "thought"}


def _step_turn(step: JSONDict) -> JSONDict:
    kind = step.get("type")
    if kind == "function_call":
        call = {"name": step.get("name"), "args": step.get("arguments") or {}, **({"id": step["id"]} if step.get("id") else {})}
        return {"role": "model", "parts": [{"functionCall": call}]}
    if kind == "function_result":
        result = step.get("result")
        response = result if isinstance(result, dict) else {"result": result}
        return {"role": "user", "parts": [{"functionResponse": {"name": step.get("name") or "", "response": response, "id": step.get("call_id")}}]}
    role = "model" if kind in {"model_output", "thought"} else "user"
    return {"role": role, "parts": [part for part in (_part(item) for item in step.get("content") or []) if part]}


def _part(content: Any) -> JSONDict | None:
    if not isinstance(content, dict):
        return None
    kind = content.get("type")
    if kind == "text":
        return {"text": str(content.get("text") or "")}
    if kind in {"image", "audio", "video", "document"}:
        mime = str(content.get("mime_type") or "")
        if content.get("data"):
            return {"inlineData": {"mimeType": mime, "data": content["data"]}}
        if content.get("uri"):
            return {"fileData": {"mimeType": mime, "fileUri": content["uri"]}}
    return None


def _tool(tool: Any) -> JSONDict | None:
    if not isinstance(tool, dict):
        return None
    kind = str(tool.get("type"))
    if kind == "function":
        declaration = {key: tool[key] for key in ("name", "description") if key in tool}
        if "parameters" in tool:
            declaration["parametersJsonSchema"] = tool["parameters"]
        return {"functionDeclarations": [declaration]}
    if kind == "file_search":
        return {"fileSearch": {"fileSearchStoreNames": list(tool.get("file_search_store_names") or [])}}
    return {_TOOLS[kind]: {}} if kind in _TOOLS else None


def _generation_config(body: JSONDict) -> JSONDict:
    given: JSONDict = body.get("generation_config") or {}
    config: JSONDict = {_CONFIG[key]: value for key, value in given.items() if key in _CONFIG}
    if given.get("thinking_summaries") == "auto":
        config["thinkingConfig"] = {"includeThoughts": True}
    modalities = body.get("response_modalities")
    if modalities:
        config["responseModalities"] = [str(m).upper() for m in modalities]
    if body.get("response_mime_type"):
        config["responseMimeType"] = body["response_mime_type"]
    if isinstance(body.get("response_format"), dict):
        config["responseJsonSchema"] = body["response_format"]
    return config


def generate_to_steps(body: JSONDict, response: JSONDict) -> list[JSONDict]:
    """The steps of an interaction: the input as `user_input`, then what the model did."""
    steps: list[JSONDict] = [_user_step(body)]
    candidates = response.get("candidates") or [{}]
    content = candidates[0].get("content") or {}
    output: list[JSONDict] = []
    for part in content.get("parts") or []:
        if part.get("thought"):
            steps.append({"type": "thought", "summary": [{"type": "text", "text": str(part.get("text") or "")}]})
        elif "functionCall" in part:
            call = part["functionCall"]
            steps.append({"type": "function_call", "id": str(call.get("id") or f"call_{len(steps)}"), "name": call.get("name"), "arguments": call.get("args") or {}})
        elif (block := _content_block(part)) is not None:
            output.append(block)
    if output:
        steps.append({"type": "model_output", "content": output})
    return steps


def _user_step(body: JSONDict) -> JSONDict:
    value = body.get("input")
    if isinstance(value, str):
        return {"type": "user_input", "content": [{"type": "text", "text": value}]}
    items = value if isinstance(value, list) else [value]
    blocks = [item for item in items if isinstance(item, dict) and not _is_step(item) and "type" in item]
    return {"type": "user_input", "content": blocks}


def _content_block(part: JSONDict) -> JSONDict | None:
    if "text" in part:
        return {"type": "text", "text": str(part["text"])}
    blob = part.get("inlineData")
    if isinstance(blob, dict):
        mime = str(blob.get("mimeType") or "")
        kind = mime.partition("/")[0] if mime.partition("/")[0] in {"image", "audio", "video"} else "document"
        return {"type": kind, "data": blob.get("data"), "mime_type": mime}
    return None


def generate_to_usage(response: JSONDict) -> JSONDict:
    usage: JSONDict = response.get("usageMetadata") or {}
    result = {
        "total_input_tokens": usage.get("promptTokenCount", 0),
        "total_output_tokens": usage.get("candidatesTokenCount", 0),
        "total_thought_tokens": usage.get("thoughtsTokenCount", 0),
        "total_tokens": usage.get("totalTokenCount", 0),
    }
    return {key: value for key, value in result.items() if value}
