"""Handlers of the native Gemini and Vertex AI methods: parse, ask a source, render."""

from __future__ import annotations

import logging

from aiohttp import web

from mockgem.errors import ApiError
from mockgem.protocol.calls import ApiRequest
from mockgem.server.faulting import admit
from mockgem.server.keys import ANSWERED, ASKED, MISSED, SOURCE
from mockgem.server.parse import api_request
from mockgem.server.render import render_generate, render_json
from mockgem.sources.base import Answer, Miss

log = logging.getLogger("mockgem")


async def ask(request: web.Request, api: ApiRequest) -> Answer:
    """The source's answer; a miss becomes a 4xx error that names what was searched."""
    request[ASKED] = api
    result = await request.app[SOURCE].answer(api)
    if isinstance(result, Miss):
        request[MISSED] = result
        log.warning("no answer for %s %s: %s", request.method, request.path, result.reason)
        # 400, not 5xx: clients must not retry a request that nothing can answer.
        raise ApiError(f"mockgem: no answer for this request. {result.reason}", code=400, status="FAILED_PRECONDITION")
    request[ANSWERED] = result
    return result


async def generate(request: web.Request) -> web.StreamResponse:
    api = await api_request(request)
    refused = await admit(request, api)
    if refused is not None:
        return refused
    return await render_generate(request, api, await ask(request, api))


async def answer_json(request: web.Request) -> web.StreamResponse:
    """countTokens, embeddings, :predict and the models API: one JSON body each.

    Faults (not quotas: the quotas are generate's) reach every one but the models API."""
    api = await api_request(request)
    if not api.call.action.startswith("models."):
        refused = await admit(request, api, quota=False)
        if refused is not None:
            return refused
    answer = await ask(request, api)
    return render_json(answer.body, answer.status)
