"""`GET /_mockgem/`: the inspector page, plain HTML and a small script shipped as package data.

The page reads the admin JSON API (`/_mockgem/requests`, `/stats`, `/cassettes`, `/rules`,
`/faults`, `/quotas`) and posts `/_mockgem/reset`; it needs no build step and no network.
"""

from __future__ import annotations

import functools
from importlib.resources import files

from aiohttp import web

from mockgem.errors import NotFound
from mockgem.protocol.calls import parse_call

# Admin action (the path after /_mockgem/) -> file of mockgem/inspector and its content type.
ASSETS = {"": ("index.html", "text/html"), "inspector.js": ("inspector.js", "text/javascript"), "inspector.css": ("inspector.css", "text/css")}


@functools.cache
def asset(name: str) -> bytes:
    return files("mockgem").joinpath("inspector", name).read_bytes()


async def inspector(request: web.Request) -> web.StreamResponse:
    if request.method not in {"GET", "HEAD"}:
        raise NotFound("Method not found.")
    call = parse_call(request.method, request.path)
    name, content_type = ASSETS[call.action if call is not None else ""]
    return web.Response(body=asset(name), content_type=content_type, charset="utf-8", headers={"Cache-Control": "no-cache"})
