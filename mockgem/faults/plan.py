"""What to do to one response, decided once per request from the active faults.

`draw_plan` rolls each fault's probability on a seeded generator, then keeps the first fault
that fired for each aspect (status, latency, ttfb, stream end, content). Put the most specific
faults first: header, then global (drawn before any source is asked), then the rule's
(drawn with its answer, `merged` in). The plan is a plain value; the server reads it
while rendering:

    plan.reset / plan.error / plan.empty          before anything is sent
    plan.ttfb                                     seconds to wait before the first byte
    plan.apply(body) / plan.apply_to_chunks(...)  blocked prompt, early finish
    plan.delay_before(i)                          seconds to wait before chunk i (0-based)
    plan.interruption_after(sent)                 how the stream ends once `sent` chunks are out
    plan.stream_error / plan.stall                what to send for ERROR, how long to STALL

A unary response counts as one chunk: `interruption_after(0)` is asked before its body.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from typing import TypeVar

from mockgem._types import JSONDict
from mockgem.errors import ApiError
from mockgem.faults.language import (
    Block,
    Cut,
    Effect,
    Empty,
    ErrorAt,
    Fault,
    Finish,
    GoAway,
    HttpError,
    Latency,
    MalformedAt,
    Reset,
    Stall,
    Ttfb,
)
from mockgem.faults.outcomes import (
    block_chunks,
    block_response,
    finish_chunks,
    finish_response,
)
from mockgem.faults.quotas import FREE_TIER_FALLBACK, METRICS
from mockgem.protocol.envelopes import api_error, quota_error

EffectT = TypeVar("EffectT", bound=Effect)

# A drawn 429 delay when the fault gives none: short enough for a test to wait it out.
DEFAULT_RETRY_RANGE = (1.0, 2.0)


class Interruption(enum.Enum):
    """How a stream ends early; the stream ends right after it."""

    MALFORMED = "malformed"
    ERROR = "error"
    STALL = "stall"
    CUT = "cut"


@dataclass(frozen=True)
class StreamError:
    """An `{"error": ...}` chunk sent once `after` chunks were sent."""

    after: int
    error: ApiError


@dataclass(frozen=True)
class FaultPlan:
    """The faults that fired for one request, with every random draw already made."""

    model: str = ""
    fired: tuple[Fault, ...] = ()
    error_code: int | None = None
    retry_seconds: float = DEFAULT_RETRY_RANGE[0]
    reset: bool = False
    empty: bool = False
    ttfb: float = 0.0
    latency: tuple[float, float] | None = None
    jitter_seed: int = 0
    cut_after: int | None = None
    error_after: int | None = None
    stream_error_code: int | None = None
    malformed_after: int | None = None
    stall: float | None = None
    block: str | None = None
    finish: str | None = None
    go_away: float | None = None  # a Live session's goAway timeLeft, in seconds

    @property
    def error(self) -> ApiError | None:
        """The HTTP error to answer with instead of the response."""
        if self.error_code is None:
            return None
        return fault_error(self.error_code, model=self.model, retry_seconds=self.retry_seconds)

    @property
    def stream_error(self) -> StreamError | None:
        if self.error_after is None or self.stream_error_code is None:
            return None
        error = fault_error(self.stream_error_code, model=self.model, retry_seconds=self.retry_seconds)
        return StreamError(self.error_after, error)

    def delay_before(self, index: int) -> float:
        """Seconds to wait before chunk `index`; the same plan always gives the same delays."""
        if self.latency is None or index == 0:
            return 0.0
        low, high = self.latency
        return random.Random(self.jitter_seed * 1_000_003 + index).uniform(low, high)

    def interruption_after(self, sent: int) -> Interruption | None:
        """The interruption due once `sent` chunks were sent (stall takes the cut's place)."""
        stall_after = (self.cut_after or 0) if self.stall is not None else None
        due = (
            (self.malformed_after, Interruption.MALFORMED),
            (self.error_after, Interruption.ERROR),
            (stall_after, Interruption.STALL),
            (self.cut_after, Interruption.CUT),
        )
        return next((kind for after, kind in due if after == sent), None)

    def apply(self, response: JSONDict) -> JSONDict:
        """The content outcome applied to a whole GenerateContentResponse."""
        if self.block is not None:
            return block_response(response, self.block)
        if self.finish is not None:
            return finish_response(response, self.finish)
        return response

    def apply_to_chunks(self, chunks: Sequence[JSONDict]) -> list[JSONDict]:
        """The content outcome applied to the chunks of a stream."""
        if self.block is not None:
            return block_chunks(chunks, self.block)
        if self.finish is not None:
            return finish_chunks(chunks, self.finish)
        return list(chunks)


def draw_plan(faults: Iterable[Fault], rng: random.Random, *, model: str = "") -> FaultPlan:
    """Roll every fault once, in order, and fold those that fired into one plan."""
    rolled = [(fault, rng.random()) for fault in faults]
    if not rolled:
        return FaultPlan(model=model)
    fired = tuple(fault for fault, roll in rolled if roll < fault.probability)
    effects = [fault.effect for fault in fired]
    jitter_seed = rng.getrandbits(32)
    status, ttfb, error_at = _first(effects, HttpError), _first(effects, Ttfb), _first(effects, ErrorAt)
    return FaultPlan(
        model=model,
        fired=fired,
        error_code=status.code if status else None,
        retry_seconds=_retry_seconds(status, rng),
        reset=_first(effects, Reset) is not None,
        empty=_first(effects, Empty) is not None,
        ttfb=rng.uniform(ttfb.low, ttfb.high) if ttfb else 0.0,
        latency=_latency_range(_first(effects, Latency)),
        jitter_seed=jitter_seed,
        cut_after=_after(_first(effects, Cut)),
        error_after=error_at.after if error_at else None,
        stream_error_code=error_at.code if error_at else None,
        malformed_after=_after(_first(effects, MalformedAt)),
        stall=_stall_seconds(_first(effects, Stall)),
        block=_reason(_first(effects, Block)),
        finish=_reason(_first(effects, Finish)),
        go_away=_go_away_seconds(_first(effects, GoAway)),
    )


def fault_error(code: int, *, model: str, retry_seconds: float) -> ApiError:
    """The error the real API sends for `code`; a 429 is the per-minute free tier quota body."""
    if code != 429:
        return api_error(code)
    rpm = METRICS["rpm"]
    return quota_error(model, rpm.quota_metric, rpm.quota_id, FREE_TIER_FALLBACK["rpm"], retry_seconds)


def _first(effects: Sequence[Effect], kind: type[EffectT]) -> EffectT | None:
    return next((effect for effect in effects if isinstance(effect, kind)), None)


def _retry_seconds(status: HttpError | None, rng: random.Random) -> float:
    # Always drawn, so that a 429 in an error-at chunk gets a delay too and draws stay aligned.
    drawn = rng.uniform(*DEFAULT_RETRY_RANGE)
    return status.retry_after if status and status.retry_after is not None else drawn


def _latency_range(latency: Latency | None) -> tuple[float, float] | None:
    return (latency.low, latency.high) if latency else None


def _after(effect: Cut | MalformedAt | None) -> int | None:
    return effect.after if effect else None


def _stall_seconds(stall: Stall | None) -> float | None:
    return stall.seconds if stall else None


def _go_away_seconds(effect: GoAway | None) -> float | None:
    return effect.seconds if effect else None


def _reason(effect: Block | Finish | None) -> str | None:
    return effect.reason if effect else None


def merged(first: FaultPlan, then: FaultPlan) -> FaultPlan:
    """`first` with every aspect it leaves unset taken from `then` (the first fault that fired wins)."""
    defaults = FaultPlan()
    taken = {
        field.name: getattr(then, field.name)
        for field in fields(FaultPlan)
        if field.name not in {"fired", "model"} and getattr(first, field.name) == getattr(defaults, field.name)
    }
    return replace(first, **taken, fired=first.fired + then.fired, model=first.model or then.model)

