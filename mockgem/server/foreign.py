"""Requests for another host that came through the proxy (an image a test downloads, a PDF).

They are answered like any request: a recording first (on any route, by the recording-first
stage); in replay, when none matches, a miss naming the closest recording; in record, auto and
passthrough the request goes to its own host as the client sent it, and (but in passthrough) the
exchange is recorded into the request's cassette.
"""

from __future__ import annotations

from aiohttp import web

from mockgem.config import RecordMode
from mockgem.errors import ApiError, NotFound
from mockgem.server.exchange import Exchange
from mockgem.server.keys import CASSETTES, CONFIG, JOURNAL, UPSTREAM
from mockgem.server.parse import addressed_origin
from mockgem.sources.base import Answer, Miss, Whole
from mockgem.sources.cassettes.model import RecordedRequest

# Not sent on: the connection's own (RFC 9110 section 7.6.1), the proxy's, and the encodings
# (the upstream client asks for those it decodes).
_NOT_FORWARDED = frozenset({
    "host", "connection", "keep-alive", "proxy-connection", "proxy-authorization", "te", "trailer",
    "transfer-encoding", "upgrade", "content-length", "accept-encoding",
})  # fmt: skip


async def answer_foreign(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    """No recording answered this request for another host: the upstream's answer, or a miss."""
    if UPSTREAM not in request.app:
        reason = request.app[CASSETTES].explain(request.method, addressed_url(request), exchange.body, tuple(request.headers.items()))
        exchange.miss = Miss(reason, "cassettes")
        raise ApiError(f"mockgem: no answer for this request. {reason}", code=400, status="FAILED_PRECONDITION")
    if _is_this_server(request):
        raise NotFound("Method not found.")
    headers = tuple((str(name), value) for name, value in request.headers.items() if name.lower() not in _NOT_FORWARDED)
    relayed, interaction = await request.app[UPSTREAM].forward(RecordedRequest(request.method, addressed_url(request), headers, exchange.body))
    if request.app[CONFIG].mode is not RecordMode.PASSTHROUGH:
        await request.app[CASSETTES].record_into(tuple(request.headers.items()), interaction)
        request.app[JOURNAL].count_recorded()
    exchange.answered(Whole(body={}, status=relayed.status, origin="upstream", source="upstream"))
    return web.Response(status=relayed.status, body=relayed.body, headers=dict(relayed.headers))


def addressed_url(request: web.Request) -> str:
    """The whole URL the client asked for."""
    return addressed_origin(request) + request.path_qs


def _is_this_server(request: web.Request) -> bool:
    """A request that names this server's own address: forwarding it would loop."""
    own = request.transport.get_extra_info("sockname") if request.transport is not None else None
    return isinstance(own, tuple) and request.url.host == own[0] and request.url.port == own[1]
