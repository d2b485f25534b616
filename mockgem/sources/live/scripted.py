"""A Live session answered by the `live` rules: each client turn gets the first rule that fits.

Text replies come as `modelTurn` text parts, audio replies (the setup's default modality) as
PCM chunks of `audio.speech_for` the text, with `outputTranscription` of each piece when the
setup asks for it. A reply ends with `generationComplete` and `turnComplete` with its usage; a
function call is a `toolCall`, after which the model waits for the `toolResponse`. When the
setup asks for `sessionResumption`, each completed turn brings a `sessionResumptionUpdate`
whose handle a later session may resume (the conversation so far goes with it).
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import secrets
import threading
from dataclasses import dataclass, field

from mockgem._types import JSONDict
from mockgem.protocol.live import frames
from mockgem.protocol.live.closes import for_status
from mockgem.protocol.live.messages import ClientMessage
from mockgem.protocol.live.setup import PCM_OUTPUT_TYPE, LiveSetup
from mockgem.protocol.live.turns import ClientTurn, TurnAssembler, is_speech
from mockgem.protocol.tokens import count_text
from mockgem.sources.live.audio import chunks_of, seconds_of, speech_for
from mockgem.sources.live.base import Outgoing, QueuedConversation
from mockgem.sources.live.rules import LiveReply, LiveRuleBook

# Audio is counted at 32 tokens a second (ai.google.dev/gemini-api/docs/tokens); input at 16 kHz.
AUDIO_TOKENS_PER_SECOND = 32
INPUT_SAMPLE_RATE = 16_000


@dataclass
class SessionState:
    """What a resumed session continues from."""

    model: str
    history: list[JSONDict] = field(default_factory=list)


class ResumptionHandles:
    """The resumption handles this server gave out, and the conversation each stands for."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._states: dict[str, SessionState] = {}

    def issue(self, state: SessionState) -> str:
        handle = secrets.token_urlsafe(24)
        with self._lock:
            self._states[handle] = SessionState(state.model, list(state.history))
        return handle

    def find(self, handle: str) -> SessionState | None:
        with self._lock:
            return self._states.get(handle)

    def clear(self) -> None:
        with self._lock:
            self._states.clear()


class ScriptedConversation(QueuedConversation):
    source = "rules"

    def __init__(self, book: LiveRuleBook, setup: LiveSetup, handles: ResumptionHandles, *,
                 default_text: str, resumed: SessionState | None = None, vertex: bool = False) -> None:
        super().__init__()
        self.vertex = vertex
        self.book, self.setup, self.handles, self.default_text = book, setup, handles, default_text
        self.resumed = resumed is not None
        self.state = resumed or SessionState(setup.model)
        self.assembler = TurnAssembler()
        self.origins: list[str] = []
        self._calls = itertools.count(1)
        self._pending_calls: list[str] = []  # ids of the toolCall that awaits its toolResponse

    @property
    def origin(self) -> str:
        return ", ".join(dict.fromkeys(self.origins)) or "default reply"

    async def hear(self, message: ClientMessage) -> None:
        if message.kind == "setup":
            self.push([Outgoing.frame(frames.setup_complete())])
            return
        if is_speech(message) and self.replying:
            self.interrupt([Outgoing.frame(frames.interrupted())])
        elif is_speech(message) and self._pending_calls:
            # The user spoke instead of waiting: the service cancels the calls under way.
            self.push([Outgoing.frame(frames.tool_call_cancellation(self._pending_calls))])
            self._pending_calls = []
        if message.kind == "toolResponse":
            self._pending_calls = []
        turn = self.assembler.feed(message)
        if turn is not None:
            self.push(self.answer(turn))

    def answer(self, turn: ClientTurn) -> list[Outgoing]:
        self.state.history += turn.contents
        rule = self.book.take(self.setup, turn, resumed=self.resumed)
        self.origins.append(rule.origin if rule else "default reply")
        reply = rule.rule.reply if rule and rule.rule.reply else LiveReply(text=self.default_text)
        if reply.error is not None:
            return [Outgoing.closing(for_status(reply.error.code, self.setup.model))]
        planned = [Outgoing.frame(payload, reply.frame_delay if index else 0.0) for index, payload in enumerate(self._payloads(reply, turn))]
        faults = rule.rule.fault if rule else ()
        return [Outgoing(planned[0].data, planned[0].delay, faults=faults), *planned[1:]] if faults else planned

    def _payloads(self, reply: LiveReply, turn: ClientTurn) -> list[JSONDict]:
        payloads: list[JSONDict] = []
        if turn.kind == "audio" and reply.input_transcription and self.setup.transcribes("input"):
            payloads.append(frames.transcription("input", reply.input_transcription))
        text = reply.text if reply.text is not None or reply.function_calls else self.default_text
        pieces = split_text(text or "", reply.chunks) if text else []
        for piece in pieces:
            payloads += self._spoken(piece) if self.setup.speaks else [frames.model_turn([{"text": piece}])]
        if reply.function_calls:
            calls = [self._call(call.name, call.args, call.id) for call in reply.function_calls]
            self._pending_calls = [str(call["id"]) for call in calls]
            return [*payloads, frames.tool_call(calls)]
        self.state.history.append({"role": "model", "parts": [{"text": text or ""}]})
        payloads += [frames.generation_complete(), frames.turn_complete(self._usage(turn, text or ""))]
        if self.setup.resumption is not None:
            payloads.append(frames.resumption_update(self.handles.issue(self.state)))
        if reply.go_away is not None:
            payloads.append(frames.go_away(reply.go_away))
        return payloads

    def _spoken(self, piece: str) -> list[JSONDict]:
        spoken = [
            frames.model_turn([{"inlineData": {"mimeType": PCM_OUTPUT_TYPE, "data": base64.b64encode(chunk).decode()}}])
            for chunk in chunks_of(speech_for(piece))
        ]
        return [*spoken, frames.transcription("output", piece)] if self.setup.transcribes("output") else spoken

    def _call(self, name: str, args: JSONDict, given: str | None) -> JSONDict:
        # The service's ids read `function-call-` and a large number; these are stable per session.
        number = int.from_bytes(hashlib.sha256(f"{name}:{next(self._calls)}".encode()).digest()[:8], "big")
        self.state.history.append({"role": "model", "parts": [{"functionCall": {"name": name, "args": args}}]})
        return {"id": given or f"function-call-{number}", "name": name, "args": args}

    def _usage(self, turn: ClientTurn, text: str) -> JSONDict:
        heard = seconds_of(turn.audio_bytes, INPUT_SAMPLE_RATE)
        prompt = round(heard * AUDIO_TOKENS_PER_SECOND) if turn.kind == "audio" else count_text(turn.text or str(turn.function_responses))
        if self.setup.speaks:
            answer = round(seconds_of(len(speech_for(text))) * AUDIO_TOKENS_PER_SECOND)
        else:
            answer = count_text(text)
        return frames.usage(max(prompt, 1), answer, prompt_modality="AUDIO" if turn.kind == "audio" else "TEXT",
                            response_modality="AUDIO" if self.setup.speaks else "TEXT", vertex=self.vertex)


def split_text(text: str, pieces: int) -> list[str]:
    """`text` in `pieces` runs of whole words (fewer when it has fewer words); joined, they are `text`."""
    words = text.split(" ")
    count = max(1, min(pieces, len(words)))
    size = -(-len(words) // count)
    runs = [" ".join(words[start : start + size]) for start in range(0, len(words), size)]
    return [run + (" " if index < len(runs) - 1 else "") for index, run in enumerate(runs)]

