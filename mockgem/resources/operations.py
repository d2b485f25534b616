"""Long-running operations (google.longrunning.Operation), one lifecycle for every kind.

Video generation, File Search imports and uploads, tunings and Vertex AI deletes all answer an
Operation: `{"name", "metadata"}` while it runs, then `"done": true` with its `response` or its
`error`. The result is decided when the operation starts (a rule's video, a failure) and shown
once the operation is due (`--operation-duration`). proto3 JSON leaves `done: false` out, as
the real service does.
"""

from __future__ import annotations

from mockgem._types import JSONDict
from mockgem.errors import NotFound
from mockgem.resources.lifecycle import Phase, cancel, phase, scheduled
from mockgem.resources.records import RecordStore
from mockgem.resources.state import StateStore
from mockgem.resources.timestamps import Clock

OPERATIONS = "operations"
# google.rpc.Code 1: what a cancelled operation ends with.
CANCELLED_ERROR: JSONDict = {"code": 1, "message": "Operation cancelled."}


def operation_not_found(name: str) -> NotFound:
    # UNVERIFIED: the Operations service's wording for a name it does not know.
    return NotFound(f"Operation {name} not found.")


class OperationStore:
    def __init__(self, state: StateStore, *, clock: Clock, duration: float = 0.0) -> None:
        self._records = RecordStore(state, OPERATIONS, operation_not_found)
        self._clock = clock
        self.duration = duration

    def start(self, name: str, result: JSONDict, *, metadata: JSONDict | None = None, duration: float | None = None) -> JSONDict:
        """A new operation that ends with `result` (`{"response": ...}` or `{"error": ...}`)."""
        now = self._clock()
        record: JSONDict = {"name": name, "_result": result, **scheduled(now, self.duration if duration is None else duration)}
        if metadata is not None:
            record["metadata"] = metadata
        self._records.put(record)
        return _view(record, Phase.PENDING)

    def get(self, name: str) -> JSONDict:
        record = self._records.get(name)
        return _view(record, phase(record, self._clock()))

    def knows(self, name: str) -> bool:
        return self._records.find(name) is not None

    def cancel(self, name: str) -> None:
        """Cancels a running operation; one that has ended keeps its result."""
        record = self._records.get(name)
        if cancel(record, self._clock()):
            self._records.put(record)

    def delete(self, name: str) -> None:
        self._records.remove(name)

    def list(self, prefix: str, page_size: int | None = None, page_token: str | None = None) -> JSONDict:
        """The operations whose names start with `prefix`, under the key `operations`."""
        now = self._clock()
        here = [_view(r, phase(r, now)) for r in self._records.all(lambda r: str(r["name"]).startswith(prefix))]
        return self._records.page(OPERATIONS, here, page_size, page_token)


def _view(record: JSONDict, current: Phase) -> JSONDict:
    body: JSONDict = {"name": record["name"]}
    if "metadata" in record:
        body["metadata"] = record["metadata"]
    if current is Phase.DONE:
        body |= {"done": True, **record["_result"]}
    elif current in (Phase.CANCELLING, Phase.CANCELLED):
        body |= {"done": True, "error": dict(CANCELLED_ERROR)} if current is Phase.CANCELLED else {}
    return body
