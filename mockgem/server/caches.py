"""Handlers of cachedContents: create, get, list, update the expiry, delete."""

from __future__ import annotations

from aiohttp import web

from mockgem.protocol.calls import ApiCall
from mockgem.server.exchange import Exchange

from mockgem.server.keys import CACHES, FILES
from mockgem.server.listing import page_query
from mockgem.server.parse import valid_request
from mockgem.server.render import render_json
from mockgem.server.resource_use import check_file_uris


async def create_cache(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    api = valid_request(request, exchange)
    check_file_uris(request.app[FILES], api.body)
    call = api.call
    parent = f"projects/{call.project}/locations/{call.location}" if call.project else ""
    cache = request.app[CACHES].create(api.body, version=call.version, parent=parent)
    return render_json(cache)


async def get_cache(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    return render_json(request.app[CACHES].get(_resource(exchange)))


async def list_caches(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    return render_json(request.app[CACHES].list(*page_query(request)))


async def update_cache(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    api = valid_request(request, exchange)
    return render_json(request.app[CACHES].update(_resource(exchange), api.body))


async def delete_cache(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    request.app[CACHES].delete(_resource(exchange))
    return render_json({})


def _resource(exchange: Exchange) -> str:
    return _known(exchange).resource or ""


HANDLERS = {
    "cachedContents.create": create_cache,
    "cachedContents.get": get_cache,
    "cachedContents.list": list_caches,
    "cachedContents.patch": update_cache,
    "cachedContents.delete": delete_cache,
}


def _known(exchange: Exchange) -> ApiCall:
    assert exchange.call is not None
    return exchange.call
