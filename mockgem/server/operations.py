"""Reads of long-running operations, every kind: `models/{m}/operations/{o}` (Veo), Vertex AI's
`:fetchPredictOperation` and `operations/{o}`, File Search and tuned model operations.

An operation this run simulated is answered from the store; any other name is asked of the
sources, so a recorded operation replays (names mapped) and, outside replay, the upstream's own
operations are forwarded and recorded.
"""

from __future__ import annotations

from aiohttp import web

from mockgem.errors import InvalidArgument
from mockgem.protocol.calls import ApiCall, ApiRequest
from mockgem.resources.operations import operation_not_found
from mockgem.server.keys import ANSWERED, ASKED, CALL, OPERATIONS, SOURCE
from mockgem.server.parse import api_request, read_body
from mockgem.server.render import render_json
from mockgem.sources.base import Miss


async def get_operation(request: web.Request) -> web.StreamResponse:
    call: ApiCall = request[CALL]
    api = ApiRequest(call, {}, await read_body(request), tuple(request.query.items()), tuple(request.headers.items()))
    return await answer_operation(request, api, operation_name(call))


async def fetch_predict_operation(request: web.Request) -> web.StreamResponse:
    """Vertex AI's way to poll a Veo operation: `POST {model}:fetchPredictOperation {"operationName"}`."""
    api = await api_request(request)
    name = api.body.get("operationName")
    if not isinstance(name, str) or not name:
        # UNVERIFIED: the wording of a fetch that names no operation.
        raise InvalidArgument("operation_name is required.")
    return await answer_operation(request, api, name)


async def answer_operation(request: web.Request, api: ApiRequest, name: str) -> web.StreamResponse:
    store = request.app[OPERATIONS]
    if store.knows(name):
        return render_json(store.get(name))
    request[ASKED] = api
    result = await request.app[SOURCE].answer(api)
    if isinstance(result, Miss):
        raise operation_not_found(name)
    request[ANSWERED] = result
    return render_json(result.body, result.status)


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
