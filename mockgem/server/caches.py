"""Handlers of cachedContents: create, get, list, update the expiry, delete."""

from __future__ import annotations

from aiohttp import web

from mockgem.server.keys import CACHES, CALL, FILES
from mockgem.server.listing import page_query
from mockgem.server.parse import api_request
from mockgem.server.recorded_names import learn_created
from mockgem.server.render import render_json
from mockgem.server.resource_use import check_file_uris


async def create_cache(request: web.Request) -> web.StreamResponse:
    api = await api_request(request)
    check_file_uris(request.app[FILES], api.body)
    call = api.call
    parent = f"projects/{call.project}/locations/{call.location}" if call.project else ""
    cache = request.app[CACHES].create(api.body, version=call.version, parent=parent)
    await learn_created(request.app, api, cache)
    return render_json(cache)


async def get_cache(request: web.Request) -> web.StreamResponse:
    return render_json(request.app[CACHES].get(_resource(request)))


async def list_caches(request: web.Request) -> web.StreamResponse:
    return render_json(request.app[CACHES].list(*page_query(request)))


async def update_cache(request: web.Request) -> web.StreamResponse:
    api = await api_request(request)
    return render_json(request.app[CACHES].update(_resource(request), api.body))


async def delete_cache(request: web.Request) -> web.StreamResponse:
    request.app[CACHES].delete(_resource(request))
    return render_json({})


def _resource(request: web.Request) -> str:
    return request[CALL].resource or ""


HANDLERS = {
    "cachedContents.create": create_cache,
    "cachedContents.get": get_cache,
    "cachedContents.list": list_caches,
    "cachedContents.patch": update_cache,
    "cachedContents.delete": delete_cache,
}
