"""The middleware that writes one journal entry per API request, once its response is out.

It is the outermost middleware: it sees the status the client got (after the error envelope)
and, for a stream, the time until its last chunk. The handlers leave what they learn on the
request (`CLIENT_REQUEST`, `ASKED`, `ANSWERED`, `MISSED`, `FAULT_PLAN`, `THROTTLE`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from collections.abc import Awaitable, Callable

from aiohttp import web

from mockgem.journal import JournalEntry, encoded
from mockgem.protocol.catalog import bare_model_id
from mockgem.server.request_keys import RequestKey
from mockgem.server.keys import ANSWERED, ASKED, CALL, CASSETTES, CLIENT_REQUEST, FAULT_PLAN, JOURNAL, MISSED, THROTTLE
from mockgem.sources.cassettes.source import CASSETTE_HEADER

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(slots=True)
class _Timing:
    """When the request came in, and whether its entry is written (once only)."""

    started: float
    clock: float
    written: bool = False


# No closure over the request is stored on it: a reference cycle would leave every request's
# objects to the cyclic garbage collector instead of freeing them at once.
_TIMING: RequestKey[_Timing] = RequestKey("journal_timing")


@web.middleware
async def keep_journal(request: web.Request, handler: Handler) -> web.StreamResponse:
    request[_TIMING] = _Timing(time.time(), time.perf_counter())
    status: int | None = None
    try:
        response = await handler(request)
        status = response.status
        return response
    finally:
        journal_now(request, status)


def journal_now(request: web.Request, status: int | None) -> None:
    """Writes the request's entry now, once: before a stream's last byte (a client that has read
    it may look at the journal at once), or with no status when the exchange is cut short."""
    timing = request.get(_TIMING)
    if timing is None or timing.written:
        return
    timing.written = True
    call = request.get(CALL)
    if call is None or call.surface != "admin":
        journal = request.app[JOURNAL]
        duration_ms = (time.perf_counter() - timing.clock) * 1000
        journal.add(journal_entry(request, journal.next_number(), timing.started, status, duration_ms))


def journal_entry(request: web.Request, number: int, started: float, status: int | None, duration_ms: float) -> JournalEntry:
    """What the journal keeps of `request`; `status` is None when the exchange was cut short."""
    call, client, asked = request.get(CALL), request.get(CLIENT_REQUEST), request.get(ASKED)
    answer, miss = request.get(ANSWERED), request.get(MISSED)
    model = (asked.call.model if asked else None) or (call.model if call else None)
    return JournalEntry(
        number=number, started=started, method=request.method, path=request.path, status=status,
        duration_ms=round(duration_ms, 3),
        surface=call.surface if call else None, action=call.action if call else None,
        model=bare_model_id(model) if model else None,
        encoded_body=encoded(client.body) if client else None,
        encoded_native_body=encoded(asked.body) if asked and client and asked.body is not client.body else None,
        cassette=request.headers.get(CASSETTE_HEADER) or request.app[CASSETTES].active,
        answered_by=answer.origin if answer else None, source=answer.source or None if answer else None,
        miss=miss.reason if miss else None, faults=_faults(request),
    )


def _faults(request: web.Request) -> tuple[str, ...]:
    plan, throttle = request.get(FAULT_PLAN), request.get(THROTTLE)
    fired = tuple(str(fault) for fault in plan.fired) if plan else ()
    return fired + ((f"quota:{throttle.metric}",) if throttle else ())
