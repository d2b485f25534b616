"""The one lifecycle of long-running things, read off a clock: pending, running, done, cancelled."""

from __future__ import annotations

import pytest

from mockgem.resources.lifecycle import Phase, cancel, phase, scheduled
from mockgem.resources.operations import OperationStore
from mockgem.resources.state import MemoryState


@pytest.mark.parametrize(
    ("duration", "now", "expected"),
    [(10, 100, Phase.PENDING), (10, 105, Phase.RUNNING), (10, 110, Phase.DONE), (0, 100, Phase.PENDING), (0, 100.5, Phase.DONE)],
)
def test_phase_follows_the_clock(duration: float, now: float, expected: Phase) -> None:
    assert phase(scheduled(100, duration), now) is expected


def test_cancel_is_cancelling_then_cancelled_and_an_ended_record_refuses() -> None:
    record = scheduled(100, 10)
    assert cancel(record, 101) and phase(record, 101) is Phase.CANCELLING and phase(record, 102) is Phase.CANCELLED
    assert not cancel(record, 103) and not cancel(scheduled(0, 1), 5)


def test_operation_shows_its_result_once_due() -> None:
    now = [100.0]
    store = OperationStore(MemoryState(), clock=lambda: now[0], duration=10)
    assert store.start("models/m/operations/o", {"response": {"ok": True}}, metadata={"a": 1}) == {"name": "models/m/operations/o", "metadata": {"a": 1}}
    now[0] = 105
    assert "done" not in store.get("models/m/operations/o")
    now[0] = 110
    assert store.get("models/m/operations/o") == {"name": "models/m/operations/o", "metadata": {"a": 1}, "done": True, "response": {"ok": True}}


def test_a_cancelled_operation_ends_with_the_cancelled_error() -> None:
    now = [100.0]
    store = OperationStore(MemoryState(), clock=lambda: now[0], duration=10)
    store.start("op", {"response": {}})
    store.cancel("op")
    now[0] = 101
    assert store.get("op")["error"]["code"] == 1 and store.get("op")["done"] is True
