"""One store for every kind of resource: JSON records by name in the state, listed newest first.

A record's public fields are what the API answers; fields starting with `_` are mockgem's own
bookkeeping (creation time, due time, the stored result) and never leave the store.
"""

from __future__ import annotations

from collections.abc import Callable

from mockgem._types import JSONDict
from mockgem.errors import ApiError
from mockgem.resources.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, page
from mockgem.resources.state import StateStore

NotFound = Callable[[str], ApiError]


def public(record: JSONDict) -> JSONDict:
    return {key: value for key, value in record.items() if not key.startswith("_")}


class RecordStore:
    """The records of one `kind`; `not_found(name)` is the error the API gives for a missing one."""

    def __init__(self, state: StateStore, kind: str, not_found: NotFound) -> None:
        self._state = state
        self.kind = kind
        self._not_found = not_found

    def put(self, record: JSONDict) -> JSONDict:
        self._state.put(self.kind, record["name"], record)
        return record

    def find(self, name: str) -> JSONDict | None:
        return self._state.get(self.kind, name)

    def get(self, name: str) -> JSONDict:
        record = self.find(name)
        if record is None:
            raise self._not_found(name)
        return record

    def remove(self, name: str) -> None:
        self._state.remove(self.kind, self.get(name)["name"])

    def all(self, where: Callable[[JSONDict], bool] = lambda record: True) -> list[JSONDict]:
        """The records `where` keeps, newest first (by `_createdAt`, then name)."""
        kept = [record for record in self._state.records(self.kind) if where(record)]
        return sorted(kept, key=lambda r: (r.get("_createdAt", 0.0), r["name"]), reverse=True)

    def page(
        self, key: str, records: list[JSONDict], page_size: int | None, page_token: str | None,
        *, default_size: int = DEFAULT_PAGE_SIZE, max_size: int = MAX_PAGE_SIZE,
    ) -> JSONDict:
        """A list answer: `{key: [...], "nextPageToken": ...}`, each part left out when empty."""
        items, next_token = page(records, page_size, page_token, default_size=default_size, max_size=max_size)
        body: JSONDict = {key: items} if items else {}
        if next_token:
            body["nextPageToken"] = next_token
        return body
