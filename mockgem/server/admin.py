"""mockgem's own API under `/_mockgem/`."""

from __future__ import annotations

from aiohttp import web

from mockgem.server.render import render_json


async def health(request: web.Request) -> web.StreamResponse:
    return render_json({"status": "ok"})
