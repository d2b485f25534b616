"""OpenAI chat `messages` -> Gemini `systemInstruction` and `contents`.

Tool-call ids are not copied into `functionCall.id`: the ids are the client's (or mockgem's)
inventions, and leaving them out keeps the Gemini request, and so rule and cassette matching,
the same whatever ids a client made up.
"""

from __future__ import annotations

import mimetypes
from typing import Any

from mockgem.protocol.json_text import JsonRefused, load_json
from mockgem._types import JSONDict
from mockgem.translate.rejections import invalid_argument

SYSTEM_ROLES = frozenset({"system", "developer"})


def to_contents(messages: list[Any]) -> tuple[JSONDict | None, list[JSONDict]]:
    """(systemInstruction or None, contents) for a chat's messages, in order."""
    names = _tool_names(messages)
    system: list[JSONDict] = []
    contents: list[JSONDict] = []
    for message in messages:
        role = message.get("role") if isinstance(message, dict) else None
        if isinstance(role, str) and role in SYSTEM_ROLES:
            system.extend(_text_parts(message.get("content"), "system"))
        elif role == "user":
            _append(contents, "user", [_user_part(item) for item in _items(message.get("content"))])
        elif role == "assistant":
            _append(contents, "model", _assistant_parts(message))
        elif role == "tool":
            _append_function_response(contents, _function_response(message, names))
        else:
            raise invalid_argument(
                f"Unsupported message role {role!r}: use system, developer, user, assistant or tool."
            )
    return ({"parts": system} if system else None), contents


def _append(contents: list[JSONDict], role: str, parts: list[JSONDict]) -> None:
    if parts:
        contents.append({"role": role, "parts": parts})


def _append_function_response(contents: list[JSONDict], part: JSONDict) -> None:
    # Answers to parallel calls go back in one turn, as the native SDKs send them.
    last = contents[-1] if contents else None
    if last is not None and all("functionResponse" in p for p in last["parts"]):
        last["parts"].append(part)
    else:
        contents.append({"role": "user", "parts": [part]})


def _items(content: Any) -> list[JSONDict]:
    if content is None:
        return []
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if isinstance(content, list) and all(isinstance(item, dict) for item in content):
        return content
    raise invalid_argument("Message content must be a string or a list of content parts.")


def _text_parts(content: Any, role: str) -> list[JSONDict]:
    parts = []
    for item in _items(content):
        if item.get("type") not in ("text", "refusal"):
            raise invalid_argument(f"A {role} message takes only text parts, not {item.get('type')!r}.")
        parts.append({"text": item.get("text", item.get("refusal", ""))})
    return parts


def _user_part(item: JSONDict) -> JSONDict:
    kind = item.get("type")
    if kind == "text":
        return {"text": item.get("text", "")}
    if kind == "image_url":
        image = item.get("image_url")
        return _url_part(image.get("url") if isinstance(image, dict) else image)
    if kind == "input_audio":
        audio = item.get("input_audio") or {}
        return {"inlineData": {"mimeType": f"audio/{audio.get('format', 'wav')}", "data": audio.get("data", "")}}
    if kind == "file":
        return _file_part(item.get("file") or {})
    raise invalid_argument(f"Unsupported content part type {kind!r}: use text, image_url, input_audio or file.")


def _url_part(url: Any) -> JSONDict:
    if not isinstance(url, str):
        raise invalid_argument("image_url.url must be a string.")
    if url.startswith("data:"):
        return {"inlineData": _data_url(url)}
    if url.startswith(("https://", "http://", "gs://")):
        file_data = {"fileUri": url}
        mime, _ = mimetypes.guess_type(url.split("?")[0])
        return {"fileData": {"mimeType": mime, **file_data} if mime else file_data}
    raise invalid_argument("image_url.url must be a data: URL or an https://, http:// or gs:// URL.")


def _data_url(url: str) -> JSONDict:
    header, comma, data = url[len("data:") :].partition(",")
    mime, _, encoding = header.partition(";")
    if not comma or encoding != "base64" or not mime:
        raise invalid_argument("A data: URL must read data:<mime type>;base64,<data>.")
    return {"mimeType": mime, "data": data}


def _file_part(file: JSONDict) -> JSONDict:
    data = file.get("file_data")
    if isinstance(data, str) and data.startswith("data:"):
        return {"inlineData": _data_url(data)}
    if isinstance(data, str):
        mime, _ = mimetypes.guess_type(file.get("filename") or "")
        return {"inlineData": {"mimeType": mime or "application/pdf", "data": data}}
    if isinstance(file.get("file_id"), str):
        # UNVERIFIED: a file_id is taken as a Files API name or URI.
        return {"fileData": {"fileUri": file["file_id"]}}
    raise invalid_argument("A file part needs file_data or file_id.")


def _assistant_parts(message: JSONDict) -> list[JSONDict]:
    parts = _text_parts(message.get("content"), "assistant")
    signature = _signature(message)
    if parts and signature:
        parts[0]["thoughtSignature"] = signature
    calls = message.get("tool_calls") or []
    return parts + [_function_call(call) for call in calls]


def _function_call(call: Any) -> JSONDict:
    function = call.get("function") if isinstance(call, dict) else None
    if not isinstance(function, dict) or not function.get("name"):
        raise invalid_argument("Each assistant tool call needs function.name.")
    part: JSONDict = {"functionCall": {"name": function["name"], "args": _arguments(function.get("arguments"))}}
    signature = _signature(call)
    if signature:
        part["thoughtSignature"] = signature
    return part


def _arguments(arguments: Any) -> JSONDict:
    if arguments in (None, ""):
        return {}
    try:
        args = load_json(arguments) if isinstance(arguments, str) else arguments
    except JsonRefused as exc:
        raise invalid_argument(f"Tool call arguments are not valid JSON: {exc}.") from exc
    if not isinstance(args, dict):
        raise invalid_argument("Tool call arguments must be a JSON object.")
    return args


def _signature(holder: JSONDict) -> str | None:
    google = (holder.get("extra_content") or {}).get("google") or {}
    signature = google.get("thought_signature")
    return signature if isinstance(signature, str) else None


def _tool_names(messages: list[Any]) -> dict[str, str]:
    names: dict[str, str] = {}
    for message in messages:
        if isinstance(message, dict) and message.get("role") == "assistant":
            for call in message.get("tool_calls") or []:
                if isinstance(call, dict) and isinstance(call.get("function"), dict):
                    names[str(call.get("id"))] = call["function"].get("name", "")
    return names


def _function_response(message: JSONDict, names: dict[str, str]) -> JSONDict:
    call_id = str(message.get("tool_call_id"))
    if call_id not in names:
        raise invalid_argument(f"tool_call_id {call_id!r} names no tool call of an earlier assistant message.")
    text = "".join(part["text"] for part in _text_parts(message.get("content"), "tool"))
    return {"functionResponse": {"name": names[call_id], "response": _tool_result(text)}}


def _tool_result(text: str) -> JSONDict:
    # UNVERIFIED: a JSON object result is passed as the response; anything else is wrapped.
    try:
        value = load_json(text)
    except JsonRefused:
        value = None
    return value if isinstance(value, dict) else {"content": text}
