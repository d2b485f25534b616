"""Handlers of the native Gemini and Vertex AI methods: parse, admit, ask a source, render."""

from __future__ import annotations

import logging

from aiohttp import web

from mockgem.errors import ApiError
from mockgem.protocol.calls import ApiRequest
from mockgem.server.exchange import Exchange
from mockgem.server.fallbacks import note_if_simulated
from mockgem.server.faulting import admit
from mockgem.server.keys import SOURCE
from mockgem.server.parse import api_request
from mockgem.server.render import render_answer, render_generate
from mockgem.sources.base import Answer, Miss

log = logging.getLogger("mockgem")


async def ask(request: web.Request, exchange: Exchange, api: ApiRequest) -> Answer:
    """The sources' answer; a miss becomes a 4xx error that names what was searched."""
    exchange.asked = api
    result = await request.app[SOURCE].answer(api)
    if isinstance(result, Miss):
        exchange.miss = result
        log.warning("no answer for %s %s: %s", request.method, request.path, result.reason)
        # 400, not 5xx: clients must not retry a request that nothing can answer.
        raise ApiError(f"mockgem: no answer for this request. {result.reason}", code=400, status="FAILED_PRECONDITION")
    exchange.answered(result)
    note_if_simulated(request, exchange)
    return result


async def generate(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    api = api_request(request, exchange)
    refused = await admit(request, exchange, api)
    if refused is not None:
        return refused
    return await render_generate(request, exchange, api, await ask(request, exchange, api))


async def answer_json(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    """countTokens, embeddings, :predict and the models API: one JSON body each.

    Faults (not quotas: the quotas are generate's) reach every one but the models API."""
    api = api_request(request, exchange)
    if not api.call.action.startswith("models."):
        refused = await admit(request, exchange, api, quota=False)
        if refused is not None:
            return refused
    return render_answer(await ask(request, exchange, api), exchange.form)
