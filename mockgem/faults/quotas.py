"""Simulated rate limits: requests per minute, tokens per minute, requests per day.

    --quota gemini-2.5-flash:rpm=10,tpm=250000     one model
    --quota '*:rpm=5'                              every model (a model's own limits win)
    --quota gemini-2.5-flash:free-tier             the free tier's published limits
    --quota gemini-live-2.5-flash-preview:sessions=3   concurrent Live API sessions

Usage is counted per model and per API key (the real API counts per project and model), in
sliding windows read from an injected clock. A request over a limit is refused with the real
429 body, whose retry delay is when enough of the oldest usage leaves the window.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from mockgem.protocol.json_text import ascii_int
from mockgem.errors import ConfigError, ResourceExhausted
from mockgem.protocol.envelopes import quota_error

Clock = Callable[[], float]

MINUTE = 60.0
DAY = 86_400.0


@dataclass(frozen=True)
class Metric:
    """A limit as the real 429 names it."""

    name: str
    quota_metric: str
    quota_id: str
    window: float
    counts_tokens: bool = False
    concurrent: bool = False  # counts what is open now (Live sessions), not what a window saw


METRICS: dict[str, Metric] = {
    "rpm": Metric(
        "rpm", "generate_content_free_tier_requests", "GenerateRequestsPerMinutePerProjectPerModel-FreeTier", MINUTE
    ),
    "tpm": Metric(
        "tpm",
        "generate_content_free_tier_input_token_count",
        "GenerateContentInputTokensPerModelPerMinute-FreeTier",
        MINUTE,
        counts_tokens=True,
    ),
    # UNVERIFIED names: the Live API limits concurrent sessions per project (3 on the free tier,
    # ai.google.dev/gemini-api/docs/rate-limits); a refused session closes with the quota's 1011.
    "sessions": Metric(
        "sessions", "bidi_generate_content_concurrent_sessions", "ConcurrentSessionsPerProjectPerModel-FreeTier", 0.0, concurrent=True
    ),
    # The real daily quota resets at midnight Pacific time; a sliding day is simpler and close.
    "rpd": Metric(
        "rpd", "generate_content_free_tier_requests", "GenerateRequestsPerDayPerProjectPerModel-FreeTier", DAY
    ),
}

# Free tier limits as published on ai.google.dev/gemini-api/docs/rate-limits in 2025 (UNVERIFIED today).
FREE_TIER: dict[str, dict[str, int]] = {
    "gemini-2.5-pro": {"rpm": 5, "tpm": 250_000, "rpd": 100},
    "gemini-2.5-flash": {"rpm": 10, "tpm": 250_000, "rpd": 250},
    "gemini-2.5-flash-lite": {"rpm": 15, "tpm": 250_000, "rpd": 1_000},
    "gemini-2.0-flash": {"rpm": 15, "tpm": 1_000_000, "rpd": 200},
    "gemini-2.0-flash-lite": {"rpm": 30, "tpm": 1_000_000, "rpd": 200},
}
FREE_TIER_FALLBACK = FREE_TIER["gemini-2.5-flash"]

VALID_QUOTAS = (
    "valid quotas: MODEL:rpm=10,tpm=250000,rpd=250,sessions=3 (MODEL a model id such as gemini-2.5-flash, "
    "or * for every model), or MODEL:free-tier for the published free tier limits"
)


@dataclass(frozen=True)
class QuotaRule:
    """Limits for one model, or for every model when `model` is `*`."""

    model: str
    limits: dict[str, int] = field(default_factory=dict)
    free_tier: bool = False

    def limits_for(self, model: str) -> dict[str, int]:
        if self.free_tier:
            return FREE_TIER.get(model, FREE_TIER_FALLBACK) | self.limits
        return dict(self.limits)


@dataclass(frozen=True)
class Throttle:
    """A request refused for a quota, as the journal records it."""

    model: str
    key: str
    metric: str
    limit: int
    retry_after: float
    at: float


class QuotaExceeded(ResourceExhausted):
    """The 429 RESOURCE_EXHAUSTED answer, carrying the throttle record for the journal."""

    def __init__(self, throttle: Throttle) -> None:
        metric = METRICS[throttle.metric]
        shaped = quota_error(
            throttle.model, metric.quota_metric, metric.quota_id, throttle.limit, throttle.retry_after
        )
        super().__init__(shaped.message, details=shaped.details)
        self.throttle = throttle


def parse_quota(text: str) -> QuotaRule:
    """One `--quota` value; raises ConfigError listing the valid forms."""
    model, colon, spec = text.strip().rpartition(":")
    if not colon or not model.strip() or not spec.strip():
        raise ConfigError(f"quota {text!r} needs MODEL:LIMITS; {VALID_QUOTAS}")
    model = _bare_model(model.strip())
    if spec.strip().lower() == "free-tier":
        return QuotaRule(model, free_tier=True)
    return QuotaRule(model, dict(_parse_limit(text, item) for item in spec.split(",")))


def parse_quotas(texts: Iterable[str]) -> tuple[QuotaRule, ...]:
    return tuple(parse_quota(text) for text in texts)


def _parse_limit(text: str, item: str) -> tuple[str, int]:
    name, equals, value = item.strip().partition("=")
    name = name.strip().lower()
    count = ascii_int(value, low=0, high=2**63 - 1) if equals else None
    if name not in METRICS or count is None:
        raise ConfigError(f"quota {text!r}: {item.strip()!r} is not NAME=COUNT; {VALID_QUOTAS}")
    return name, count


def _bare_model(model: str) -> str:
    return model.removeprefix("models/")


class SlidingWindow:
    """Usage over the last `seconds`, with the time at which a new amount would fit."""

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit = limit
        self.seconds = seconds
        self._usage: deque[tuple[float, int]] = deque()

    def retry_after(self, now: float, amount: int) -> float:
        """0 when `amount` fits now, else the seconds until enough usage leaves the window."""
        self._forget_before(now)
        if amount > self.limit:
            # Never fits: the real API keeps refusing; advise a whole window like it does.
            return self.seconds
        excess = sum(used for _, used in self._usage) + amount - self.limit
        if excess <= 0:
            return 0.0
        for started, used in self._usage:
            excess -= used
            if excess <= 0:
                return started + self.seconds - now
        return self.seconds

    def add(self, now: float, amount: int) -> None:
        self._usage.append((now, amount))

    def _forget_before(self, now: float) -> None:
        while self._usage and self._usage[0][0] <= now - self.seconds:
            self._usage.popleft()


class QuotaBook:
    """The usage of every (model, key) pair against the configured rules."""

    def __init__(self, rules: Iterable[QuotaRule], *, clock: Clock = time.monotonic) -> None:
        self._rules = {rule.model: rule for rule in rules}
        self._clock = clock
        self._windows: dict[tuple[str, str, str], SlidingWindow] = {}
        self._open: dict[tuple[str, str], int] = {}

    def limits_for(self, model: str) -> dict[str, int]:
        """The model's own limits over the `*` ones."""
        model = _bare_model(model)
        every = self._rules.get("*")
        own = self._rules.get(model)
        return (every.limits_for(model) if every else {}) | (own.limits_for(model) if own else {})

    def charge(self, model: str, key: str | None, tokens: int = 0) -> None:
        """Count one request of `tokens` input tokens, or raise QuotaExceeded and count nothing."""
        model, key_name, now = _bare_model(model), key or "", self._clock()
        windows = self._windows_for(model, key_name)
        amounts = {name: tokens if METRICS[name].counts_tokens else 1 for name in windows}
        waits = {name: window.retry_after(now, amounts[name]) for name, window in windows.items()}
        worst = max(waits, key=lambda name: waits[name], default=None)
        if worst is not None and waits[worst] > 0:
            throttle = Throttle(model, key_name, worst, windows[worst].limit, waits[worst], now)
            raise QuotaExceeded(throttle)
        for name, window in windows.items():
            window.add(now, amounts[name])

    def open_session(self, model: str, key: str | None) -> None:
        """Count one more open Live session, or raise QuotaExceeded over the `sessions` limit."""
        model, place = _bare_model(model), (_bare_model(model), key or "")
        limit = self.limits_for(model).get("sessions")
        if limit is not None and self._open.get(place, 0) >= limit:
            raise QuotaExceeded(Throttle(model, key or "", "sessions", limit, 0.0, self._clock()))
        self._open[place] = self._open.get(place, 0) + 1

    def close_session(self, model: str, key: str | None) -> None:
        place = (_bare_model(model), key or "")
        self._open[place] = max(0, self._open.get(place, 0) - 1)

    def _windows_for(self, model: str, key: str) -> dict[str, SlidingWindow]:
        return {
            name: self._windows.setdefault((model, key, name), SlidingWindow(limit, METRICS[name].window))
            for name, limit in self.limits_for(model).items() if not METRICS[name].concurrent
        }

