"""What the server sends: each a `BidiGenerateContentServerMessage`, camelCase, one per frame.

Shapes as google-genai reads them (`_live_converters._LiveServerMessage_from_mldev`: top-level
`setupComplete`, `serverContent`, `toolCall`, `toolCallCancellation`, `usageMetadata`, `goAway`,
`sessionResumptionUpdate`) and `types.LiveServerContent` / `LiveServerGoAway` for the fields.
The service sends them as binary frames holding UTF-8 JSON: @google/genai's
`handleWebSocketMessage` reads a Blob or ArrayBuffer for that reason, google-genai calls
`recv(decode=False)`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from mockgem._types import JSONDict


def encode_frame(payload: JSONDict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def setup_complete() -> JSONDict:
    # The Gemini API's setupComplete is empty; Vertex AI may add a sessionId (types.LiveServerSetupComplete).
    return {"setupComplete": {}}


def model_turn(parts: Sequence[JSONDict]) -> JSONDict:
    return {"serverContent": {"modelTurn": {"parts": list(parts)}}}


def generation_complete() -> JSONDict:
    return {"serverContent": {"generationComplete": True}}


def turn_complete(usage: JSONDict) -> JSONDict:
    # UNVERIFIED: the usage comes with the turnComplete message, as captures of the Gemini API
    # quoted in public issues show it; Vertex AI may send it apart.
    return {"serverContent": {"turnComplete": True}, "usageMetadata": usage}


def interrupted() -> JSONDict:
    return {"serverContent": {"interrupted": True}}


def transcription(side: str, text: str) -> JSONDict:
    """`inputTranscription` or `outputTranscription` (side `input` / `output`)."""
    return {"serverContent": {f"{side}Transcription": {"text": text}}}


def tool_call(calls: Sequence[JSONDict]) -> JSONDict:
    return {"toolCall": {"functionCalls": list(calls)}}


def tool_call_cancellation(ids: Sequence[str]) -> JSONDict:
    return {"toolCallCancellation": {"ids": list(ids)}}


def go_away(seconds: float) -> JSONDict:
    """`timeLeft` is a protobuf Duration, written in JSON as seconds with an `s`."""
    return {"goAway": {"timeLeft": f"{seconds:g}s"}}


def resumption_update(handle: str) -> JSONDict:
    return {"sessionResumptionUpdate": {"newHandle": handle, "resumable": True}}


def usage(prompt_tokens: int, response_tokens: int, *, prompt_modality: str, response_modality: str, vertex: bool = False) -> JSONDict:
    """The Gemini API's Live usage names the answer `response` (types.UsageMetadata); Vertex AI's
    names it `candidates`, as google-genai's `_UsageMetadata_from_vertex` reads it."""
    answer = "candidates" if vertex else "response"
    return {
        "promptTokenCount": prompt_tokens,
        f"{answer}TokenCount": response_tokens,
        "totalTokenCount": prompt_tokens + response_tokens,
        "promptTokensDetails": [{"modality": prompt_modality, "tokenCount": prompt_tokens}],
        f"{answer}TokensDetails": [{"modality": response_modality, "tokenCount": response_tokens}],
    }
