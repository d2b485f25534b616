"""Replay lookup: one hash lookup per request, and a readable near miss when nothing matches.

Identical requests recorded several times are served in recorded order (each recording once,
as vcrpy plays them), then the last one repeats; in `auto` (`repeat_last=False`) a request whose recordings were all served is a miss,
so it is forwarded and recorded again, as vcrpy's `new_episodes` does. Lookups may be scoped to
one cassette (per-test cassettes on a shared server); each scope keeps its own replay order.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath

from mockgem.sources.cassettes.differences import Mismatch, compare, diff_json, head_mismatches, likeness, rank, unlikeness
from mockgem.sources.cassettes.keys import KeyRules, RequestKey, RequestShape, describe_request
from mockgem.sources.cassettes.model import Cassette, Interaction

ALL = "*"
_SHOWN_DIFFERENCES = 6
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
    differences: tuple[Mismatch, ...] = field(default=(), compare=False)

    @property
    def origin(self) -> str:
        return f"{self.cassette} #{self.position}"

    @property
    def fallback(self) -> str | None:
        """For a recording played by order for a request it does not match, what differs."""
        if not self.differences:
            return None
        request = self.interaction.request
        lines = [f"played {self.origin} ({request.method} {request.uri}) by order: it is the next unplayed "
                 "recording of this method and path, and no recording matches the request.",
                 "Differences (recorded -> sent):"]
        return "\n".join(lines + differences_text(self.differences))


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
        return "\n".join(lines + differences_text(self.mismatches))


def differences_text(mismatches: tuple[Mismatch, ...]) -> list[str]:
    """The first few differences, one a line, and how many more there are."""
    lines = [f"  {m.aspect}: {m.expected} -> {m.actual}" for m in mismatches[:_SHOWN_DIFFERENCES]]
    if len(mismatches) > _SHOWN_DIFFERENCES:
        lines.append(f"  ... and {len(mismatches) - _SHOWN_DIFFERENCES} more")
    return lines


def _names(names: tuple[str, ...], shown: int = 10) -> str:
    if not names:
        return "none loaded"
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


@dataclass(eq=False, slots=True)
class _Slot:
    """A recording in one scope's replay order, and whether it was played in that scope."""

    recorded: Recorded
    played: bool = False


@dataclass(slots=True)
class _Queue:
    """Recordings of one key (or one route) in recorded order, shared slots: a recording played
    through its key is played for its route too."""

    items: list[_Slot] = field(default_factory=list)
    cursor: int = 0  # every slot before it was played: a long queue is not scanned from its start

    @property
    def used_up(self) -> bool:
        return self._first_unplayed() is None

    def next(self, *, repeat_last: bool, fits: Callable[[Recorded], bool] | None = None) -> _Slot | None:
        """The first unplayed recording (that `fits`), not yet marked played; once all were
        played, the last again, or None if it must not repeat (a recording of this run always
        repeats: auto answers a request it just recorded)."""
        fitting = self.items if fits is None else [slot for slot in self.items if fits(slot.recorded)]
        slot = self._first_unplayed() if fits is None else next((slot for slot in fitting if not slot.played), None)
        if slot is None and fitting and (repeat_last or fitting[-1].recorded.fresh):
            slot = fitting[-1]
        return slot

    def next_unplayed(self) -> _Slot | None:
        """The first recording not played yet (not yet marked played); None once all were."""
        return self._first_unplayed()

    def restart(self) -> None:
        self.cursor = 0
        for slot in self.items:
            slot.played = False

    def _first_unplayed(self) -> _Slot | None:
        while self.cursor < len(self.items) and self.items[self.cursor].played:
            self.cursor += 1
        return self.items[self.cursor] if self.cursor < len(self.items) else None

    def add(self, slot: _Slot, *, served: bool) -> None:
        """Queue `slot`; `served` (it answered its request as it was recorded) counts it as
        played where the queue had nothing left to play."""
        if served and self.used_up:
            slot.played = True
        self.items.append(slot)


@dataclass(slots=True)
class _Scope:
    """One replay order: the queues by match key, and the same slots by route (method and path)."""

    keys: dict[RequestKey, _Queue] = field(default_factory=dict)
    routes: dict[RequestKey, _Queue] = field(default_factory=dict)

    def add(self, recorded: Recorded, *, served: bool) -> None:
        slot = _Slot(recorded)
        self.keys.setdefault(recorded.shape.key, _Queue()).add(slot, served=served)
        self.routes.setdefault(recorded.shape.route, _Queue()).items.append(slot)

    def without(self, name: str) -> _Scope:
        """This order without the recordings of the cassette `name`."""
        scope = _Scope()
        for mine, theirs in ((self.keys, scope.keys), (self.routes, scope.routes)):
            for key, queue in mine.items():
                theirs[key] = _Queue([slot for slot in queue.items if slot.recorded.cassette != name])
        return scope

    def restart(self) -> None:
        for queue in (*self.keys.values(), *self.routes.values()):
            queue.restart()


class CassetteIndex:
    """Every loaded recording by match key, overall and per cassette.

    `fallback` (replay, unless strict): in a selected cassette, a request that matches no
    recording gets the next unplayed recording of the same method and path, as vcrpy replays
    in recorded order; the Recorded it gets carries its differences, to be reported.
    """

    def __init__(self, cassettes: Iterable[Cassette] = (), *, rules: KeyRules | None = None, repeat_last: bool = True,
                 fallback: bool = False) -> None:
        self.rules = rules or KeyRules()
        self.repeat_last = repeat_last
        self.fallback = fallback
        self._scopes: dict[str, _Scope] = {ALL: _Scope()}
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
        self.declare(cassette.name)
        for interaction in cassette.interactions:
            self.record(cassette.name, interaction)

    def record(self, cassette: str, interaction: Interaction, *, served: bool = False) -> Recorded:
        """Index one interaction at the end of `cassette`; `served` when it was just recorded for
        the request it answered: a later identical request replays it (then it repeats)."""
        self.declare(cassette)
        request = interaction.request
        shape = describe_request(request.method, request.uri, request.body, self.rules, request.headers)
        recorded = Recorded(interaction, cassette, len(self._recorded[cassette]) + 1, shape, fresh=served)
        self._recorded[cassette].append(recorded)
        for scope in (ALL, cassette):
            self._scopes[scope].add(recorded, served=served)
        return recorded

    def declare(self, name: str) -> None:
        """Count the cassette `name` as loaded, with no recordings if it has none yet."""
        if name not in self._recorded:
            self._recorded[name] = []
            self._scopes[name] = _Scope()
            self._aliases.setdefault(str(PurePosixPath(name).with_suffix("")), name)

    def forget(self, name: str) -> None:
        """Drop every recording of the cassette `name` (it stays loaded, empty)."""
        if name not in self._recorded:
            return
        self._recorded[name], self._scopes[name] = [], _Scope()
        self._scopes[ALL] = self._scopes[ALL].without(name)

    def resolve(self, name: str) -> str | None:
        """The loaded cassette called `name`, given with or without its extension."""
        return name if name in self._recorded else self._aliases.get(name)

    def reset(self) -> None:
        """Replay every recording from the start again."""
        for scope in self._scopes.values():
            scope.restart()

    def lookup(self, method: str, target: str, body: bytes, *, cassette: str | None = None) -> Recorded | NearMiss:
        """The next recording for this request, in `cassette` only when named, else in all."""
        return self.lookup_shape(describe_request(method, target, body, self.rules), cassette=cassette)

    def holds(self, shape: RequestShape, *, cassette: str | None = None) -> bool:
        """Whether a recording matches, without taking it from the replay order."""
        scope = self._scope(cassette)
        return scope is not None and bool(scope.keys.get(shape.key, _Queue()).items)

    def recordings_of_route(self, shape: RequestShape, *, cassette: str | None = None) -> int:
        """How many recordings of the request's method and path the scope holds."""
        scope = self._scope(cassette)
        return len(scope.routes.get(shape.route, _Queue()).items) if scope is not None else 0

    def lookup_shape(self, shape: RequestShape, *, cassette: str | None = None) -> Recorded | NearMiss:
        found = self.take(shape, cassette=cassette)
        if found is not None:
            return found
        return self.near_miss(shape, cassette=cassette)

    def near_miss(self, shape: RequestShape, *, cassette: str | None = None) -> NearMiss:
        """What was searched for `shape`, and its closest recording with the differences."""
        scope = ALL if cassette is None else self.resolve(cassette)
        return NearMiss(shape, (str(cassette),), 0) if scope is None else self._near_miss(shape, scope)

    def take(self, shape: RequestShape, *, cassette: str | None = None, accept: Callable[[Recorded], bool] | None = None) -> Recorded | None:
        """The next recording for `shape` (in a named cassette, by order if none matches), or
        None: no near miss is worked out. One that `accept` turns down stays next in the order."""
        scope = self._scope(cassette)
        if scope is None:
            return None
        fits = functools.partial(_headers_fit, shape) if "headers" in shape.matched else None
        queue = scope.keys.get(shape.key)
        slot = queue.next(repeat_last=self.repeat_last, fits=fits) if queue is not None else None
        if slot is not None:
            return _played(slot, slot.recorded, accept)
        if self.fallback and cassette is not None:
            return self._by_order(scope, shape, accept)
        return None

    def _by_order(self, scope: _Scope, shape: RequestShape, accept: Callable[[Recorded], bool] | None) -> Recorded | None:
        queue = scope.routes.get(shape.route)
        slot = queue.next_unplayed() if queue is not None else None
        if slot is None:
            return None
        differences = compare(slot.recorded.shape, shape) or [Mismatch("request", "(as recorded)", "(differs only where not shown)")]
        return _played(slot, replace(slot.recorded, differences=tuple(differences)), accept)

    def _scope(self, cassette: str | None) -> _Scope | None:
        name = ALL if cassette is None else self.resolve(cassette)
        return self._scopes[name] if name is not None else None

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


def _played(slot: _Slot, recorded: Recorded, accept: Callable[[Recorded], bool] | None) -> Recorded | None:
    if accept is not None and not accept(recorded):
        return None
    slot.played = True
    return recorded


def _nearest_endpoints(shape: RequestShape, candidates: list[Recorded]) -> list[Recorded]:
    """The recordings, one per distinct request, whose method and endpoint differ least from the
    request's: only their bodies are compared, so a miss among many recordings stays cheap."""
    distinct: dict[RequestKey, Recorded] = {}
    for candidate in candidates:
        distinct.setdefault(candidate.shape.key, candidate)
    weighed = [(rank(head_mismatches(candidate.shape, shape)), candidate) for candidate in distinct.values()]
    nearest = min(weight for weight, _ in weighed)
    return [candidate for weight, candidate in weighed if weight == nearest]


def _headers_fit(sent: RequestShape, recorded: Recorded) -> bool:
    return recorded.shape.headers_fit(sent)


__all__ = ["CassetteIndex", "Mismatch", "NearMiss", "Recorded", "diff_json", "likeness", "rank", "unlikeness"]
