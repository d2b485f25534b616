"""One value per request, handed from stage to stage: what was asked, how it is answered, by whom.

The pipeline makes it when a request comes in; parsing fills in what the client sent and what
the sources were asked, admission the fault plan and the quota's throttle, the answering stage
the answer or the miss, and the renderer closes it, which writes its journal entry once. No
stage leaves state on the aiohttp request for a later one to find.
"""

from __future__ import annotations

import json
import logging
import random
import time
from dataclasses import dataclass, field

from mockgem.errors import ApiError
from mockgem.faults import FaultPlan
from mockgem.faults.quotas import Throttle
from mockgem.journal import JournalEntry, RequestJournal, encoded
from mockgem.protocol.calls import ApiCall, ApiRequest, names_openai_layer
from mockgem.protocol.catalog import bare_model_id
from mockgem.protocol.forms import ResponseForm, form_of
from mockgem.server.upload_body import UploadBody
from mockgem.sources.base import Answer, Miss

log = logging.getLogger("mockgem")


@dataclass(slots=True, eq=False)
class Exchange:
    """A request's story. `call` is None for a path no API method has (only a recording can
    answer it); `form` is the response form the client gets, errors included."""

    method: str
    path: str
    call: ApiCall | None
    form: ResponseForm
    journal: RequestJournal = field(repr=False)
    cassette: str | None = None
    body: bytes = b""
    # An upload's body, spooled to disk past a megabyte (`body` then holds nothing).
    upload: UploadBody | None = None
    api_key: str | None = None
    client: ApiRequest | None = None
    asked: ApiRequest | None = None
    plan: FaultPlan = field(default_factory=FaultPlan)
    rng: random.Random | None = None
    throttle: Throttle | None = None
    answer: Answer | None = None
    miss: Miss | None = None
    error: ApiError | None = None
    simulated: bool = False
    chunk_offsets_ms: list[float] = field(default_factory=list)
    frames: bytes | None = None  # a Live session's frames, as JSON
    fallback: str | None = None
    started: float = field(default_factory=time.time)
    clock: float = field(default_factory=time.perf_counter)
    closed: bool = False

    @classmethod
    def begin(cls, method: str, path: str, call: ApiCall | None, alt: str | None, journal: RequestJournal, cassette: str | None) -> Exchange:
        form = ResponseForm.OPENAI_JSON if call is None and names_openai_layer(path) else form_of(call, alt)
        return cls(method, path, call, form, journal, cassette)

    def answered(self, answer: Answer) -> Answer:
        self.answer = answer
        if answer.fallback:
            self.fell_back(answer.fallback)
        return answer

    def fell_back(self, how: str) -> None:
        """Journaled and logged: the answer stands in for a recording that would have matched."""
        self.fallback = how
        log.warning("%s %s answered by a fallback: %s", self.method, self.path, how)

    def close(self, status: int | None) -> None:
        """Writes the journal entry now, once: before a stream's last byte (a client that has read
        it may look at the journal at once), or with no status when the exchange is cut short."""
        if self.closed:
            return
        self.closed = True
        duration_ms = (time.perf_counter() - self.clock) * 1000
        self.journal.add(self.entry(self.journal.next_number(), status, duration_ms))

    def entry(self, number: int, status: int | None, duration_ms: float) -> JournalEntry:
        call, client, asked, answer = self.call, self.client, self.asked, self.answer
        model = (asked.call.model if asked else None) or (call.model if call else None)
        return JournalEntry(
            number=number, started=self.started, method=self.method, path=self.path, status=status,
            duration_ms=round(duration_ms, 3),
            surface=call.surface if call else None, action=call.action if call else None,
            model=bare_model_id(model) if model else None,
            encoded_body=encoded(client.body) if client and (client.body or not self.body.strip()) else self._raw_json(),
            encoded_native_body=encoded(asked.body) if asked and client and asked.body is not client.body else None,
            cassette=self.cassette,
            answered_by=self._answered_by(), source=self._source(),
            miss=self.miss.reason if self.miss else None, faults=self._faults(),
            chunk_offsets_ms=tuple(self.chunk_offsets_ms), encoded_frames=self.frames, fallback=self.fallback,
        )

    def wrote_chunk(self) -> None:
        """A stream's chunk went out now: the journal keeps when, since the request came in."""
        self.chunk_offsets_ms.append(round((time.perf_counter() - self.clock) * 1000, 3))

    def _answered_by(self) -> str | None:
        if self.answer is not None:
            return self.answer.origin or None
        if self.simulated and self.call is not None:
            return f"this run's {self.call.action.partition('.')[0]}"
        return f"mockgem ({self.error.status})" if self.error is not None and self.miss is None else None

    def _source(self) -> str | None:
        if self.answer is not None:
            return self.answer.source or None
        if self.simulated:
            return "simulator"
        return "validation" if self.error is not None and self.miss is None else None

    def _raw_json(self) -> bytes | None:
        """A refused request's body, kept when it is JSON: the journal shows what was refused.

        Read leniently (a lone surrogate, nesting past the API's depth), then encoded as the
        journal can read it back; a body Python's own parser cannot read is left out."""
        stripped = self.body.strip()
        if stripped[:1] not in (b"{", b"["):
            return None
        try:
            return encoded(json.loads(stripped))
        except (ValueError, RecursionError):
            return None

    def _faults(self) -> tuple[str, ...]:
        fired = tuple(str(fault) for fault in self.plan.fired)
        return fired + ((f"quota:{self.throttle.metric}",) if self.throttle else ())
