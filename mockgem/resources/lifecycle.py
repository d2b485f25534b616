"""The one lifecycle of every long-running thing: an operation, a tuning job, an import.

Time advances lazily: a record holds when it was created, when it is due and when (if ever) it was
cancelled, and its phase is read off the clock. PENDING until the clock moves on from the
creation, RUNNING until due, then DONE; a cancel makes it CANCELLING, and any later read
CANCELLED. Nothing runs in the background, so a test moves a job along by moving its clock, and a
record read back from `--state-dir` is where the clock says it is.
"""

from __future__ import annotations

import enum

from mockgem._types import JSONDict


class Phase(enum.Enum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    CANCELLING = "cancelling"
    CANCELLED = "cancelled"

    @property
    def ended(self) -> bool:
        return self in (Phase.DONE, Phase.CANCELLED)


def scheduled(now: float, duration: float) -> JSONDict:
    """The bookkeeping fields of a record created at `now` that takes `duration` seconds."""
    return {"_createdAt": now, "_dueAt": now + duration}


def phase(record: JSONDict, now: float) -> Phase:
    cancelled = record.get("_cancelledAt")
    if cancelled is not None:
        return Phase.CANCELLED if now > cancelled else Phase.CANCELLING
    if now > record["_createdAt"] and now >= record["_dueAt"]:
        return Phase.DONE
    return Phase.RUNNING if now > record["_createdAt"] else Phase.PENDING


def ended_at(record: JSONDict) -> float:
    """When the record's life ended (its due time, or its cancel); meaningful once it has."""
    cancelled = record.get("_cancelledAt")
    return float(cancelled if cancelled is not None else record["_dueAt"])


def cancel(record: JSONDict, now: float) -> bool:
    """Marks a record that has not ended as cancelled at `now` (a second cancel keeps the first
    time); False when it had ended already."""
    if phase(record, now).ended:
        return False
    record.setdefault("_cancelledAt", now)
    return True
