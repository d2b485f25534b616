"""The fault language: one grammar for `--fault`, `X-Mockgem-Fault`, the admin API and rules.

    faults   := fault ("," fault)*
    fault    := term ["@" probability]              probability in [0, 1], default 1
    term     := CODE ["=" duration]                 400 403 404 429 500 503 504 (429=30s: retryDelay)
              | "latency=" range | "ttfb=" range     range := duration [".." duration]
              | "cut=" N | "malformed-at=" N | "error-at=" N ":" CODE
              | "stall" ["=" duration] | "block=" REASON | "finish=" REASON | "reset" | "empty"
              | "goaway" ["=" duration]                    Live API sessions: goAway with timeLeft
    duration := number ("ms" | "s")

The command-line colon forms are accepted everywhere: `503:0.05` is `503@0.05`, and
`latency:200ms..800ms` is `latency=200ms..800ms`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from mockgem.errors import ConfigError, InvalidArgument

ERROR_CODES = (400, 403, 404, 429, 500, 503, 504)
BLOCK_REASONS = ("SAFETY", "OTHER", "BLOCKLIST", "PROHIBITED_CONTENT", "IMAGE_SAFETY")
FINISH_REASONS = ("MAX_TOKENS", "SAFETY", "RECITATION", "MALFORMED_FUNCTION_CALL")

VALID_TERMS = (
    "valid faults: " + ", ".join(str(code) for code in ERROR_CODES) + " (429=30s sets retryDelay), "
    "latency=200ms..800ms, ttfb=2s, cut=3, error-at=2:500, malformed-at=1, stall or stall=5s, "
    f"block={'|'.join(BLOCK_REASONS)}, finish={'|'.join(FINISH_REASONS)}, reset, empty, goaway or goaway=10s (Live API); "
    "each optionally @0.05 for a probability; several separated by commas; "
    "command-line forms 503:0.05 and latency:200ms..800ms; durations in ms or s"
)

MAX_DURATION = 24 * 3600
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s)$", re.ASCII)
_COUNT = re.compile(r"^\d+$", re.ASCII)


@dataclass(frozen=True)
class HttpError:
    """Answer with this HTTP error instead of the response."""

    code: int
    retry_after: float | None = None

    def __str__(self) -> str:
        suffix = f"={format_duration(self.retry_after)}" if self.retry_after is not None else ""
        return f"{self.code}{suffix}"


@dataclass(frozen=True)
class Latency:
    """Wait between stream chunks, drawn uniformly from [low, high] for each chunk."""

    low: float
    high: float

    def __str__(self) -> str:
        return f"latency={format_range(self.low, self.high)}"


@dataclass(frozen=True)
class Ttfb:
    """Wait before the first byte of the response, drawn uniformly from [low, high]."""

    low: float
    high: float

    def __str__(self) -> str:
        return f"ttfb={format_range(self.low, self.high)}"


@dataclass(frozen=True)
class Cut:
    """Close the connection once `after` chunks were sent."""

    after: int

    def __str__(self) -> str:
        return f"cut={self.after}"


@dataclass(frozen=True)
class ErrorAt:
    """Send an `{"error": ...}` chunk once `after` chunks were sent, then end the stream."""

    after: int
    code: int

    def __str__(self) -> str:
        return f"error-at={self.after}:{self.code}"


@dataclass(frozen=True)
class MalformedAt:
    """Send a chunk that is not JSON once `after` chunks were sent, then end the stream."""

    after: int

    def __str__(self) -> str:
        return f"malformed-at={self.after}"


@dataclass(frozen=True)
class Stall:
    """Stop sending for `seconds` (math.inf: until the client gives up), then close."""

    seconds: float = math.inf

    def __str__(self) -> str:
        return "stall" if math.isinf(self.seconds) else f"stall={format_duration(self.seconds)}"


@dataclass(frozen=True)
class Block:
    """The prompt is blocked: no candidates, `promptFeedback.blockReason`."""

    reason: str

    def __str__(self) -> str:
        return f"block={self.reason}"


@dataclass(frozen=True)
class Finish:
    """The candidate stops early with this `finishReason`."""

    reason: str

    def __str__(self) -> str:
        return f"finish={self.reason}"


@dataclass(frozen=True)
class Reset:
    """Reset the connection before any response byte."""

    def __str__(self) -> str:
        return "reset"


@dataclass(frozen=True)
class Empty:
    """Answer 200 with an empty body."""

    def __str__(self) -> str:
        return "empty"


@dataclass(frozen=True)
class GoAway:
    """A Live API session is told it ends in `seconds` (`goAway.timeLeft`), then closed."""

    seconds: float = 10.0

    def __str__(self) -> str:
        return f"goaway={format_duration(self.seconds)}"


Effect = HttpError | Latency | Ttfb | Cut | ErrorAt | MalformedAt | Stall | Block | Finish | Reset | Empty | GoAway


@dataclass(frozen=True)
class Fault:
    """One term of the language: an effect, and the probability that it fires on a request."""

    effect: Effect
    probability: float = 1.0

    def __str__(self) -> str:
        return str(self.effect) if self.probability == 1.0 else f"{self.effect}@{self.probability!r}"


def parse_faults(spec: str | Sequence[str]) -> tuple[Fault, ...]:
    """Faults from the command line, a rules file or settings; raises ConfigError."""
    try:
        return _parse_all(spec)
    except ValueError as exc:
        raise ConfigError(f"{exc}; {VALID_TERMS}") from exc


def parse_fault_header(value: str) -> tuple[Fault, ...]:
    """Faults from an `X-Mockgem-Fault` header or an admin request; raises InvalidArgument (400)."""
    try:
        return _parse_all(value)
    except ValueError as exc:
        raise InvalidArgument(f"X-Mockgem-Fault: {exc}; {VALID_TERMS}") from exc


def format_faults(faults: Sequence[Fault]) -> str:
    return ", ".join(str(fault) for fault in faults)


def format_duration(seconds: float) -> str:
    if seconds == int(seconds):
        return f"{int(seconds)}s"
    return f"{round(seconds * 1000)}ms"


def format_range(low: float, high: float) -> str:
    if low == high:
        return format_duration(low)
    return f"{format_duration(low)}..{format_duration(high)}"


def _parse_all(spec: str | Sequence[str]) -> tuple[Fault, ...]:
    texts = [spec] if isinstance(spec, str) else list(spec)
    terms = [term.strip() for text in texts for term in text.split(",")]
    return tuple(_parse_fault(term) for term in terms if term)


def _parse_fault(text: str) -> Fault:
    body, at, probability_text = text.partition("@")
    name, separator, value = _split_name(body.strip())
    name = name.strip()
    is_code = name.isascii() and name.isdigit()
    if is_code and separator == ":":
        if at:
            raise ValueError(f"{text!r} gives a probability twice")
        return Fault(_parse_code(name, None), _parse_probability(value))
    probability = _parse_probability(probability_text) if at else 1.0
    if is_code:
        return Fault(_parse_code(name, value if separator else None), probability)
    parser = _TERM_PARSERS.get(name.lower())
    if parser is None:
        raise ValueError(f"unknown fault {text!r}")
    return Fault(parser(value if separator else None), probability)


def _split_name(body: str) -> tuple[str, str, str]:
    if "=" in body:
        return body.partition("=")
    return body.partition(":")


def _parse_probability(text: str) -> float:
    try:
        probability = float(text.strip())
    except ValueError:
        raise ValueError(f"probability {text!r} is not a number") from None
    if not 0.0 <= probability <= 1.0:
        raise ValueError(f"probability {text!r} is not between 0 and 1")
    return probability


def _parse_code(name: str, value: str | None) -> HttpError:
    if not (name.isascii() and name.isdigit()) or int(name) not in ERROR_CODES:
        raise ValueError(f"{name!r} is not an HTTP error mockgem injects")
    code = int(name)
    if value is not None and code != 429:
        raise ValueError(f"only 429 takes a value (its retryDelay), not {code}")
    return HttpError(code, None if value is None else parse_duration(value))


def parse_duration(text: str) -> float:
    found = _DURATION.match(text.strip().lower())
    if found is None:
        raise ValueError(f"duration {text!r} needs a unit, as in 200ms or 2s")
    number = float(found[1])
    seconds = number / 1000 if found[2] == "ms" else number
    if seconds > MAX_DURATION:
        # A longer one is no test of a client, and past a double it would be infinite.
        raise ValueError(f"duration {text[:40]!r} is longer than {MAX_DURATION // 3600}h")
    return seconds


def _parse_range(text: str) -> tuple[float, float]:
    low_text, dots, high_text = text.partition("..")
    low = parse_duration(low_text)
    high = parse_duration(high_text) if dots else low
    if high < low:
        raise ValueError(f"range {text!r} ends before it starts")
    return low, high


def _parse_count(text: str) -> int:
    if _COUNT.match(text.strip()) is None:
        raise ValueError(f"{text!r} is not a chunk count (0, 1, 2...)")
    return int(text)


def _require(value: str | None, name: str) -> str:
    if value is None or not value.strip():
        raise ValueError(f"{name} needs a value")
    return value.strip()


def _refuse(value: str | None, name: str) -> None:
    if value is not None:
        raise ValueError(f"{name} takes no value")


def _parse_choice(value: str | None, name: str, choices: tuple[str, ...]) -> str:
    choice = _require(value, name).upper()
    if choice not in choices:
        raise ValueError(f"{name}={value} is not one of {'|'.join(choices)}")
    return choice


def _parse_error_at(value: str | None) -> ErrorAt:
    after, colon, code = _require(value, "error-at").partition(":")
    if not colon:
        raise ValueError("error-at needs a chunk and a code, as in error-at=2:500")
    return ErrorAt(_parse_count(after), _parse_code(code.strip(), None).code)


def _parse_latency(value: str | None) -> Latency:
    return Latency(*_parse_range(_require(value, "latency")))


def _parse_ttfb(value: str | None) -> Ttfb:
    return Ttfb(*_parse_range(_require(value, "ttfb")))


def _parse_stall(value: str | None) -> Stall:
    return Stall() if value is None else Stall(parse_duration(value))


def _parse_reset(value: str | None) -> Reset:
    _refuse(value, "reset")
    return Reset()


def _parse_empty(value: str | None) -> Empty:
    _refuse(value, "empty")
    return Empty()


_TERM_PARSERS: dict[str, Callable[[str | None], Effect]] = {
    "latency": _parse_latency,
    "ttfb": _parse_ttfb,
    "cut": lambda value: Cut(_parse_count(_require(value, "cut"))),
    "error-at": _parse_error_at,
    "malformed-at": lambda value: MalformedAt(_parse_count(_require(value, "malformed-at"))),
    "stall": _parse_stall,
    "block": lambda value: Block(_parse_choice(value, "block", BLOCK_REASONS)),
    "finish": lambda value: Finish(_parse_choice(value, "finish", FINISH_REASONS)),
    "reset": _parse_reset,
    "empty": _parse_empty,
    "goaway": lambda value: GoAway() if value is None else GoAway(parse_duration(value)),
}
