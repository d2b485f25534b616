"""Recordings first, on any route: what was recorded comes back as recorded, byte for byte.

In replay and auto the cassettes are asked before a route's simulator (files, caches, batches,
anything mockgem does not simulate), by a key that needs no knowledge of the route: method,
path without host and API version, canonical query and body (or what `match_on` names). A
generate call is asked here too when no fault, quota or rule could act before the recordings, so
that a recorded answer in the client's form is bytes written at once: the hot path of a replayed
test suite. When the selected cassette holds recordings of the route and none is played, the
simulator that answers instead is reported (`fallbacks`). The names in a recorded answer
stay the recorded names. A recorded resumable upload keeps working: its session URL is
rewritten to point back at this server with the recorded `upload_id`, so the chunks sent to it
are looked up (and answered) as recorded too.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from aiohttp import web
from multidict import CIMultiDict

from mockgem.config import RecordMode
from mockgem.protocol.calls import VERSIONS
from mockgem.server.exchange import Exchange
from mockgem.server.fallbacks import note_simulated
from mockgem.server.keys import CASSETTES, CONFIG
from mockgem.server.parse import addressed_origin
from mockgem.server.render import GOOGLE_HEADERS, public_origin
from mockgem.sources.base import Chunks, RecordedBytes

UPLOAD_URL = "x-goog-upload-url"
ASKING_MODES = frozenset({RecordMode.REPLAY, RecordMode.AUTO})


async def answer_recorded(request: web.Request, exchange: Exchange, *, as_is_only: bool = False) -> web.StreamResponse | None:
    """The recorded response to this request, or None when no recording holds it. `as_is_only`
    (a generate call): only a recording that goes out as it is, in the form the client asks for
    and with no recorded timing to play; the method's handler converts or paces the others."""
    cassettes = request.app[CASSETTES]
    if request.app[CONFIG].mode not in ASKING_MODES or len(cassettes.index) == 0:
        return None
    accept = (lambda answer: goes_out_as_is(answer, exchange)) if as_is_only else None
    url = addressed_origin(request) + request.path_qs
    body = exchange.upload.matching_body() if exchange.upload is not None else exchange.body
    answer = cassettes.take(request.method, url, body, tuple(request.headers.items()), accept)
    if answer is None:
        if exchange.call is not None and not as_is_only:  # a generate call's handler asks the recordings again
            note_simulated(request, exchange, "the simulator of this route")
        return None
    exchange.answered(answer)
    return render_recorded(request, answer)


def goes_out_as_is(answer: RecordedBytes, exchange: Exchange) -> bool:
    return answer.form is exchange.form and not (isinstance(answer.decoded, Chunks) and any(answer.decoded.delays))


def render_recorded(request: web.Request, answer: RecordedBytes) -> web.Response:
    """The recorded status, bytes and the headers a client reads; an upload session's URL points here."""
    headers = CIMultiDict(GOOGLE_HEADERS)
    for name, value in answer.headers:
        headers[name] = local_url(request, value) if name.lower() == UPLOAD_URL else value
    headers.setdefault("Content-Type", "application/json; charset=UTF-8")
    return web.Response(status=answer.status, body=answer.raw, headers=headers)


def local_url(request: web.Request, url: str) -> str:
    """`url` (an upstream's) on this server: its path and query after this request's base-URL prefix."""
    parts = urlsplit(url)
    query = f"?{parts.query}" if parts.query else ""
    return f"{public_origin(request)}{base_prefix(request.path)}{parts.path}{query}"


def base_prefix(path: str) -> str:
    """What stands before `/upload/` or the API version in `path`: a base URL's own path."""
    segments = path.split("/")
    for index, segment in enumerate(segments):
        if segment == "upload" or segment in VERSIONS:
            return "/".join(segments[:index])
    return ""
