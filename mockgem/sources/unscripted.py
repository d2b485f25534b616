"""The reply to a request no rule scripted, shaped as the request obliges the real model to answer.

The real API never answers JSON mode with prose, an enum mode with a non-member, nor a
function-calling mode of ANY with text. So the default reply (or the placeholder) becomes the
smallest instance of the response schema, the first enum value, or a call of the first allowed
function with the smallest arguments its parameters schema accepts.
"""

from __future__ import annotations

import json
from typing import Any

from mockgem._types import JSONDict
from mockgem.sources.replies import FunctionCallReply, Reply

_EMPTY_BY_TYPE: dict[str, Any] = {"string": "", "integer": 0, "number": 0, "boolean": False, "null": None}
_DEPTH_LIMIT = 12


def unscripted_reply(reply: Reply, request: JSONDict) -> Reply:
    """`reply` (a default or the placeholder) as this request obliges the model to answer."""
    if reply.raw is not None or reply.error is not None or reply.function_calls or reply.json_value is not None:
        return reply
    forced = _forced_call(request)
    if forced is not None:
        return reply.model_copy(update={"text": None, "function_calls": [forced]})
    config: JSONDict = request.get("generationConfig") or {}
    mime = str(config.get("responseMimeType") or "")
    schema = config.get("responseJsonSchema") or config.get("responseSchema")
    if mime == "text/x.enum" and isinstance(schema, dict) and schema.get("enum"):
        return reply.model_copy(update={"text": str(schema["enum"][0])})
    if mime == "application/json" and not _is_json(reply.text):
        instance = smallest_instance(schema) if isinstance(schema, dict) else {}
        return reply.model_copy(update={"text": None, "json_value": instance})
    return reply


def smallest_instance(schema: JSONDict, root: JSONDict | None = None, depth: int = 0) -> Any:
    """The smallest value `schema` accepts: required properties only, empty lists, first enum
    values, zero or the minimum for numbers. Reads JSON Schema (with `$defs` / `$ref`, as
    pydantic writes it) and the API's own Schema (upper-case types)."""
    root = root or schema
    if depth > _DEPTH_LIMIT:
        return None
    if "$ref" in schema:
        return smallest_instance(_resolve(root, str(schema["$ref"])), root, depth + 1)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for choice in ("anyOf", "oneOf", "allOf"):
        options = [option for option in schema.get(choice) or [] if isinstance(option, dict)]
        if any(_type(option) == "null" for option in options):
            return None
        if options:
            return smallest_instance(options[0], root, depth + 1)
    return _of_type(schema, _type(schema), root, depth)


def _of_type(schema: JSONDict, kind: str, root: JSONDict, depth: int) -> Any:
    if kind == "object" or (not kind and "properties" in schema):
        properties: JSONDict = schema.get("properties") or {}
        wanted = schema.get("required", list(properties))
        return {name: smallest_instance(properties[name], root, depth + 1) for name in wanted if isinstance(properties.get(name), dict)}
    if kind == "array":
        items = schema.get("items")
        count = int(schema.get("minItems") or 0)
        return [smallest_instance(items, root, depth + 1) for _ in range(count)] if isinstance(items, dict) else []
    if kind in ("integer", "number") and isinstance(schema.get("minimum"), int | float):
        return schema["minimum"]
    return _EMPTY_BY_TYPE.get(kind, {} if not kind else None)


def _type(schema: JSONDict) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):  # ["string", "null"]: null is the smallest
        kind = "null" if "null" in kind else next(iter(kind), "")
    if schema.get("nullable") is True:  # the API's own Schema
        return "null"
    return str(kind or "").lower()


def _resolve(root: JSONDict, reference: str) -> JSONDict:
    target: Any = root
    for step in reference.removeprefix("#/").split("/"):
        target = target.get(step) if isinstance(target, dict) else None
    return target if isinstance(target, dict) else {}


def _forced_call(request: JSONDict) -> FunctionCallReply | None:
    """The call the model must make under `functionCallingConfig.mode: ANY`, if no rule said."""
    calling = ((request.get("toolConfig") or {}).get("functionCallingConfig")) or {}
    if str(calling.get("mode") or "").upper() != "ANY":
        return None
    allowed = calling.get("allowedFunctionNames") or []
    tools = request.get("tools") or []
    for tool in [tools] if isinstance(tools, dict) else tools:
        for declaration in (tool or {}).get("functionDeclarations") or []:
            if not allowed or declaration.get("name") in allowed:
                parameters = declaration.get("parametersJsonSchema") or declaration.get("parameters") or {}
                args = smallest_instance(parameters) if isinstance(parameters, dict) and parameters else {}
                return FunctionCallReply(name=str(declaration.get("name")), args=args if isinstance(args, dict) else {})
    return None


def _is_json(text: str | None) -> bool:
    try:
        json.loads(text or "")
    except ValueError:
        return False
    return True
