"""The Live API: `wss://HOST/ws/...BidiGenerateContent` sessions and `POST /v1alpha/auth_tokens`.

Thin handlers: the session itself is `live_session.LiveSession`, its source `live_open`. The
credentials travel with the upgrade and a refusal is a close frame after it (the service
accepts every upgrade, then closes: "1007 None. API key not valid."), so the session route
sits beside the pipeline, with an exchange of its own for the journal; `auth_tokens` is an
ordinary method in the pipeline's table.
"""

from __future__ import annotations

from aiohttp import web

from mockgem.errors import NotFound
from mockgem.protocol.validation import parse_json_body
from mockgem.protocol.calls import parse_call
from mockgem.server.exchange import Exchange
from mockgem.server.keys import CASSETTES, CONFIG, JOURNAL, LIVE
from mockgem.server.live_desk import LiveDesk
from mockgem.server.live_session import LiveSession
from mockgem.sources.cassettes.source import CASSETTE_HEADER
from mockgem.server.render import render_json

TOKEN_VERSION = "v1alpha"


def setup_live_routes(app: web.Application) -> None:
    """Registered before the catch-all route, which would take these paths too."""
    app[LIVE] = LiveDesk()
    # Any prefix: @google/genai joins its base URL's trailing slash and `/ws/...` into `//ws/...`.
    app.router.add_get(r"/{prefix:(?:.*/)?}ws/{method:google\.[^/]+(?:/BidiGenerateContent)?}", live_session)


async def live_session(request: web.Request) -> web.StreamResponse:
    socket = web.WebSocketResponse(max_msg_size=request.app[CONFIG].max_body, autoclose=False)
    await socket.prepare(request)
    call = parse_call(request.method, request.path)
    cassette = request.headers.get(CASSETTE_HEADER) or request.app[CASSETTES].active
    exchange = Exchange.begin(request.method, request.path, call, None, request.app[JOURNAL], cassette)
    await LiveSession(request, exchange, socket).run()
    return socket


async def create_auth_token(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    """google-genai's `client.auth_tokens.create`: v1alpha only, as the SDK warns."""
    if exchange.call is None or exchange.call.version != TOKEN_VERSION:
        raise NotFound("Method not found.")  # UNVERIFIED: the other versions have no such method
    body = parse_json_body(exchange.body)
    token = request.app[LIVE].tokens.create(body if isinstance(body, dict) else {})
    return render_json(token.to_json())
