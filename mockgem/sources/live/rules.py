"""Scripted Live sessions: the `live` section of a rules file.

```yaml
live:
  - match: {model: "gemini-live-*", contains: "weather"}
    reply: {text: "Sunny, 21 C", chunks: 2}
  - match: {contains: "lights"}
    reply: {function_calls: [{name: turn_on_lights, args: {room: hall}}]}
  - match: {tool_response: turn_on_lights}
    reply: {text: "Done."}
  - match: {audio: true}
    reply: {text: "I heard you.", input_transcription: "hello there", frame_delay: 0.2}
    fault: ["cut=2"]
```
A rule fits one client turn: a typed turn whose text it `contains` (or `regex`), a spoken turn
(`audio: true`), or the results of a tool call (`tool_response: NAME`); `model` and `tool` (a
function the setup declares) look at the setup, `resumed` at whether it resumes a session. The
first rule that fits answers, each at most `times` times.
"""

from __future__ import annotations

import fnmatch
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import Field, ValidationInfo, field_validator, model_validator

from mockgem.protocol.live.setup import LiveSetup
from mockgem.protocol.live.turns import ClientTurn
from mockgem.sources.replies import ErrorReply, FunctionCallReply
from mockgem.sources.strict import Strict, fault_terms


class LiveMatch(Strict):
    model: str | None = None
    tool: str | None = None
    resumed: bool | None = None
    contains: str | None = None
    regex: str | None = None
    audio: bool | None = None
    tool_response: str | None = None

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from None
        return value


class LiveReply(Strict):
    """`chunks`: the text (and its audio) in this many frames; `frame_delay`: seconds between
    frames (so that a client can speak over the reply); `go_away`: seconds left, sent after it."""

    text: str | None = None
    function_calls: list[FunctionCallReply] = Field(default_factory=list)
    input_transcription: str | None = None
    chunks: int = Field(default=1, ge=1)
    frame_delay: float = Field(default=0.0, ge=0)
    go_away: float | None = Field(default=None, ge=0)
    error: ErrorReply | None = None


class LiveRule(Strict):
    match: LiveMatch = Field(default_factory=LiveMatch)
    reply: LiveReply | None = None
    fault: tuple[str, ...] = ()
    times: int | None = Field(default=None, ge=1)

    @field_validator("fault", mode="before")
    @classmethod
    def _fault_terms(cls, value: object, info: ValidationInfo) -> tuple[str, ...]:
        return fault_terms(value, info)

    @model_validator(mode="after")
    def _answers_something(self) -> LiveRule:
        if self.reply is None and not self.fault:
            raise ValueError("a live rule needs `reply`, `fault` or both")
        return self


@dataclass
class LoadedLiveRule:
    rule: LiveRule
    origin: str
    remaining: int | None = None
    pattern: re.Pattern[str] | None = field(default=None)


def loaded_live_rules(rules: Sequence[LiveRule], name: str) -> list[LoadedLiveRule]:
    return [
        LoadedLiveRule(rule, f"live rule {index} in {name}", rule.times, re.compile(rule.match.regex) if rule.match.regex else None)
        for index, rule in enumerate(rules)
    ]


class LiveRuleBook:
    """The live rules of the startup files, and those loaded at run time (first)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._started: list[LoadedLiveRule] = []
        self._loaded: list[LoadedLiveRule] = []

    @property
    def rules(self) -> list[LoadedLiveRule]:
        return self._loaded + self._started

    def start(self, rules: Sequence[LiveRule], name: str) -> None:
        self._started += loaded_live_rules(rules, name)

    def load(self, rules: Sequence[LiveRule], name: str) -> None:
        with self._lock:
            self._loaded[:0] = loaded_live_rules(rules, name)

    def reset(self) -> None:
        with self._lock:
            self._loaded = []
            for loaded in self._started:
                loaded.remaining = loaded.rule.times

    def names_model(self, model: str) -> bool:
        """Whether a rule names `model`: a model outside the Live catalog is then served."""
        return any(r.rule.match.model and fnmatch.fnmatchcase(model, r.rule.match.model.rsplit("/", 1)[-1]) for r in self.rules)

    def fits_setup(self, setup: LiveSetup) -> bool:
        """Whether some rule may answer this session (its model and tool conditions hold)."""
        return any(_fits_setup(loaded.rule.match, setup) for loaded in self.rules if loaded.remaining != 0)

    def take(self, setup: LiveSetup, turn: ClientTurn, *, resumed: bool) -> LoadedLiveRule | None:
        """The first rule that fits `turn` of this session, one of its `times` used."""
        with self._lock:
            for loaded in self.rules:
                if loaded.remaining != 0 and _fits(loaded, setup, turn, resumed):
                    if loaded.remaining is not None:
                        loaded.remaining -= 1
                    return loaded
        return None


def _fits_setup(match: LiveMatch, setup: LiveSetup) -> bool:
    if match.model and not fnmatch.fnmatchcase(setup.model, match.model.rsplit("/", 1)[-1]):
        return False
    return not match.tool or match.tool in setup.function_names


def _fits(loaded: LoadedLiveRule, setup: LiveSetup, turn: ClientTurn, resumed: bool) -> bool:
    match = loaded.rule.match
    if not _fits_setup(match, setup):
        return False
    if match.resumed is not None and match.resumed != resumed:
        return False
    return _fits_turn(loaded, turn)


def _fits_turn(loaded: LoadedLiveRule, turn: ClientTurn) -> bool:
    match = loaded.rule.match
    if match.tool_response is not None:
        return match.tool_response in turn.answered_calls
    if turn.kind == "tool_response" and _calls_again(loaded, turn):
        return False
    if match.audio is not None and match.audio != (turn.kind == "audio"):
        return False
    if match.contains and match.contains.lower() not in turn.text.lower():
        return False
    return loaded.pattern is None or loaded.pattern.search(turn.text) is not None


def _calls_again(loaded: LoadedLiveRule, turn: ClientTurn) -> bool:
    """A rule that would call again the functions whose results just came does not fit them."""
    calls = loaded.rule.reply.function_calls if loaded.rule.reply else []
    return bool(calls) and all(call.name in turn.answered_calls for call in calls)
