"""The first message of a session, read into what answering it needs.

The setup is answered by `setupComplete` only; every mistake in it closes the socket. The model
must be a Live model: the service closes with 1008 "models/gemini-2.5-flash is not found for API
version v1beta, or is not supported for bidiGenerateContent" for any other (public client logs).
"""

from __future__ import annotations

from dataclasses import dataclass

from mockgem._types import JSONDict
from mockgem.protocol.live.closes import LiveRefusal, invalid_argument
from mockgem.protocol.live.messages import ClientMessage

# Models that answer bidiGenerateContent, as ai.google.dev/gemini-api/docs/live listed them in
# 2025-2026 (UNVERIFIED today: Google adds and retires Live models often; a rule naming a model
# makes any other one usable).
LIVE_MODELS = frozenset({
    "gemini-live-2.5-flash-preview",
    "gemini-live-2.5-flash",
    "gemini-2.0-flash-live-001",
    "gemini-2.5-flash-live-preview",
    "gemini-2.5-flash-native-audio-latest",
    "gemini-2.5-flash-native-audio-preview-09-2025",
    "gemini-2.5-flash-native-audio-preview-12-2025",
    "gemini-3.1-flash-live-preview",
})
PCM_OUTPUT_TYPE = "audio/pcm;rate=24000"


@dataclass(frozen=True, slots=True)
class LiveSetup:
    """The setup's canonical body and what the answer depends on."""

    body: JSONDict
    model: str

    @property
    def config(self) -> JSONDict:
        value = self.body.get("generationConfig")
        return value if isinstance(value, dict) else {}

    @property
    def modalities(self) -> tuple[str, ...]:
        """The reply's modality; AUDIO unless the setup says otherwise (google-genai sets AUDIO
        on Vertex AI "to align with" the Gemini API's default, `live.py`)."""
        given = self.config.get("responseModalities")
        return tuple(str(m).upper() for m in given) if isinstance(given, list) and given else ("AUDIO",)

    @property
    def speaks(self) -> bool:
        return "AUDIO" in self.modalities

    @property
    def function_names(self) -> tuple[str, ...]:
        tools = self.body.get("tools")
        return tuple(
            str(declaration.get("name"))
            for tool in (tools if isinstance(tools, list) else []) if isinstance(tool, dict)
            for declaration in tool.get("functionDeclarations") or [] if isinstance(declaration, dict)
        )

    @property
    def resumption(self) -> JSONDict | None:
        """`sessionResumption`, when the client asked for handles (an empty object asks too)."""
        value = self.body.get("sessionResumption")
        return value if isinstance(value, dict) else None

    @property
    def resumed_handle(self) -> str | None:
        handle = (self.resumption or {}).get("handle")
        return str(handle) if handle else None

    def transcribes(self, side: str) -> bool:
        """Whether `inputAudioTranscription` / `outputAudioTranscription` (side `input`/`output`) is on."""
        return isinstance(self.body.get(f"{side}AudioTranscription"), dict)


def read_setup(message: ClientMessage) -> LiveSetup:
    """The setup a session starts with; LiveRefusal when the first message is anything else.

    UNVERIFIED: the service's reason for a first message that is no setup, or a setup without a
    model; "Request contains an invalid argument." is its generic 1007.
    """
    if message.kind != "setup":
        raise LiveRefusal(invalid_argument())
    model = message.body.get("model")
    if not isinstance(model, str) or not model.strip():
        raise LiveRefusal(invalid_argument())
    return LiveSetup(message.body, model.rsplit("/", 1)[-1])
