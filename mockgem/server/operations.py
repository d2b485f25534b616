"""Reads of long-running operations, every kind: `models/{m}/operations/{o}` (Veo), Vertex AI's
`:fetchPredictOperation` and `operations/{o}`, File Search and tuned model operations.

The pipeline asks the recordings first. An operation this run simulated is then answered from
the store; any other name is asked of the sources, so outside replay the upstream's own
operations are forwarded and recorded.
"""

from __future__ import annotations

from aiohttp import web

from mockgem.errors import InvalidArgument
from mockgem.protocol.calls import ApiCall, ApiRequest
from mockgem.resources.operations import operation_not_found
from mockgem.server.exchange import Exchange
from mockgem.server.keys import OPERATIONS, SOURCE
from mockgem.server.parse import api_request
from mockgem.server.render import render_answer, render_json
from mockgem.sources.base import Miss


async def get_operation(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    api = api_request(request, exchange)
    return await answer_operation(request, exchange, api, operation_name(api.call))


async def fetch_predict_operation(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    """Vertex AI's way to poll a Veo operation: `POST {model}:fetchPredictOperation {"operationName"}`."""
    api = api_request(request, exchange)
    name = api.body.get("operationName")
    if not isinstance(name, str) or not name:
        # UNVERIFIED: the wording of a fetch that names no operation.
        raise InvalidArgument("operation_name is required.")
    return await answer_operation(request, exchange, api, name)


async def answer_operation(request: web.Request, exchange: Exchange, api: ApiRequest, name: str) -> web.StreamResponse:
    store = request.app[OPERATIONS]
    if store.knows(name):
        return render_json(store.get(name))
    result = await request.app[SOURCE].answer(api)
    if isinstance(result, Miss):
        exchange.miss = result
        raise operation_not_found(name)
    return render_answer(exchange.answered(result), exchange.form)


def operation_name(call: ApiCall) -> str:
    """The full name of the operation a GET path names."""
    collection = call.action.partition(".")[0]
    if collection == "models":
        return f"models/{call.model}/operations/{call.resource}"
    if call.surface == "vertex":
        return f"projects/{call.project}/locations/{call.location}/operations/{call.resource}"
    return f"{collection}/{call.resource}"


HANDLERS = {
    "models.operations.get": get_operation,
    "operations.get": get_operation,
    "fileSearchStores.operations.get": get_operation,
    "tunedModels.operations.get": get_operation,
    "fetchPredictOperation": fetch_predict_operation,
}
