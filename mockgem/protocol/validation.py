"""Request bodies checked as the real API checks them, with its error messages.

Field paths in messages use the proto (snake_case) names with indices, as Google writes them:
`Invalid JSON payload received. Unknown name "foo" at 'generation_config': Cannot find field.`
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from mockgem._types import JSONDict
from mockgem.errors import InvalidArgument
from mockgem.protocol.casing import camel_keys, to_snake
from mockgem.protocol.envelopes import bad_request_detail
from mockgem.protocol.json_text import TOO_DEEP, JsonRefused, load_json
from mockgem.protocol.gemini import BODY_FIELDS, REQUEST_MODELS, Wire
from mockgem.protocol.repeated import wrap_single_values

# The real API names enum types under its proto package; /v1 and Vertex use their own package, which
# this module is not told (the message differs only in that name).
ENUM_PACKAGE = "google.ai.generativelanguage.v1beta"
VALID_ROLES = frozenset({"user", "model"})
# A turn of function results under the role `function`, as Gemini's first multi-turn
# function-calling example wrote it: google-generativeai 0.8 users still send it, and Portkey's
# gateway maps an OpenAI `tool` message to it (Portkey-AI/gateway src/providers/google/
# chatComplete.ts). The API answers it as the user turn it stands for; under that role any other
# part is refused.
FUNCTION_ROLE = "function"
INVALID_ROLE_MESSAGE = "Please use a valid role: user, model."
# Methods whose contents carry turns, each with a role the real API checks.
_ROLE_CHECKED = frozenset(
    {"generateContent", "streamGenerateContent", "countTokens", "cachedContents.create", "cachedContents.patch"}
)

_PROTO_TYPES = {
    "float_parsing": "TYPE_FLOAT",
    "float_type": "TYPE_FLOAT",
    "int_parsing": "TYPE_INT32",
    "int_type": "TYPE_INT32",
    "int_from_float": "TYPE_INT32",
    "int_parsing_size": "TYPE_INT32",
    "bool_parsing": "TYPE_BOOL",
    "bool_type": "TYPE_BOOL",
    "string_type": "TYPE_STRING",
}


def parse_json_body(raw: bytes) -> Any:
    """The JSON value of a request body; an empty body is `{}` as for the real API.

    A lone surrogate, a number past a double and nesting past protobuf's depth are refused here
    (`json_text.load_json`); UNVERIFIED: the real parser's wording for each, so the message is
    its general one and the detail says which."""
    if not raw.strip():
        return {}
    try:
        return load_json(raw)
    except JsonRefused as refused:
        message = f"Invalid JSON payload received. {TOO_DEEP if str(refused) == TOO_DEEP else 'Unexpected token.'}"
        raise InvalidArgument(message, details=[bad_request_detail(f"Invalid JSON payload received. {refused}")]) from None


def validate_request(action: str, body: Any, message_name: str = "") -> JSONDict:
    """Checks `body` for the native method `action`; returns it canonical (camelCase)."""
    check_request(action, body, message_name)
    return canonical_request(action, body)


def canonical_request(action: str, body: Any) -> JSONDict:
    """`body` as the API reads it: camelCase names, one object where a list is due as a list of one."""
    if not isinstance(body, dict):
        return {}
    model = REQUEST_MODELS.get(action)
    canonical: JSONDict = camel_keys(wrap_single_values(model, body) if model is not None else body)
    return canonical


def check_request(action: str, body: Any, message_name: str = "") -> None:
    """Raises the real API's 400 for a body it would refuse."""
    if not isinstance(body, dict):
        raise InvalidArgument(
            "Invalid JSON payload received. Expected an object.",
            details=[bad_request_detail("Invalid JSON payload received. Expected an object.")],
        )
    model = REQUEST_MODELS.get(action)
    if model is not None:
        _validate(model, wrap_single_values(model, body), BODY_FIELDS.get(action))
    canonical = canonical_request(action, body)
    if action in _ROLE_CHECKED:
        check_roles(canonical)
    if action in {"generateContent", "streamGenerateContent"}:
        check_contents(canonical, message_name or "GenerateContentRequest")


def check_contents(request: JSONDict, message_name: str) -> None:
    if not request.get("contents") and not request.get("cachedContent"):
        raise InvalidArgument(f"* {message_name}.contents: contents is not specified\n")
    for index, content in enumerate(request.get("contents") or []):
        if not content.get("parts"):
            raise InvalidArgument(
                f"* {message_name}.contents[{index}].parts: contents.parts must not be empty.\n"
            )


def check_roles(request: JSONDict) -> None:
    """Every turn of `contents` (and of a countTokens `generateContentRequest`) is `user` or
    `model`; a missing or empty role is the default."""
    wrapped = request.get("generateContentRequest")
    contents = [*(request.get("contents") or []), *((wrapped or {}).get("contents") or [])]
    for content in contents:
        role = content.get("role") if isinstance(content, dict) else None
        # Case is not checked: the corpus only shows lower case (UNVERIFIED either way).
        if role and str(role).lower() not in VALID_ROLES and not _is_function_results(content):
            raise InvalidArgument(INVALID_ROLE_MESSAGE)


def _is_function_results(content: JSONDict) -> bool:
    parts = content.get("parts") or []
    return str(content.get("role")).lower() == FUNCTION_ROLE and bool(parts) and all(
        isinstance(part, dict) and "functionResponse" in part for part in parts
    )


def _validate(model: type[Wire], body: JSONDict, body_field: str | None) -> None:
    try:
        model.model_validate(body)
    except ValidationError as exc:
        errors = [_under(error, body_field) for error in exc.errors()]
        messages = [(_field_path(error), _describe(error)) for error in errors]
        raise InvalidArgument(
            "\n".join(message for _, message in messages),
            details=[
                {
                    "@type": "type.googleapis.com/google.rpc.BadRequest",
                    "fieldViolations": [
                        {"field": path, "description": message} if path else {"description": message}
                        for path, message in messages
                    ],
                }
            ],
        ) from None


def _under(error: ErrorDetails, body_field: str | None) -> ErrorDetails:
    """`error` with its location inside `body_field`, the request field the HTTP body fills."""
    if body_field is None:
        return error
    located: ErrorDetails = {**error, "loc": (body_field, *error["loc"])}
    return located


def _field_path(error: ErrorDetails) -> str:
    location = error["loc"][:-1] if error["type"] == "extra_forbidden" else error["loc"]
    path = ""
    for segment in location:
        if isinstance(segment, int):
            path += f"[{segment}]"
        else:
            path += ("." if path else "") + to_snake(segment)
    return path


def _describe(error: ErrorDetails) -> str:
    path = _field_path(error)
    if error["type"] == "extra_forbidden":
        name = error["loc"][-1]
        where = f" at '{path}'" if path else ""
        return f'Invalid JSON payload received. Unknown name "{name}"{where}: Cannot find field.'
    if error["type"] == "missing":
        return f"Invalid value at '{path}': required field is not specified."
    if error["type"] == "enum_value":
        enum = error.get("ctx", {}).get("enum", "")
        return f"Invalid value at '{path}' (type.googleapis.com/{ENUM_PACKAGE}.{enum}), {json.dumps(error.get('input'))}"
    if error["type"] == "value_error":
        reason = str(error.get("ctx", {}).get("error", error["msg"]))
        return f"Invalid value at '{path}' (TYPE_BYTES), {reason}"
    proto_type = _PROTO_TYPES.get(error["type"])
    value = json.dumps(error.get("input"))
    if proto_type:
        return f"Invalid value at '{path}' ({proto_type}), {value}"
    return f"Invalid JSON payload received. Invalid value at '{path}': {value}"


def check_thought_signatures(request: JSONDict) -> None:
    """Gemini 3 refuses a current turn whose function calls lost their thought signatures."""
    contents = request.get("contents") or []
    for index in range(_current_turn_start(contents), len(contents)):
        content = contents[index]
        calls = [part for part in content.get("parts") or [] if "functionCall" in part]
        if content.get("role") == "model" and calls and not calls[0].get("thoughtSignature"):
            name = calls[0]["functionCall"].get("name", "")
            raise InvalidArgument(
                "Function call is missing a thought_signature in functionCall parts. This is required "
                "for tools to work correctly, and missing thought_signature may lead to degraded model "
                f"performance. Additional data, function call `default_api:{name}` , position {index + 1}. "
                "Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details."
            )


def _current_turn_start(contents: list[JSONDict]) -> int:
    for index in range(len(contents) - 1, -1, -1):
        parts = contents[index].get("parts") or []
        if contents[index].get("role", "user") == "user" and any("text" in part for part in parts):
            return index
    return 0
