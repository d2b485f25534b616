"""The form a response takes on the wire, chosen once from the request.

A recorded body is served as its bytes only to a request that asks for the same form; another
form (an SSE recording asked for as the JSON array) is rebuilt from its decoded chunks.
"""

from __future__ import annotations

import enum

from mockgem.protocol.calls import ApiCall


class ResponseForm(enum.Enum):
    JSON = "json"
    SSE = "sse"
    JSON_ARRAY = "array"
    OPENAI_JSON = "openai"
    OPENAI_SSE = "openai-sse"
    BYTES = "bytes"

    @property
    def lists_errors(self) -> bool:
        """The no-`alt` stream form and the OpenAI-compatible layer wrap errors in a list."""
        return self in {ResponseForm.JSON_ARRAY, ResponseForm.OPENAI_JSON, ResponseForm.OPENAI_SSE}

    @property
    def streams(self) -> bool:
        return self in {ResponseForm.SSE, ResponseForm.JSON_ARRAY, ResponseForm.OPENAI_SSE}


def form_of(call: ApiCall | None, alt: str | None, *, openai_stream: bool = False) -> ResponseForm:
    """The form `call` is answered in; `openai_stream` is the chat request's `stream` flag."""
    if call is None:
        return ResponseForm.BYTES
    if call.surface == "openai" or call.action in {"chat.completions", "embeddings"} or call.action.startswith("openai."):
        return ResponseForm.OPENAI_SSE if openai_stream else ResponseForm.OPENAI_JSON
    if call.action == "streamGenerateContent":
        return ResponseForm.SSE if alt == "sse" else ResponseForm.JSON_ARRAY
    if call.action.endswith(".download"):
        return ResponseForm.BYTES
    return ResponseForm.JSON
