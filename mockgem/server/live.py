"""The Live API: `wss://HOST/ws/...BidiGenerateContent` sessions and `POST /v1alpha/auth_tokens`.

Thin handlers: the session itself is `live_session.LiveSession`, its source `live_open`. The
credentials travel with the upgrade and a refusal is a close frame after it (the service
accepts every upgrade, then closes: "1007 None. API key not valid."), so the key-check
middleware leaves Live calls to this module.
"""

from __future__ import annotations

from aiohttp import web

from mockgem.errors import NotFound
from mockgem.protocol.validation import parse_json_body
from mockgem.server.keys import CALL, CONFIG, LIVE
from mockgem.server.live_desk import LiveDesk
from mockgem.server.live_session import LiveSession
from mockgem.server.parse import read_body
from mockgem.server.render import render_json

TOKEN_VERSION = "v1alpha"


def setup_live_routes(app: web.Application) -> None:
    """Registered before the catch-all route, which would take these paths too."""
    app[LIVE] = LiveDesk()
    # Any prefix: @google/genai joins its base URL's trailing slash and `/ws/...` into `//ws/...`.
    app.router.add_get(r"/{prefix:(?:.*/)?}ws/{method:google\.[^/]+(?:/BidiGenerateContent)?}", live_session)
    app.router.add_post("/{version}/auth_tokens", create_auth_token)


async def live_session(request: web.Request) -> web.StreamResponse:
    socket = web.WebSocketResponse(max_msg_size=request.app[CONFIG].max_body, autoclose=False)
    await socket.prepare(request)
    await LiveSession(request, socket).run()
    return socket


async def create_auth_token(request: web.Request) -> web.StreamResponse:
    """google-genai's `client.auth_tokens.create`: v1alpha only, as the SDK warns."""
    if request[CALL].version != TOKEN_VERSION:
        raise NotFound("Method not found.")  # UNVERIFIED: the other versions have no such method
    body = parse_json_body(await read_body(request))
    return render_json(request.app[LIVE].tokens.create(body if isinstance(body, dict) else {}).to_json())
