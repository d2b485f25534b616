"""Recorded Live sessions replayed: matched on the setup, then message by message.

A session is one cassette interaction (the upgrade, status 101) whose response holds every
frame (`websocket_messages`). The first client message (the setup) picks the sessions recorded
with the same setup; each later client message keeps those that recorded the same message at
that place, and the server frames recorded after it (up to the next client message) are sent,
with their recorded gaps played as `--replay-timing` says and their bytes as recorded. Messages
are compared in canonical form (camelCase names, `--ignore-path` left out, as REST bodies are).
A client that sends what no candidate recorded gets a close naming the closest session, and
the miss, with the first differing message and its differences, goes to the journal.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from mockgem.protocol.live.closes import LiveClose
from mockgem.protocol.live.messages import ClientMessage
from mockgem.sources.cassettes.index import Mismatch, Recorded, diff_json, rank, unlikeness
from mockgem.sources.cassettes.keys import KeyRules, canonical_body
from mockgem.sources.cassettes.model import WebSocketMessage
from mockgem.sources.live.base import Outgoing, QueuedConversation

SHOWN_DIFFERENCES = 8
# mockgem's own close for a session no recording answers: a policy refusal, as a REST miss is a 4xx.
MISS_CODE = 1008


@dataclass(frozen=True, slots=True)
class Step:
    """A client message as recorded (canonical), and the server frames recorded after it."""

    client: Any
    replies: tuple[Outgoing, ...]


@dataclass(frozen=True, slots=True)
class RecordedSession:
    origin: str
    uri: str
    steps: tuple[Step, ...]


def recorded_sessions(recordings: Iterable[Recorded], rules: KeyRules) -> list[RecordedSession]:
    """The Live sessions among `recordings`, in order."""
    return [
        RecordedSession(recorded.origin, recorded.interaction.request.uri, _steps(messages, rules))
        for recorded in recordings
        if (messages := recorded.interaction.response.websocket_messages)
    ]


def _steps(messages: Sequence[WebSocketMessage], rules: KeyRules) -> tuple[Step, ...]:
    steps: list[Step] = []
    client: Any = None
    replies: list[Outgoing] = []
    previous = 0.0
    for message in messages:
        if message.type == "send" and message.opcode != 8:
            if client is not None:
                steps.append(Step(client, tuple(replies)))
            client, replies = canonical(message.data, rules), []
        elif message.type == "receive":
            replies.append(_outgoing(message, message.time - previous))
        previous = message.time
    if client is not None:
        steps.append(Step(client, tuple(replies)))
    return tuple(steps)


def _outgoing(message: WebSocketMessage, gap: float) -> Outgoing:
    if message.opcode == 8:
        return Outgoing.closing(LiveClose(message.code or 1000, message.data.decode(errors="replace")), max(0.0, gap))
    return Outgoing(message.data, max(0.0, gap), text=message.opcode == 1)


def canonical(data: bytes | str, rules: KeyRules) -> Any:
    raw = data.encode() if isinstance(data, str) else data
    value, digest, is_json = canonical_body(raw, rules)
    return value if is_json else digest


@dataclass(frozen=True, slots=True)
class SessionMiss:
    """No recorded session answers: the journal's message and the close the client gets."""

    message: str
    close: LiveClose


def session_miss(sessions: Sequence[RecordedSession], sent: Any, index: int, searched: Sequence[str]) -> SessionMiss:
    """The miss of client message `index` (0: the setup), naming the closest of `sessions`."""
    where = "the setup" if index == 0 else f"client message {index + 1}"
    head = f"no recorded Live session matches {where}. Searched {', '.join(searched) or 'no cassette'} ({len(sessions)} sessions)."
    ranked = [(session, _differences(session, sent, index)) for session in sessions]
    if not ranked:
        return SessionMiss(head, LiveClose.of(MISS_CODE, f"mockgem: no recorded Live session matches {where}"))
    closest, mismatches = min(ranked, key=lambda pair: (rank(pair[1]), unlikeness(pair[1])))
    lines = [head, f"Closest: {closest.origin}, {closest.uri}, which matched {index} client message(s) before it.",
             "Differences (recorded -> sent):", *(f"  {m.aspect}: {m.expected} -> {m.actual}" for m in mismatches[:SHOWN_DIFFERENCES])]
    return SessionMiss("\n".join(lines), LiveClose.of(MISS_CODE, f"mockgem: {where} differs from the closest recording, {closest.origin}"))


def _differences(session: RecordedSession, sent: Any, index: int) -> list[Mismatch]:
    if index >= len(session.steps):
        return [Mismatch(f"message {index + 1}", "(the recording ends)", "a message")]
    return diff_json(session.steps[index].client, sent, "message") or [Mismatch("message", "(as recorded)", "(sent again)")]


class ReplayedConversation(QueuedConversation):
    """Plays `candidates` (sessions recorded with the same setup) as the client goes on."""

    source = "cassettes"

    def __init__(self, candidates: Sequence[RecordedSession], rules: KeyRules, *, timing: float, searched: Sequence[str]) -> None:
        super().__init__()
        self.candidates, self.rules, self.timing, self.searched = list(candidates), rules, timing, searched
        self.heard = 0

    @property
    def origin(self) -> str:
        return self.candidates[0].origin if self.candidates else ""

    async def hear(self, message: ClientMessage) -> None:
        sent, index = canonical(message.raw, self.rules), self.heard
        self.heard += 1
        fitting = [c for c in self.candidates if index < len(c.steps) and c.steps[index].client == sent]
        if not fitting:
            missed = session_miss(self.candidates, sent, index, self.searched)
            self.miss = missed.message
            self.interrupt([Outgoing.closing(missed.close)])
            return
        self.candidates = fitting
        self.push(Outgoing(item.data, item.delay * self.timing, item.text, item.close) for item in fitting[0].steps[index].replies)
