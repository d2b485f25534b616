"""What a Live API client sends: one JSON object per frame, naming one kind of message.

google-genai writes the top-level key in snake_case (`client_content`, `realtime_input`,
`tool_response`; `live.py`) and leaves nested field names as pydantic dumps them, mixed;
@google/genai writes camelCase throughout. The service reads both, as proto3 JSON parsers do,
so every API field name is taken in camelCase here (user maps such as `args` kept as sent).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from mockgem._types import JSONDict
from mockgem.protocol.casing import camel_keys, to_camel
from mockgem.protocol.live.closes import LiveRefusal, invalid_argument

# `contextUpdate` is google-genai's `send_context_update` (newer releases): taken in, not acted on.
CLIENT_KINDS = frozenset({"setup", "clientContent", "realtimeInput", "toolResponse", "contextUpdate"})


@dataclass(frozen=True, slots=True)
class ClientMessage:
    """One client frame: its kind, its value with canonical field names, and its bytes as sent."""

    kind: str
    body: JSONDict
    raw: bytes
    binary: bool = False

    @property
    def document(self) -> JSONDict:
        """The whole message in canonical form, `{kind: body}`."""
        return {self.kind: self.body}


def parse_client_message(data: bytes | str, *, binary: bool = False) -> ClientMessage:
    """The message in one frame; LiveRefusal with the service's 1007 for anything else.

    UNVERIFIED: the exact wording for a frame that is not JSON or sets two kinds follows
    Google's proto3 JSON parser messages, as the REST API words them.
    """
    raw = data.encode() if isinstance(data, str) else data
    document = _json_object(raw)
    kinds = [to_camel(key) for key in document]
    unknown = next((key for key, kind in zip(document, kinds, strict=True) if kind not in CLIENT_KINDS), None)
    if unknown is not None:
        raise LiveRefusal(invalid_argument(f'Invalid JSON payload received. Unknown name "{unknown}": Cannot find field.'))
    if len(kinds) != 1:
        raise LiveRefusal(invalid_argument(_oneof_message(kinds)))
    value = next(iter(document.values()))
    if not isinstance(value, dict):
        raise LiveRefusal(invalid_argument(f'Invalid JSON payload received. Unknown name "{kinds[0]}": Proto field is not repeating, cannot start list.'))
    return ClientMessage(kinds[0], camel_keys(value), raw, binary)


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise LiveRefusal(invalid_argument("Invalid JSON payload received. Unexpected token.")) from None
    if not isinstance(document, dict):
        raise LiveRefusal(invalid_argument("Invalid JSON payload received. Expected an object."))
    return document


def _oneof_message(kinds: list[str]) -> str:
    if not kinds:
        return "Request contains an invalid argument."
    return f"Invalid JSON payload received. Oneof field 'message_type' is already set. Cannot set '{kinds[1]}'"
