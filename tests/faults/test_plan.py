from __future__ import annotations

import math
import random

import pytest

from mockgem._types import JSONDict
from mockgem.faults.language import parse_faults
from mockgem.faults.outcomes import block_response, finish_chunks, finish_response
from mockgem.faults.plan import FaultPlan, Interruption, draw_plan, fault_error
from mockgem.protocol.envelopes import error_body

MODEL = "gemini-2.5-flash"


def _plan(spec: str, seed: int = 7) -> FaultPlan:
    return draw_plan(parse_faults(spec), random.Random(seed), model=MODEL)


def test_draw_plan_without_faults_is_clean() -> None:
    plan = _plan("")
    assert plan.error is None and plan.stream_error is None
    assert not plan.reset and not plan.empty
    assert plan.ttfb == 0.0
    assert [plan.delay_before(i) for i in range(3)] == [0.0, 0.0, 0.0]
    assert all(plan.interruption_after(sent) is None for sent in range(5))
    response: JSONDict = {"candidates": []}
    assert plan.apply(response) is response


@pytest.mark.parametrize(
    "spec",
    ["503@0.3, latency=10ms..900ms, ttfb=1s..3s, cut=3@0.5, 429@0.2", "error-at=1:429@0.5, finish=SAFETY@0.5"],
)
def test_draw_plan_same_seed_same_plan(spec: str) -> None:
    for seed in range(50):
        first, second = _plan(spec, seed), _plan(spec, seed)
        assert first == second
        assert [first.delay_before(i) for i in range(10)] == [second.delay_before(i) for i in range(10)]


def test_draw_plan_draws_differ_between_requests() -> None:
    rng = random.Random(3)
    faults = parse_faults("latency=0ms..1s, ttfb=0ms..1s")
    plans = [draw_plan(faults, rng, model=MODEL) for _ in range(20)]
    assert len({plan.ttfb for plan in plans}) == 20
    assert len({plan.delay_before(1) for plan in plans}) == 20


@pytest.mark.parametrize("probability", [0.0, 0.05, 0.3, 0.5, 0.9, 1.0])
def test_draw_plan_respects_probability(probability: float) -> None:
    rng = random.Random(42)
    faults = parse_faults(f"503@{probability}")
    draws = 20_000
    fired = sum(draw_plan(faults, rng, model=MODEL).error is not None for _ in range(draws))
    assert fired / draws == pytest.approx(probability, abs=0.015)


def test_draw_plan_first_fault_of_a_kind_wins() -> None:
    plan = _plan("503, 429, latency=1s, latency=2s, cut=1, cut=5, finish=SAFETY, finish=MAX_TOKENS")
    assert plan.error_code == 503
    assert plan.latency == (1.0, 1.0)
    assert plan.cut_after == 1
    assert plan.finish == "SAFETY"


def test_draw_plan_keeps_the_faults_that_fired() -> None:
    plan = _plan("503@0, cut=2")
    assert [str(fault) for fault in plan.fired] == ["cut=2"]


@pytest.mark.parametrize(
    ("code", "status", "message"),
    [
        (400, "INVALID_ARGUMENT", "Request contains an invalid argument."),
        (403, "PERMISSION_DENIED", "The caller does not have permission"),
        (404, "NOT_FOUND", "Requested entity was not found."),
        (500, "INTERNAL", "An internal error has occurred."),
        (503, "UNAVAILABLE", "The model is overloaded. Please try again later."),
        (504, "DEADLINE_EXCEEDED", "The request timed out. Please try again."),
    ],
)
def test_plan_error_is_shaped_as_the_real_api(code: int, status: str, message: str) -> None:
    error = _plan(str(code)).error
    assert error is not None
    assert (error.code, error.status) == (code, status)
    assert error.message.startswith(message)


def test_plan_error_429_carries_quota_failure_and_retry_info() -> None:
    error = _plan("429=30s").error
    assert error is not None
    body = error_body(error)["error"]
    assert (body["code"], body["status"]) == (429, "RESOURCE_EXHAUSTED")
    types = [detail["@type"].rsplit(".", 1)[-1] for detail in body["details"]]
    assert types == ["Help", "QuotaFailure", "RetryInfo"]
    violation = body["details"][1]["violations"][0]
    assert violation["quotaId"] == "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"
    assert violation["quotaDimensions"]["model"] == MODEL
    assert body["details"][2]["retryDelay"] == "30s"
    assert "Please retry in 30.000000s." in body["message"]


def test_plan_error_429_without_delay_draws_a_short_one() -> None:
    plan = _plan("429")
    assert 1.0 <= plan.retry_seconds <= 2.0
    assert plan.error is not None
    assert error_body(plan.error)["error"]["details"][2]["retryDelay"] == "2s"


def test_plan_stream_error_after_chunk() -> None:
    stream_error = _plan("error-at=2:500").stream_error
    assert stream_error is not None
    assert stream_error.after == 2
    assert error_body(stream_error.error) == error_body(fault_error(500, model=MODEL, retry_seconds=0))


def test_plan_ttfb_and_latency_stay_in_range() -> None:
    for seed in range(100):
        plan = _plan("ttfb=1s..2s, latency=200ms..800ms", seed)
        assert 1.0 <= plan.ttfb <= 2.0
        assert plan.delay_before(0) == 0.0
        assert all(0.2 <= plan.delay_before(i) <= 0.8 for i in range(1, 20))


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("cut=3", {3: Interruption.CUT}),
        ("cut=0", {0: Interruption.CUT}),
        ("error-at=2:500", {2: Interruption.ERROR}),
        ("malformed-at=1", {1: Interruption.MALFORMED}),
        ("stall", {0: Interruption.STALL}),
        ("stall=5s, cut=2", {2: Interruption.STALL}),
        ("cut=1, error-at=3:500", {1: Interruption.CUT, 3: Interruption.ERROR}),
        ("cut=2, error-at=2:500, malformed-at=2", {2: Interruption.MALFORMED}),
    ],
)
def test_plan_interruption_after(spec: str, expected: dict[int, Interruption]) -> None:
    plan = _plan(spec)
    assert {sent: plan.interruption_after(sent) for sent in range(5) if plan.interruption_after(sent)} == expected


@pytest.mark.parametrize(("spec", "seconds"), [("stall", math.inf), ("stall=5s", 5.0)])
def test_plan_stall_seconds(spec: str, seconds: float) -> None:
    assert _plan(spec).stall == seconds


@pytest.mark.parametrize(("spec", "attribute"), [("reset", "reset"), ("empty", "empty")])
def test_plan_connection_faults(spec: str, attribute: str) -> None:
    assert getattr(_plan(spec), attribute) is True


def test_plan_apply_block_wins_over_finish() -> None:
    response: JSONDict = {"candidates": [{"content": {"parts": [{"text": "hi"}]}, "index": 0}]}
    plan = _plan("finish=SAFETY, block=OTHER")
    assert plan.apply(response) == block_response(response, "OTHER")
    assert plan.apply_to_chunks([response]) == [block_response(response, "OTHER")]


def test_plan_apply_finish_on_response_and_chunks() -> None:
    chunks: list[JSONDict] = [{"candidates": [{"content": {"parts": [{"text": f"t{i} "}]}}]} for i in range(4)]
    plan = _plan("finish=RECITATION")
    assert plan.apply(chunks[0]) == finish_response(chunks[0], "RECITATION")
    assert plan.apply_to_chunks(chunks) == finish_chunks(chunks, "RECITATION")


def test_merged_keeps_the_first_fired_aspect_and_fills_the_rest() -> None:
    from mockgem.faults.plan import FaultPlan, merged

    first = FaultPlan(model="m", error_code=503, cut_after=None)
    then = FaultPlan(error_code=429, cut_after=3, block="SAFETY")
    plan = merged(first, then)
    assert (plan.error_code, plan.cut_after, plan.block, plan.model) == (503, 3, "SAFETY", "m")
