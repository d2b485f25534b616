"""Scripted rules from YAML: the first rule whose `match` fits the request answers it.

```yaml
rules:
  - match: {model: "gemini-2.5-*", contains: "weather"}
    reply: {text: "Sunny, 21 C"}
    times: 1
  - match: {contains: "flaky"}
    fault: [503, "latency=100ms..300ms"]   # next to or instead of reply
default: {text: "..."}
```
A rules file is checked when it is loaded; a mistake names the file, the rule and the key.
Fault terms are checked by a `check_faults` function the server hands in: the grammar lives in
`mockgem.faults`, which sources may not import (same layer).
"""

from __future__ import annotations

import enum
import fnmatch
import functools
import json
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import yaml
from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_core import ErrorDetails

from mockgem._types import JSONDict
from mockgem.errors import ConfigError
from mockgem.protocol.calls import ApiRequest
from mockgem.protocol.catalog import ModelInfo, bare_model_id, find_model
from mockgem.protocol.envelopes import model_not_found
from mockgem.protocol.validation import check_thought_signatures
from mockgem.sources.base import Answer, Failure, FunctionSource, Miss, Source, Whole
from mockgem.sources.cassettes.safe_yaml import load_yaml
from mockgem.sources.interaction_rules import scripted_interaction
from mockgem.sources.linear_regex import LinearPattern
from mockgem.sources.live.rules import LiveRule, LiveRuleBook
from mockgem.sources.replies import Reply, StreamShape, as_vertex, build_response, reply_error
from mockgem.sources.scripted_media import MEDIA_ACTIONS, scripted_media
from mockgem.sources.strict import Strict, fault_terms
from mockgem.sources.unscripted import unscripted_reply

FileLabels = Callable[[str], Sequence[str]]
DEFAULT_REPLY_TEXT = "This is a scripted answer from mockgem. Add a rule to say something else."

# Parses fault terms and raises a MockGemError naming the valid ones (`mockgem.faults.parse_faults`).
FaultCheck = Callable[[Sequence[str]], object]


class Match(Strict):
    model: str | None = None
    contains: str | None = None
    regex: str | None = None
    file: str | None = None

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            LinearPattern(value)  # its ValueError names what RE2 refuses
        return value


class Rule(Strict):
    match: Match = Field(default_factory=Match)
    reply: Reply | None = None
    fault: tuple[str, ...] = ()
    times: int | None = Field(default=None, ge=1)
    stream: StreamShape | None = None

    @field_validator("fault", mode="before")
    @classmethod
    def _fault_terms(cls, value: object, info: ValidationInfo) -> tuple[str, ...]:
        return fault_terms(value, info)

    @model_validator(mode="after")
    def _answers_something(self) -> Rule:
        if self.reply is None and not self.fault:
            raise ValueError("a rule needs `reply`, `fault` or both")
        return self


class RulesFile(Strict):
    rules: list[Rule] = Field(default_factory=list)
    default: Reply | None = None
    live: list[LiveRule] = Field(default_factory=list)  # Live API sessions: `mockgem.sources.live.rules`


@dataclass
class LoadedRule:
    rule: Rule
    origin: str
    remaining: int | None = None
    pattern: LinearPattern | None = field(default=None)


def load_rules(source: str | Path | JSONDict, check_faults: FaultCheck | None = None, *, name: str | None = None) -> tuple[list[LoadedRule], Reply | None]:
    """Rules from a YAML file or an already-parsed dict; ConfigError says where a mistake is."""
    rules, default, _ = read_rules(source, check_faults, name=name)
    return rules, default


def read_rules(source: str | Path | JSONDict, check_faults: FaultCheck | None = None, *,
               name: str | None = None) -> tuple[list[LoadedRule], Reply | None, list[LiveRule]]:
    """`load_rules`, and the file's live rules."""
    name = name or ("<rules>" if isinstance(source, dict) else str(source))
    data = source if isinstance(source, dict) else _read_yaml(Path(source))
    _check_encodable(name, data)
    try:
        parsed = RulesFile.model_validate(data or {}, context={"check_faults": check_faults})
    except ValidationError as exc:
        raise ConfigError(_describe_errors(name, exc, in_file=not isinstance(source, dict))) from None
    loaded = [
        LoadedRule(rule, f"rule {index} in {name}", rule.times, LinearPattern(rule.match.regex) if rule.match.regex else None)
        for index, rule in enumerate(parsed.rules)
    ]
    return loaded, parsed.default, parsed.live


def _check_encodable(name: str, data: Any) -> None:
    """Every value a rule holds is one a JSON answer can carry (no integer past 64 bits, no
    bytes, no lone surrogate): else the answer it scripts could never be written."""
    try:
        orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)
    except TypeError as exc:
        raise ConfigError(f"{name}: holds a value no JSON answer can carry: {exc}") from None


def _read_yaml(path: Path) -> Any:
    try:
        return load_yaml(path.read_bytes(), strict=True)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the rules file: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a rules file (not UTF-8 text)") from None
    except yaml.MarkedYAMLError as exc:
        raise ConfigError(f"{path}: {_yaml_place(exc)}not valid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None


def _yaml_place(exc: yaml.MarkedYAMLError) -> str:
    """`line 3, column 7: ` (1-based, as editors count), or nothing when YAML gives no place."""
    mark = exc.problem_mark or exc.context_mark
    return f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""


def _describe_errors(name: str, exc: ValidationError, *, in_file: bool) -> str:
    """One line per mistake: `name: rule 0: key 'reply.txt': unknown key` (`name: file: ...`
    for a mistake outside the rules of a file)."""
    lines = []
    for error in exc.errors():
        location = list(error["loc"])
        place = f"{name}: file: " if in_file else f"{name}: "
        if location[:1] == ["rules"] and len(location) > 1:
            place = f"{name}: rule {location[1]}: "
            location = location[2:]
        key = ".".join(str(part) for part in location)
        message = _error_message(error)
        lines.append(f"{place}key '{key}': {message}" if key else f"{place}{message}")
    return "\n".join(lines)


def _error_message(error: ErrorDetails) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown key"
    if error["type"] == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"]))
    return error["msg"]


def last_user_text(request: JSONDict) -> str:
    """The text of the last user turn, which `contains` and `regex` look at."""
    for content in reversed(request.get("contents") or []):
        if content.get("role", "user") == "user":
            texts = [str(p["text"]) for p in content.get("parts") or [] if "text" in p]
            if texts:
                return "\n".join(texts)
    return ""


def answered_calls(request: JSONDict) -> frozenset[str]:
    """The functions whose results end the conversation (its last turn's `functionResponse` parts)."""
    contents = request.get("contents") or []
    last = contents[-1] if contents and isinstance(contents[-1], dict) else {}
    return frozenset(
        str(part["functionResponse"].get("name")) for part in last.get("parts") or []
        if isinstance(part, dict) and isinstance(part.get("functionResponse"), dict)
    )


def file_uris(request: JSONDict) -> Iterator[str]:
    """Every `fileData.fileUri` of a GenerateContentRequest, system instruction included; a
    request of any other shape (an unchecked body) just has none there."""
    contents = request.get("contents")
    for content in [*(contents if isinstance(contents, list) else []), request.get("systemInstruction")]:
        parts = content.get("parts") if isinstance(content, dict) else None
        for part in parts if isinstance(parts, list) else []:
            file_data = part.get("fileData") if isinstance(part, dict) else None
            uri = file_data.get("fileUri") if isinstance(file_data, dict) else None
            if isinstance(uri, str):
                yield uri


class Fallback(enum.Enum):
    """What answers a generate request that no rule fits."""

    PLACEHOLDER = "the default reply, else a placeholder"  # rules alone: every request is answered
    DEFAULT = "the default reply, else a miss"  # after cassettes: a placeholder would hide a miss
    NONE = "a miss"  # before cassettes or the upstream: only what a rule fits


class RuleSource:
    """Answers generate calls from rules; what answers when none fits is its `fallback`.

    `match: {file: glob}` fits a request with a `fileData.fileUri` that the glob matches, or
    whose labels do: sources cannot see the file store, so the server passes `file_labels`,
    which gives the stored file's name and display name for a URI.
    """

    def __init__(self, sources: Sequence[str | Path | JSONDict] = (), *, file_labels: FileLabels | None = None,
                 check_faults: FaultCheck | None = None, fallback: Fallback = Fallback.PLACEHOLDER) -> None:
        self._lock = threading.Lock()
        self.fallback = fallback
        self._file_labels = file_labels
        self._check_faults = check_faults
        self._started: list[LoadedRule] = []
        self._started_default: Reply | None = None
        self._loaded: list[LoadedRule] = []
        self._loaded_default: Reply | None = None
        self.live = LiveRuleBook()
        for source in sources:
            rules, default, live = read_rules(source, self._check_faults)
            self.live.start(live, "<rules>" if isinstance(source, dict) else str(source))
            self._started += rules
            self._started_default = self._started_default or default

    @property
    def rules(self) -> list[LoadedRule]:
        """Rules loaded at run time, newest first, then the startup files' rules in order."""
        return self._loaded + self._started

    @property
    def default(self) -> Reply | None:
        return self._loaded_default or self._started_default

    def load(self, source: str | Path | JSONDict, name: str | None = None) -> int:
        """Rules given at run time: they come before every earlier rule; their default wins."""
        rules, default, live = read_rules(source, self._check_faults, name=name)
        self.live.load(live, name or ("<rules>" if isinstance(source, dict) else str(source)))
        with self._lock:
            self._loaded[:0] = rules
            self._loaded_default = default or self._loaded_default
        return len(rules) + len(live)

    def reset(self) -> None:
        """Back to the startup rules, each `times` counting from the start again."""
        self.live.reset()
        with self._lock:
            self._loaded, self._loaded_default = [], None
            for loaded in self._started:
                loaded.remaining = loaded.rule.times

    async def answer(self, request: ApiRequest) -> Answer | Miss:
        return await self.reply_to(request, self.fallback)

    def answering(self, fallback: Fallback) -> Source:
        """These rules (and their `times`) as a source that falls back as `fallback` says."""
        return FunctionSource(functools.partial(self.reply_to, fallback=fallback))

    def take(self, model_id: str, text: str) -> LoadedRule | None:
        """The first rule that fits a request for `model_id` whose prompt is `text` (its `times` used)."""
        return self._take(model_id, text, find_model(model_id) is not None)

    async def reply_to(self, request: ApiRequest, fallback: Fallback) -> Answer | Miss:
        call = request.call
        if call.action in MEDIA_ACTIONS:
            return scripted_media(self, request)
        if call.action == "interactions.create":
            return await scripted_interaction(self, request, fallback)
        if call.action not in {"generateContent", "streamGenerateContent"} or call.model is None:
            return Miss("rules answer only generateContent and streamGenerateContent", "rules", passing=True)
        if fallback is Fallback.NONE and not self.rules:
            return Miss("no rule matches", "rules", passing=True)
        if request.invalid is not None:  # before its contents are read: they may be anything
            if fallback is Fallback.NONE:
                return Miss(request.invalid.message, "rules", passing=True)  # a recording may answer it
            raise request.invalid
        model_id = bare_model_id(call.model)
        model = find_model(model_id)
        fits = functools.partial(
            self._take, model_id, last_user_text(request.body), model is not None, self._files_of(request.body), answered_calls(request.body),
        )
        falls_back = fallback is Fallback.PLACEHOLDER or (fallback is Fallback.DEFAULT and self.default is not None)
        if not falls_back and fits(consume=False) is None:
            return Miss("no rule matches", "rules", passing=fallback is Fallback.NONE)
        _check_request(model, request)  # before a rule's `times` is used: a refused request spends none
        rule = fits()
        if rule is None and not falls_back:
            return Miss("no rule matches", "rules", passing=fallback is Fallback.NONE)
        if rule is None and model is None:
            raise model_not_found(model_id, call.version, call.action)
        scripted = rule.rule.reply if rule else None
        reply = scripted or unscripted_reply(self.default or Reply(text=DEFAULT_REPLY_TEXT), request.body)
        origin = rule.origin if rule else "default reply"
        faults = rule.rule.fault if rule else ()
        if reply.error is not None:
            return Failure(error=reply_error(reply.error, model_id), origin=origin, faults=faults, source="rules")
        prompt = last_user_text(request.body)
        body = reply.raw if reply.raw is not None else build_response(reply, request.body, model or model_id, prompt=prompt)
        if call.surface == "vertex" and reply.raw is None:
            body = as_vertex(body)
        shape = (rule.rule.stream if rule else None) or reply.stream
        return Whole(body=body, stream_chunks=shape.chunks if shape else None, origin=origin, faults=faults, source="rules")

    def _files_of(self, request: JSONDict) -> list[str]:
        """Each file URI in the request, then the labels the server knows for it."""
        labels: list[str] = []
        for uri in file_uris(request):
            labels += [uri, *(self._file_labels(uri) if self._file_labels else ())]
        return labels

    def _take(self, model: str, text: str, known_model: bool, files: Sequence[str] = (), answered: frozenset[str] = frozenset(),
              *, consume: bool = True) -> LoadedRule | None:
        """The first rule that fits (its `times` used when `consume`); a model outside the catalog
        needs a rule that names it. A rule that would call again the functions whose results end
        the conversation does not fit: an agent loop would call its tool forever."""
        with self._lock:
            for loaded in self.rules:
                if loaded.remaining == 0 or not _fits(loaded, model, text, files) or _calls_again(loaded, answered):
                    continue
                if not known_model and loaded.rule.match.model is None:
                    continue
                if consume and loaded.remaining is not None:
                    loaded.remaining -= 1
                return loaded
        return None


def _calls_again(loaded: LoadedRule, answered: frozenset[str]) -> bool:
    calls = loaded.rule.reply.function_calls if loaded.rule.reply else []
    return bool(calls) and all(call.name in answered for call in calls)


def _check_request(model: ModelInfo | None, request: ApiRequest) -> None:
    """The refusals that come before any answer: a model that does not generate (an embedding
    model), and a Gemini 3 conversation missing a thought signature."""
    if model is None:
        return
    if "generateContent" not in model.methods:
        raise model_not_found(model.id, request.call.version, request.call.action)
    if model.family == "3":
        check_thought_signatures(request.body)


def _fits(loaded: LoadedRule, model: str, text: str, files: Sequence[str] = ()) -> bool:
    match = loaded.rule.match
    if match.file and not any(fnmatch.fnmatchcase(label, match.file) for label in files if label):
        return False
    if match.model and not fnmatch.fnmatchcase(model, bare_model_id(match.model)):
        return False
    if match.contains and match.contains.lower() not in text.lower():
        return False
    return loaded.pattern is None or loaded.pattern.search(text)


def reply_summary(reply: Reply) -> str:
    """A reply in one line, as the inspector lists it: `{"text": "Sunny"}`."""
    return json.dumps(reply.model_dump(mode="json", by_alias=True, exclude_defaults=True), ensure_ascii=False)


def rule_summary(rule: Rule) -> str:
    """`match {...} -> reply {...}` (and its fault terms), in one line."""
    match = json.dumps(rule.match.model_dump(exclude_none=True), ensure_ascii=False)
    parts = [f"match {match}"] + ([f"reply {reply_summary(rule.reply)}"] if rule.reply else []) + ([f"fault {', '.join(rule.fault)}"] if rule.fault else [])
    return " -> ".join(parts[:2]) + "".join(f"; {part}" for part in parts[2:])
