"""Faults applied to a Live session's server frames.

The session's plan (the upgrade request's `X-Mockgem-Fault` terms, then the global `--fault`
ones) counts frames from the first, `setupComplete`; a rule's plan counts from the first frame
of the reply it scripts. Before the setup is answered: `reset` drops the connection, an HTTP
error code refuses the setup with the close that stands for it (429: the quota's 1011), `ttfb`
waits. Along the frames: `latency` between them, and after N frames `cut=N` drops the socket
(the client sees 1006, no close frame), `stall` stops sending then drops it, `error-at=N:CODE`
closes with CODE's close, `malformed-at=N` sends a frame that is not JSON. `goaway=10s` sends
`goAway` right after the first frame, and closes the session once the time is up.
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass

from mockgem.faults import FaultPlan, Interruption, draw_plan, parse_faults
from mockgem.protocol.live.closes import LiveClose, for_status
from mockgem.sources.live.base import Outgoing

MALFORMED_FRAME = b'{"serverContent": {"modelTurn": {"parts": [{"text": "'


class Ending(enum.Enum):
    DROP = "drop"
    STALL = "stall"
    CLOSE = "close"
    MALFORMED = "malformed"


@dataclass(frozen=True, slots=True)
class Step:
    """What happens before a frame: wait `delay`, then send it, or end as `ending` says."""

    delay: float = 0.0
    ending: Ending | None = None
    close: LiveClose | None = None
    stall: float = 0.0


@dataclass
class _Scope:
    plan: FaultPlan
    sent: int = 0


class LiveFaults:
    def __init__(self, session: FaultPlan, rng: random.Random, model: str) -> None:
        self.rng, self.model = rng, model
        self.session = _Scope(session)
        self.reply: _Scope | None = None

    @property
    def fired(self) -> tuple[str, ...]:
        scopes = [self.session, *([self.reply] if self.reply else [])]
        return tuple(str(fault) for scope in scopes for fault in scope.plan.fired)

    def before(self, item: Outgoing) -> Step:
        """The step before `item`; a rule's faults on it start a new reply scope."""
        delay = 0.0
        if item.faults:
            self.reply = _Scope(draw_plan(parse_faults(item.faults), self.rng, model=self.model))
            opening = self._opening(self.reply.plan)
            if opening.ending is not None:
                return opening
            delay = opening.delay
        for scope in (self.session, self.reply):
            if scope is not None and (step := self._interruption(scope)).ending is not None:
                return step
        scopes = [scope for scope in (self.session, self.reply) if scope is not None]
        return Step(delay + sum(scope.plan.delay_before(scope.sent) for scope in scopes))

    def sent(self) -> None:
        for scope in (self.session, self.reply):
            if scope is not None:
                scope.sent += 1

    def opening(self) -> Step:
        """Before the setup is answered, from the session's plan."""
        return self._opening(self.session.plan)

    def _opening(self, plan: FaultPlan) -> Step:
        if plan.reset:
            return Step(ending=Ending.DROP)
        if plan.error_code is not None:
            return Step(ending=Ending.CLOSE, close=for_status(plan.error_code, self.model))
        return Step(plan.ttfb)

    def _interruption(self, scope: _Scope) -> Step:
        plan = scope.plan
        ending = plan.interruption_after(scope.sent)
        if ending is Interruption.CUT:
            return Step(ending=Ending.DROP)
        if ending is Interruption.STALL:
            return Step(ending=Ending.STALL, stall=plan.stall or 0.0)
        if ending is Interruption.ERROR and plan.stream_error_code is not None:
            return Step(ending=Ending.CLOSE, close=for_status(plan.stream_error_code, self.model))
        if ending is Interruption.MALFORMED:
            return Step(ending=Ending.MALFORMED)
        return Step()

    @property
    def go_away(self) -> float | None:
        return self.session.plan.go_away
