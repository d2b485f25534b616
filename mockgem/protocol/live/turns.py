"""Client messages gathered into the turns a model answers.

- `clientContent` adds its `turns` to the context; with `turnComplete: true` the model answers
  (google-genai and @google/genai send `turnComplete: true` unless told otherwise).
- `realtimeInput`: a `text` is answered at once; audio (`audio`, or audio `mediaChunks`) is
  heard until `activityEnd` (manual activity detection) or `audioStreamEnd`, then answered.
  UNVERIFIED: with automatic activity detection the service answers when the speaker falls
  silent; mockgem has no voice detection and waits for one of those two messages.
- `toolResponse` gives the results of a `toolCall`, and the model goes on.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any, Literal

from mockgem._types import JSONDict
from mockgem.protocol.live.messages import ClientMessage

TurnKind = Literal["text", "audio", "tool_response"]


@dataclass(frozen=True, slots=True)
class ClientTurn:
    """One thing to answer: its text (a typed turn), the audio bytes heard, or tool results."""

    kind: TurnKind
    text: str = ""
    function_responses: tuple[JSONDict, ...] = ()
    audio_bytes: int = 0
    contents: tuple[JSONDict, ...] = ()

    @property
    def answered_calls(self) -> frozenset[str]:
        return frozenset(str(response.get("name")) for response in self.function_responses)


@dataclass
class TurnAssembler:
    """Feeds on client messages; hands back a turn when one is complete."""

    pending: list[JSONDict] = field(default_factory=list)
    audio_bytes: int = 0

    def feed(self, message: ClientMessage) -> ClientTurn | None:
        body = message.body
        if message.kind == "clientContent":
            return self._content(body)
        if message.kind == "realtimeInput":
            return self._realtime(body)
        if message.kind == "toolResponse":
            responses = [r for r in body.get("functionResponses") or [] if isinstance(r, dict)]
            parts = [{"functionResponse": response} for response in responses]
            return ClientTurn("tool_response", function_responses=tuple(responses), contents=({"role": "user", "parts": parts},))
        return None

    def _content(self, body: JSONDict) -> ClientTurn | None:
        self.pending += [turn for turn in body.get("turns") or [] if isinstance(turn, dict)]
        if body.get("turnComplete") is not True:
            return None
        contents, self.pending = tuple(self.pending), []
        return ClientTurn("text", text=last_user_text(contents), contents=contents)

    def _realtime(self, body: JSONDict) -> ClientTurn | None:
        if isinstance(body.get("text"), str):
            text = body["text"]
            return ClientTurn("text", text=text, contents=({"role": "user", "parts": [{"text": text}]},))
        self.audio_bytes += sum(_audio_length(blob) for blob in _audio_blobs(body))
        ends = "activityEnd" in body or body.get("audioStreamEnd") is True
        if not ends or not self.audio_bytes:
            return None
        heard, self.audio_bytes = self.audio_bytes, 0
        return ClientTurn("audio", audio_bytes=heard)


def is_speech(message: ClientMessage) -> bool:
    """Whether the client starts talking: what interrupts a reply under way."""
    body = message.body
    return message.kind == "realtimeInput" and ("activityStart" in body or bool(_audio_blobs(body)))


def last_user_text(contents: tuple[JSONDict, ...]) -> str:
    for content in reversed(contents):
        if content.get("role", "user") == "user":
            texts = [str(part["text"]) for part in content.get("parts") or [] if isinstance(part, dict) and "text" in part]
            if texts:
                return "\n".join(texts)
    return ""


def _audio_blobs(body: JSONDict) -> list[JSONDict]:
    blobs: list[Any] = [body.get("audio"), *(body.get("mediaChunks") or [])]
    return [b for b in blobs if isinstance(b, dict) and str(b.get("mimeType", "audio")).startswith("audio")]


def _audio_length(blob: JSONDict) -> int:
    try:
        return len(base64.b64decode(str(blob.get("data") or ""), validate=False))
    except (binascii.Error, ValueError):
        return 0
