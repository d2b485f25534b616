"""A simulator's answer where the selected cassette holds recordings of the route is reported.

A recording, when one matches, wins over simulation; when none does (all of the route's were
played, or the order fallback is off) the built-in token count or a resource simulator answers,
and a user whose cassette was recorded for that request should hear about it, not get a
silently different answer: the exchange says so in the journal and the log.
"""

from __future__ import annotations

from aiohttp import web

from mockgem.config import RecordMode
from mockgem.server.exchange import Exchange
from mockgem.server.keys import CASSETTES, CONFIG
from mockgem.server.parse import addressed_origin

# The sources whose answer is simulated, not recorded nor scripted.
SIMULATING_SOURCES = frozenset({"builtin"})


def note_simulated(request: web.Request, exchange: Exchange, simulator: str) -> None:
    """In replay: `simulator` answers while the request's cassette holds recordings of its route."""
    if request.app[CONFIG].mode is not RecordMode.REPLAY:
        return
    url = addressed_origin(request) + request.path_qs
    held = request.app[CASSETTES].unmatched(request.method, url, exchange.body, tuple(request.headers.items()))
    if held is not None:
        exchange.fell_back(f"answered by {simulator}, although {held}")


def note_if_simulated(request: web.Request, exchange: Exchange) -> None:
    """After a source answered: reported when it was a simulator (the built-in count...)."""
    answer = exchange.answer
    if answer is not None and answer.source in SIMULATING_SOURCES:
        note_simulated(request, exchange, f"the {answer.origin or answer.source} simulator")
