"""Replay lookup: one hash lookup per request, and a readable near miss when nothing matches.

Identical requests recorded several times are served in recorded order, then the last one
repeats; in `auto` (`repeat_last=False`) a request whose recordings were all served is a miss,
so it is forwarded and recorded again, as vcrpy's `new_episodes` does. Lookups may be scoped to
one cassette (per-test cassettes on a shared server); each scope keeps its own replay order.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from mockgem.sources.cassettes.keys import KeyRules, RequestKey, RequestShape, describe_request
from mockgem.sources.cassettes.model import Cassette, Interaction

ALL = "*"
_SHOWN_DIFFERENCES = 6
_VALUE_WIDTH = 80
_MIDDLE_WIDTH = 200
# How much each aspect weighs when ranking recordings by closeness: lower is closer.
_WEIGHTS = {"method": 1000, "surface": 500, "action": 500, "path": 500, "model": 100, "resource": 50, "query": 20}
_ENDPOINT_ASPECTS = ("surface", "action", "model", "resource")
# A miss weighs closely (difflib) the likeness of at most this many of the equally close
# recordings, the roughly nearest: the event loop answers nothing meanwhile.
_TIES_WEIGHED = 20


@dataclass(frozen=True, slots=True)
class Recorded:
    """An interaction and where it was recorded: `cassette` name and 1-based `position`.

    `shape` is its request's match shape, kept so that a miss compares without re-parsing;
    `fresh` marks a recording made in this run (auto), which repeats once it was served.
    """

    interaction: Interaction
    cassette: str
    position: int
    shape: RequestShape = field(repr=False, compare=False)
    fresh: bool = False

    @property
    def origin(self) -> str:
        return f"{self.cassette} #{self.position}"


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One way a recording differs from the request: `expected` is recorded, `actual` was sent."""

    aspect: str
    expected: str
    actual: str
    expected_value: Any = field(default=None, compare=False, repr=False)
    actual_value: Any = field(default=None, compare=False, repr=False)

    def likeness(self, *, rough: bool = False) -> float:
        """How alike the two values are, 0 to 1: breaks ties between equally close recordings."""
        return likeness(self.expected_value, self.actual_value, rough=rough)


@dataclass(frozen=True, slots=True)
class NearMiss:
    """No recording matched: what was searched and the closest recording, with its differences."""

    request: RequestShape
    searched: tuple[str, ...]
    recordings: int
    closest: Recorded | None = None
    mismatches: tuple[Mismatch, ...] = ()

    @property
    def message(self) -> str:
        lines = [
            f"no recorded interaction matches {self.request.method} {self.request.endpoint_text}.",
            f"Searched {_plural(len(self.searched), 'cassette')} ({_names(self.searched)}; "
            f"{_plural(self.recordings, 'interaction')}).",
        ]
        if self.closest is None:
            return " ".join(lines)
        request = self.closest.interaction.request
        lines.append(f"Closest: {self.closest.origin}, {request.method} {request.uri}.")
        if not self.mismatches:
            return "\n".join([*lines, "It is recorded: every recording of it was served already."])
        lines.append("Differences (recorded -> sent):")
        lines.extend(f"  {m.aspect}: {m.expected} -> {m.actual}" for m in self.mismatches[:_SHOWN_DIFFERENCES])
        if len(self.mismatches) > _SHOWN_DIFFERENCES:
            lines.append(f"  ... and {len(self.mismatches) - _SHOWN_DIFFERENCES} more")
        return "\n".join(lines)


def _names(names: tuple[str, ...], shown: int = 10) -> str:
    if not names:
        return "none loaded"
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


@dataclass(slots=True)
class _Queue:
    """Recordings of one key in recorded order; `served` counts the replays so far."""

    items: list[Recorded] = field(default_factory=list)
    served: int = 0

    @property
    def used_up(self) -> bool:
        return self.served >= len(self.items)

    def peek(self, *, repeat_last: bool) -> Recorded | None:
        """What `next` would give, leaving the order as it is."""
        if not self.items or (self.used_up and not repeat_last and not self.items[-1].fresh):
            return None
        return self.items[min(self.served, len(self.items) - 1)]

    def next(self, *, repeat_last: bool) -> Recorded | None:
        """The next recording; once all were served, the last again, or None if it must not repeat
        (a recording of this run always repeats: auto answers a request it just recorded)."""
        item = self.peek(repeat_last=repeat_last)
        if item is not None:
            self.served += 1
        return item

    def add(self, recorded: Recorded, *, served: bool) -> None:
        """Queue `recorded`; `served` (it answered its request as it was recorded) counts it as
        served where the queue had nothing left to serve."""
        used_up = self.used_up
        self.items.append(recorded)
        if served and used_up:
            self.served = max(self.served, len(self.items))


class CassetteIndex:
    """Every loaded recording by match key, overall and per cassette."""

    def __init__(self, cassettes: Iterable[Cassette] = (), *, rules: KeyRules | None = None, repeat_last: bool = True) -> None:
        self.rules = rules or KeyRules()
        self.repeat_last = repeat_last
        self._scopes: dict[str, dict[RequestKey, _Queue]] = {ALL: {}}
        self._recorded: dict[str, list[Recorded]] = {}
        self._aliases: dict[str, str] = {}
        for cassette in cassettes:
            self.add(cassette)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._recorded)

    def count(self, name: str) -> int:
        """How many interactions the loaded cassette `name` holds."""
        return len(self._recorded.get(name, ()))

    def __len__(self) -> int:
        return sum(len(items) for items in self._recorded.values())

    def recordings(self, cassette: str | None = None) -> list[Recorded]:
        """Every recording in load order, of `cassette` only when named (Live sessions look here)."""
        names = self.names if cassette is None else tuple(name for name in [self.resolve(cassette)] if name)
        return [recorded for name in names for recorded in self._recorded[name]]

    def add(self, cassette: Cassette) -> None:
        """Index a cassette's interactions (an empty cassette still counts as loaded)."""
        self._declare(cassette.name)
        for interaction in cassette.interactions:
            self.record(cassette.name, interaction)

    def record(self, cassette: str, interaction: Interaction, *, served: bool = False) -> Recorded:
        """Index one interaction at the end of `cassette`; `served` when it was just recorded for
        the request it answered: a later identical request replays it (then it repeats)."""
        self._declare(cassette)
        request = interaction.request
        shape = describe_request(request.method, request.uri, request.body, self.rules)
        recorded = Recorded(interaction, cassette, len(self._recorded[cassette]) + 1, shape, fresh=served)
        self._recorded[cassette].append(recorded)
        for scope in (ALL, cassette):
            self._scopes[scope].setdefault(shape.key, _Queue()).add(recorded, served=served)
        return recorded

    def _declare(self, name: str) -> None:
        if name not in self._recorded:
            self._recorded[name] = []
            self._scopes[name] = {}
            self._aliases.setdefault(str(PurePosixPath(name).with_suffix("")), name)

    def forget(self, name: str) -> None:
        """Drop every recording of the cassette `name` (it stays loaded, empty)."""
        if name not in self._recorded:
            return
        self._recorded[name], self._scopes[name] = [], {}
        for queue in self._scopes[ALL].values():
            queue.items = [item for item in queue.items if item.cassette != name]

    def resolve(self, name: str) -> str | None:
        """The loaded cassette called `name`, given with or without its extension."""
        return name if name in self._recorded else self._aliases.get(name)

    def reset(self) -> None:
        """Replay every recording from the start again."""
        for queues in self._scopes.values():
            for queue in queues.values():
                queue.served = 0

    def lookup(self, method: str, target: str, body: bytes, *, cassette: str | None = None) -> Recorded | NearMiss:
        """The next recording for this request, in `cassette` only when named, else in all."""
        return self.lookup_shape(describe_request(method, target, body, self.rules), cassette=cassette)

    def holds(self, shape: RequestShape, *, cassette: str | None = None) -> bool:
        """Whether a recording matches, without taking it from the replay order."""
        scope = ALL if cassette is None else self.resolve(cassette)
        return scope is not None and bool(self._scopes[scope].get(shape.key, _Queue()).items)

    def lookup_shape(self, shape: RequestShape, *, cassette: str | None = None) -> Recorded | NearMiss:
        found = self.take(shape, cassette=cassette)
        return found if found is not None else self.near_miss(shape, cassette=cassette)

    def near_miss(self, shape: RequestShape, *, cassette: str | None = None) -> NearMiss:
        """What was searched for `shape` and the closest recording: reads the index only, so it
        may run in a worker thread while the server goes on answering."""
        scope = ALL if cassette is None else self.resolve(cassette)
        return NearMiss(shape, (str(cassette),), 0) if scope is None else self._near_miss(shape, scope)

    def take(self, shape: RequestShape, *, cassette: str | None = None, accept: Callable[[Recorded], bool] | None = None) -> Recorded | None:
        """The next recording for `shape`, or None: no near miss is worked out. With `accept`, a
        recording it turns down stays next in the replay order."""
        scope = ALL if cassette is None else self.resolve(cassette)
        queue = self._scopes[scope].get(shape.key) if scope is not None else None
        if queue is None:
            return None
        if accept is not None:
            upcoming = queue.peek(repeat_last=self.repeat_last)
            if upcoming is None or not accept(upcoming):
                return None
        return queue.next(repeat_last=self.repeat_last)

    def _near_miss(self, shape: RequestShape, scope: str) -> NearMiss:
        searched = self.names if scope == ALL else (scope,)
        candidates = [recorded for name in searched for recorded in self._recorded[name]]
        if not candidates:
            return NearMiss(shape, searched, 0)
        pool = _nearest_endpoints(shape, candidates)
        ranked = [(rank(mismatches), candidate, mismatches) for candidate in pool for mismatches in [compare(candidate.shape, shape)]]
        nearest = min(weight for weight, _, _ in ranked)
        tied = [(candidate, mismatches) for weight, candidate, mismatches in ranked if weight == nearest]
        # Roughly (common start and end) first, then closely among the roughly nearest few.
        tied = sorted(tied, key=lambda pair: unlikeness(pair[1], rough=True))[:_TIES_WEIGHED]
        closest, mismatches = min(tied, key=lambda pair: unlikeness(pair[1]))  # the first of equal rank
        return NearMiss(shape, searched, len(candidates), closest, tuple(mismatches))


def _nearest_endpoints(shape: RequestShape, candidates: list[Recorded]) -> list[Recorded]:
    """The recordings, one per distinct request, whose method and endpoint differ least from the
    request's: only their bodies are compared, so a miss among many recordings stays cheap."""
    distinct: dict[RequestKey, Recorded] = {}
    for candidate in candidates:
        distinct.setdefault(candidate.shape.key, candidate)
    weighed = [(rank(_head_mismatches(candidate.shape, shape)), candidate) for candidate in distinct.values()]
    nearest = min(weight for weight, _ in weighed)
    return [candidate for weight, candidate in weighed if weight == nearest]


def _head_mismatches(recorded: RequestShape, sent: RequestShape) -> list[Mismatch]:
    method = [Mismatch("method", recorded.method, sent.method)] if recorded.method != sent.method else []
    return method + _endpoint_mismatches(recorded.endpoint, sent.endpoint)


def compare(recorded: RequestShape, sent: RequestShape) -> list[Mismatch]:
    """Every aspect in which `sent` differs from `recorded`, most important first."""
    found: list[Mismatch] = []
    if recorded.method != sent.method:
        found.append(Mismatch("method", recorded.method, sent.method))
    found.extend(_endpoint_mismatches(recorded.endpoint, sent.endpoint))
    if recorded.query != sent.query:
        found.append(Mismatch("query", _show(dict(recorded.query)), _show(dict(sent.query))))
    if recorded.body_digest != sent.body_digest:
        found.extend(_body_mismatches(recorded, sent))
    return found


def _endpoint_mismatches(recorded: tuple[str, ...], sent: tuple[str, ...]) -> list[Mismatch]:
    if recorded[0] == "path" or sent[0] == "path":
        return [] if recorded == sent else [Mismatch("path", "/".join(recorded), "/".join(sent))]
    return [
        Mismatch(aspect, mine or "(none)", theirs or "(none)")
        for aspect, mine, theirs in zip(_ENDPOINT_ASPECTS + ("version",), recorded, sent, strict=False)
        if mine != theirs
    ]


def _body_mismatches(recorded: RequestShape, sent: RequestShape) -> list[Mismatch]:
    if recorded.body_is_json and sent.body_is_json:
        return diff_json(recorded.body, sent.body, "body")
    return [Mismatch("body", _describe_opaque(recorded), _describe_opaque(sent))]


def _describe_opaque(shape: RequestShape) -> str:
    if shape.body_is_json:
        return "a JSON body"
    return f"raw bytes ({shape.body_digest[6:18]}...)" if shape.body_digest else "(empty)"


def diff_json(recorded: Any, sent: Any, path: str, limit: int = 50) -> list[Mismatch]:
    """Leaf-level differences between two JSON values, named by JSON path, at most `limit`."""
    found: list[Mismatch] = []
    _diff_into(recorded, sent, path, found, limit)
    return found


_ABSENT = object()


def _diff_into(recorded: Any, sent: Any, path: str, found: list[Mismatch], limit: int) -> None:
    if len(found) >= limit or recorded == sent:
        return
    if isinstance(recorded, dict) and isinstance(sent, dict):
        for key in sorted(recorded.keys() | sent.keys()):
            _diff_into(recorded.get(key, _ABSENT), sent.get(key, _ABSENT), f"{path}.{key}", found, limit)
    elif isinstance(recorded, list) and isinstance(sent, list):
        for index in range(max(len(recorded), len(sent))):
            mine = recorded[index] if index < len(recorded) else _ABSENT
            theirs = sent[index] if index < len(sent) else _ABSENT
            _diff_into(mine, theirs, f"{path}[{index}]", found, limit)
    else:
        found.append(Mismatch(path, _show(recorded), _show(sent), recorded, sent))


def _show(value: Any) -> str:
    text = "(absent)" if value is _ABSENT else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= _VALUE_WIDTH else text[: _VALUE_WIDTH - 3] + "..."


def rank(mismatches: list[Mismatch]) -> int:
    """Lower is closer: the aspects that differ, weighed (each body leaf weighs 1)."""
    return sum(_WEIGHTS.get(m.aspect, 1) for m in mismatches)


def unlikeness(mismatches: list[Mismatch], *, rough: bool = False) -> float:
    """Between recordings of equal rank, lower is closer: how unlike their differing values are."""
    return sum(1 - m.likeness(rough=rough) for m in mismatches)


def likeness(recorded: Any, sent: Any, *, rough: bool = False) -> float:
    """How alike two texts are, 0 to 1, as difflib's ratio; 0 for values that are not both text.

    The common start and end are measured first, so difflib only sees what lies between them,
    cut to `_MIDDLE_WIDTH`: a long prompt with one edit stays cheap to compare. `rough` leaves
    difflib out: the common start and end alone.
    """
    if not (isinstance(recorded, str) and isinstance(sent, str) and recorded and sent):
        return 0.0
    head = _common_prefix(recorded, sent)
    tail = _common_prefix(recorded[head:][::-1], sent[head:][::-1])
    mine, theirs = recorded[head : len(recorded) - tail][:_MIDDLE_WIDTH], sent[head : len(sent) - tail][:_MIDDLE_WIDTH]
    matched = head + tail
    if mine and theirs and not rough:
        matched += sum(block.size for block in difflib.SequenceMatcher(None, mine, theirs, autojunk=False).get_matching_blocks())
    return 2 * matched / (len(recorded) + len(sent))


def _common_prefix(first: str, second: str) -> int:
    """The length of the common start, by bisection: slices compare at C speed."""
    low, high = 0, min(len(first), len(second))
    while low < high:
        middle = (low + high + 1) // 2
        if first[:middle] == second[:middle]:
            low = middle
        else:
            high = middle - 1
    return low
