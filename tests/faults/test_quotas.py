from __future__ import annotations

import pytest

from mockgem.errors import ConfigError, ResourceExhausted
from mockgem.faults.quotas import (
    DAY,
    MINUTE,
    QuotaBook,
    QuotaExceeded,
    QuotaRule,
    SlidingWindow,
    Throttle,
    parse_quota,
    parse_quotas,
)
from mockgem.protocol.envelopes import error_body

MODEL = "gemini-2.5-flash"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _book(*specs: str) -> tuple[QuotaBook, FakeClock]:
    clock = FakeClock()
    return QuotaBook(parse_quotas(specs), clock=clock), clock


def _throttle(book: QuotaBook, model: str = MODEL, key: str | None = "k1", tokens: int = 0) -> Throttle:
    with pytest.raises(QuotaExceeded) as caught:
        book.charge(model, key, tokens)
    return caught.value.throttle


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("gemini-2.5-flash:rpm=10,tpm=250000", QuotaRule(MODEL, {"rpm": 10, "tpm": 250_000})),
        ("*:rpm=5", QuotaRule("*", {"rpm": 5})),
        ("models/gemini-2.5-pro:rpd=100", QuotaRule("gemini-2.5-pro", {"rpd": 100})),
        (" gemini-2.5-flash : RPM = 3 ", QuotaRule(MODEL, {"rpm": 3})),
        ("gemini-2.5-flash:free-tier", QuotaRule(MODEL, free_tier=True)),
    ],
)
def test_parse_quota_reads_limits(text: str, rule: QuotaRule) -> None:
    assert parse_quota(text) == rule


@pytest.mark.parametrize(
    "text",
    ["gemini-2.5-flash", "rpm=10", ":rpm=10", "gemini-2.5-flash:", "x:rpm=ten", "x:rpm=-1", "x:qps=3", "x:rpm"],
)
def test_parse_quota_rejects_with_valid_forms(text: str) -> None:
    with pytest.raises(ConfigError, match="valid quotas: MODEL:rpm=10"):
        parse_quota(text)


def test_quota_book_limits_for_merges_every_model_and_own() -> None:
    book, _ = _book("*:rpm=5,rpd=100", "gemini-2.5-flash:rpm=10,tpm=1000")
    assert book.limits_for(MODEL) == {"rpm": 10, "rpd": 100, "tpm": 1000}
    assert book.limits_for("gemini-2.0-flash") == {"rpm": 5, "rpd": 100}
    assert book.limits_for("models/gemini-2.5-flash") == book.limits_for(MODEL)


@pytest.mark.parametrize(
    ("model", "limits"),
    [
        ("gemini-2.5-flash", {"rpm": 10, "tpm": 250_000, "rpd": 250}),
        ("gemini-2.5-pro", {"rpm": 5, "tpm": 250_000, "rpd": 100}),
        ("some-future-model", {"rpm": 10, "tpm": 250_000, "rpd": 250}),
    ],
)
def test_quota_book_free_tier_uses_published_limits(model: str, limits: dict[str, int]) -> None:
    book, _ = _book("*:free-tier")
    assert book.limits_for(model) == limits


def test_quota_book_without_rules_never_throttles() -> None:
    book, _ = _book()
    for _ in range(1000):
        book.charge(MODEL, "k1", 10**9)


def test_quota_book_rpm_throttles_and_reopens_after_the_delay() -> None:
    book, clock = _book("gemini-2.5-flash:rpm=2")
    book.charge(MODEL, "k1")
    clock.now += 10
    book.charge(MODEL, "k1")
    clock.now += 5
    throttle = _throttle(book)
    assert throttle == Throttle(MODEL, "k1", "rpm", 2, MINUTE - 15, clock.now)
    clock.now += throttle.retry_after - 0.001
    _throttle(book)
    clock.now += 0.001
    book.charge(MODEL, "k1")


def test_quota_book_refused_requests_are_not_counted() -> None:
    book, clock = _book("gemini-2.5-flash:rpm=1")
    book.charge(MODEL, "k1")
    for _ in range(5):
        clock.now += 10
        _throttle(book)
    clock.now += 10
    book.charge(MODEL, "k1")


def test_quota_book_counts_per_model_and_per_key() -> None:
    book, _ = _book("*:rpm=1")
    book.charge(MODEL, "k1")
    book.charge(MODEL, "k2")
    book.charge("gemini-2.5-pro", "k1")
    book.charge(MODEL, None)
    _throttle(book, MODEL, "k1")
    _throttle(book, MODEL, None)


def test_quota_book_tpm_counts_tokens() -> None:
    book, clock = _book("gemini-2.5-flash:tpm=1000")
    book.charge(MODEL, "k1", 600)
    clock.now += 20
    book.charge(MODEL, "k1", 300)
    clock.now += 20
    throttle = _throttle(book, tokens=200)
    assert (throttle.metric, throttle.limit, throttle.retry_after) == ("tpm", 1000, 20.0)
    book.charge(MODEL, "k1", 100)


def test_quota_book_tpm_waits_for_enough_tokens_to_leave() -> None:
    book, clock = _book("gemini-2.5-flash:tpm=1000")
    for _ in range(4):
        book.charge(MODEL, "k1", 250)
        clock.now += 1
    assert _throttle(book, tokens=600).retry_after == MINUTE - 4 + 2


def test_quota_book_request_larger_than_the_limit_waits_a_window() -> None:
    book, _ = _book("gemini-2.5-flash:tpm=100")
    assert _throttle(book, tokens=101).retry_after == MINUTE


def test_quota_book_reports_the_longest_wait() -> None:
    book, clock = _book("gemini-2.5-flash:rpm=1,rpd=1")
    book.charge(MODEL, "k1")
    clock.now += 1
    throttle = _throttle(book)
    assert (throttle.metric, throttle.retry_after) == ("rpd", DAY - 1)


def test_quota_exceeded_is_the_real_429_body() -> None:
    book, clock = _book("gemini-2.5-flash:rpm=10")
    for _ in range(10):
        book.charge(MODEL, "k1")
    clock.now += 12.5
    with pytest.raises(ResourceExhausted) as caught:
        book.charge(MODEL, "k1")
    body = error_body(caught.value)["error"]
    assert (body["code"], body["status"]) == (429, "RESOURCE_EXHAUSTED")
    violation = body["details"][1]["violations"][0]
    assert violation == {
        "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
        "quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
        "quotaDimensions": {"location": "global", "model": MODEL},
        "quotaValue": "10",
    }
    assert body["details"][2] == {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "48s"}
    assert "Please retry in 47.500000s." in body["message"]


@pytest.mark.parametrize(
    ("spec", "tokens", "quota_id", "metric"),
    [
        ("rpd=1", 0, "GenerateRequestsPerDayPerProjectPerModel-FreeTier", "generate_content_free_tier_requests"),
        (
            "tpm=10",
            8,
            "GenerateContentInputTokensPerModelPerMinute-FreeTier",
            "generate_content_free_tier_input_token_count",
        ),
    ],
)
def test_quota_exceeded_names_the_real_metric(spec: str, tokens: int, quota_id: str, metric: str) -> None:
    book, _ = _book(f"{MODEL}:{spec}")
    book.charge(MODEL, "k1", tokens)
    with pytest.raises(QuotaExceeded) as caught:
        book.charge(MODEL, "k1", tokens)
    violation = error_body(caught.value)["error"]["details"][1]["violations"][0]
    assert (violation["quotaId"], violation["quotaMetric"]) == (quota_id, f"generativelanguage.googleapis.com/{metric}")


@pytest.mark.parametrize(
    ("usage", "amount", "wait"),
    [
        ([], 1, 0.0),
        ([(0.0, 1), (1.0, 1)], 1, 0.0),
        ([(0.0, 1), (1.0, 1), (2.0, 1)], 1, 5.0),
        ([(0.0, 2), (1.0, 1), (2.0, 0)], 2, 5.0),
        ([(0.0, 1), (1.0, 1), (2.0, 1)], 2, 6.0),
        ([(0.0, 3)], 1, 5.0),
        ([(0.0, 1)], 4, 10.0),
    ],
)
def test_sliding_window_retry_after(usage: list[tuple[float, int]], amount: int, wait: float) -> None:
    window = SlidingWindow(3, 10.0)
    for at, used in usage:
        window.add(at, used)
    assert window.retry_after(5.0, amount) == wait


def test_sliding_window_forgets_usage_at_the_window_edge() -> None:
    window = SlidingWindow(1, 10.0)
    window.add(0.0, 1)
    assert window.retry_after(9.999, 1) == pytest.approx(0.001)
    assert window.retry_after(10.0, 1) == 0.0
