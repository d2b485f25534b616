"""Which cassette a request replays: a base URL's `/_cassette/NAME/` prefix, the
`X-Mockgem-Cassette` header, else the server's active cassette.

The prefix selects for that request only, with no server-wide state, so tests running at once
(xdist workers sharing a server, concurrent async tests) each replay their own cassette:

    genai.Client(http_options={"base_url": f"{server.url}/_cassette/{quote(name, safe='')}/"})

SDKs keep a base URL's path, so every call of that client carries it. The prefix is taken off
before any stage sees the path, and becomes the request's header; URLs that point back at this
server (upload sessions, file URIs) keep it. In replay a named cassette must be loaded: any
other name is an error that names it.
"""

from __future__ import annotations

from urllib.parse import unquote

from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from mockgem.config import RecordMode
from mockgem.errors import ApiError
from mockgem.server.exchange import Exchange
from mockgem.server.keys import CASSETTES, CONFIG
from mockgem.sources.base import Miss
from mockgem.sources.cassettes.source import CASSETTE_HEADER

CASSETTE_PREFIX = "/_cassette/"
# The prefix a request came with, for the URLs that point back at this server.
BASE_PREFIX_HEADER = "x-mockgem-base-prefix"


def routed(request: web.Request) -> web.Request:
    """The request without its `/_cassette/NAME` prefix, NAME (percent-decoded) as its cassette header."""
    raw = request.raw_path
    if not raw.startswith(CASSETTE_PREFIX):
        return request
    encoded, _, rest = raw[len(CASSETTE_PREFIX) :].partition("/")
    headers = CIMultiDict(request.headers)
    if encoded:
        headers[CASSETTE_HEADER] = unquote(encoded)
        headers[BASE_PREFIX_HEADER] = CASSETTE_PREFIX + encoded
    return request.clone(rel_url=URL("/" + rest, encoded=True), headers=CIMultiDictProxy(headers))


def chosen_cassette(request: web.Request) -> str | None:
    return request.headers.get(CASSETTE_HEADER) or request.app[CASSETTES].active


def check_chosen(request: web.Request, exchange: Exchange) -> None:
    """In replay, the cassette a request names must be loaded: else the error names it (a miss
    in the journal, so the pytest plugin reports it with the test)."""
    named = request.headers.get(CASSETTE_HEADER)
    if not named or request.app[CONFIG].mode is not RecordMode.REPLAY:
        return
    unknown = request.app[CASSETTES].unknown(named)
    if unknown is not None:
        exchange.miss = Miss(unknown, "cassettes")
        raise ApiError(f"mockgem: {unknown}", code=400, status="FAILED_PRECONDITION")
