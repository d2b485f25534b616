"""Stored interactions (`interactions/{id}`): get, delete, cancel, and the chain of `previous_interaction_id`.

A `background: true` create answers `in_progress` at once and the interaction stays so until it
is due (`--operation-duration`), then shows its answer; a cancel before that makes it `cancelled`.
"""

from __future__ import annotations

from mockgem._types import JSONDict
from mockgem.errors import ApiError, NotFound
from mockgem.resources.lifecycle import Phase, cancel, phase, scheduled
from mockgem.resources.records import RecordStore
from mockgem.resources.state import StateStore
from mockgem.resources.timestamps import Clock

INTERACTIONS = "interactions"
# Fields a running interaction does not have yet: what the model has not said.
UNFINISHED = ("steps", "usage", "outputs")


def interaction_not_found(interaction_id: str) -> NotFound:
    # UNVERIFIED: the wording of the Interactions API for an id it does not know.
    return NotFound(f"Interaction {interaction_id} not found.")


class InteractionStore:
    def __init__(self, state: StateStore, *, clock: Clock, duration: float = 0.0) -> None:
        self._records = RecordStore(state, INTERACTIONS, interaction_not_found)
        self._clock = clock
        self._duration = duration

    def save(self, interaction: JSONDict, *, background: bool) -> JSONDict:
        """Keeps a created interaction; the answer to its create (`in_progress` in the background)."""
        now = self._clock()
        record: JSONDict = {"name": str(interaction["id"]), "_final": interaction, **scheduled(now, self._duration if background else 0.0)}
        record["_background"] = background
        self._records.put(record)
        return self._view(record, Phase.PENDING) if background else interaction

    def get(self, interaction_id: str) -> JSONDict:
        record = self._records.get(interaction_id)
        return self._view(record, phase(record, self._clock()))

    def exists(self, interaction_id: str) -> bool:
        return self._records.find(interaction_id) is not None

    def delete(self, interaction_id: str) -> None:
        self._records.remove(interaction_id)

    def cancel(self, interaction_id: str) -> JSONDict:
        """Cancels a background interaction still running; the interaction as it is afterwards."""
        record = self._records.get(interaction_id)
        if not record["_background"] or not cancel(record, self._clock()):
            # UNVERIFIED: the wording of a cancel of an interaction that is not running.
            raise ApiError("Only a background interaction that is still in progress can be cancelled.", code=400, status="FAILED_PRECONDITION")
        self._records.put(record)
        return self._view(record, Phase.CANCELLED)

    def _view(self, record: JSONDict, current: Phase) -> JSONDict:
        final: JSONDict = record["_final"]
        if not record["_background"] or current is Phase.DONE:
            return final
        status = "cancelled" if current in (Phase.CANCELLING, Phase.CANCELLED) else "in_progress"
        return {key: value for key, value in final.items() if key not in UNFINISHED} | {"status": status}
