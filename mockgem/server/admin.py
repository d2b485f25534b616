"""mockgem's own API under `/_mockgem/`."""

from __future__ import annotations

from aiohttp import web

from mockgem.errors import InvalidArgument, NotFound
from mockgem.protocol.validation import parse_json_body
from mockgem.server.keys import CASSETTES
from mockgem.server.render import render_json


async def health(request: web.Request) -> web.StreamResponse:
    return render_json({"status": "ok"})


async def list_cassettes(request: web.Request) -> web.StreamResponse:
    """`GET /_mockgem/cassettes`: what is loaded, how many interactions each, and the active one."""
    cassettes = request.app[CASSETTES]
    loaded = [{"name": name, "interactions": cassettes.index.count(name)} for name in cassettes.index.names]
    return render_json({"cassettes": loaded, "active": cassettes.active})


async def select_cassette(request: web.Request) -> web.StreamResponse:
    """`PUT /_mockgem/cassette` with `{"name": NAME}`: replay from and record into NAME from now on."""
    if request.method != "PUT":
        raise NotFound("Method not found.")
    body = parse_json_body(await request.read())
    name = body.get("name") if isinstance(body, dict) else None
    if not isinstance(name, str) or not name:
        raise InvalidArgument('expected {"name": "<cassette name>"}')
    return render_json({"active": request.app[CASSETTES].select(name)})
