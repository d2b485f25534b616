"""Handlers of batches, and the answerer that puts each batch request to the app's sources.

Each request of a batch is answered exactly as a `generateContent` call would be: the same
rules or cassettes, the same cached contents and file checks.
"""

from __future__ import annotations

from aiohttp import web

from mockgem.server.exchange import Exchange

from mockgem._types import JSONDict
from mockgem.errors import ApiError
from mockgem.protocol.calls import ApiCall, ApiRequest
from mockgem.protocol.catalog import bare_model_id, find_model
from mockgem.protocol.envelopes import error_body, model_not_found
from mockgem.protocol.validation import validate_request
from mockgem.resources.batches import Answerer
from mockgem.server.keys import BATCHES, SOURCE
from mockgem.server.listing import page_query
from mockgem.server.parse import valid_request
from mockgem.server.render import render_json
from mockgem.sources.base import Miss, whole_body

BATCH_API_VERSION = "v1beta"


def batch_answerer(app: web.Application) -> Answerer:
    async def answer(request_body: JSONDict) -> JSONDict:
        try:
            return await _answer_batch_request(app, request_body)
        except ApiError as error:
            return _without_details(error_body(error))

    return answer


def embed_answerer(app: web.Application) -> Answerer:
    """Each request of an `:asyncBatchEmbedContent` batch, answered as `:embedContent` would be."""

    async def answer(request_body: JSONDict) -> JSONDict:
        model = str(request_body.get("model") or "").removeprefix("models/")
        body = validate_request("embedContent", {k: v for k, v in request_body.items() if k != "model"})
        try:
            result = await app[SOURCE].answer(ApiRequest(ApiCall("gemini", BATCH_API_VERSION, "embedContent", model), body))
        except ApiError as error:
            return _without_details(error_body(error))
        if isinstance(result, Miss):
            return {"error": {"code": 400, "message": f"mockgem: no answer for this request. {result.reason}", "status": "FAILED_PRECONDITION"}}
        return whole_body(result) if result.status == 200 else _without_details(whole_body(result))

    return answer


async def _answer_batch_request(app: web.Application, request_body: JSONDict) -> JSONDict:
    model = str(request_body.get("model") or "").removeprefix("models/")
    body = validate_request("generateContent", {k: v for k, v in request_body.items() if k != "model"})
    call = ApiCall("gemini", BATCH_API_VERSION, "generateContent", model)
    result = await app[SOURCE].answer(ApiRequest(call, body))
    if isinstance(result, Miss):
        raise ApiError(f"mockgem: no answer for this request. {result.reason}", code=400, status="FAILED_PRECONDITION")
    return whole_body(result) if result.status == 200 else _without_details(whole_body(result))


def _without_details(body: JSONDict) -> JSONDict:
    # UNVERIFIED: google-genai types a batch result's error details as strings, so the real
    # service most likely sends a bare code and message there; structured details break the SDK.
    error = body.get("error")
    if not isinstance(error, dict):
        return body
    return {"error": {key: value for key, value in error.items() if key != "details"}}


async def create_batch(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    api = valid_request(request, exchange)
    _check_model(api.call)
    batch = await request.app[BATCHES].create(api.call.model or "", api.body)
    return render_json(batch)


async def create_embedding_batch(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    """`:asyncBatchEmbedContent`: a batch of EmbedContentRequests, as batches.create_embeddings sends it."""
    api = valid_request(request, exchange)
    model = find_model(api.call.model or "")
    if model is None or not model.is_embedding:
        raise model_not_found(bare_model_id(api.call.model or ""), api.call.version, "asyncBatchEmbedContent")
    batch = await request.app[BATCHES].create(api.call.model or "", api.body, embedding=True)
    return render_json(batch)


async def get_batch(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    return render_json(await request.app[BATCHES].get(_resource(exchange)))


async def list_batches(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    return render_json(await request.app[BATCHES].list(*page_query(request)))


async def cancel_batch(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    await request.app[BATCHES].cancel(_resource(exchange))
    return render_json({})


async def delete_batch(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    request.app[BATCHES].delete(_resource(exchange))
    return render_json({})


def _check_model(call: ApiCall) -> None:
    """The real 404 for a model that is unknown, retired, or takes no batches."""
    model = find_model(call.model or "")
    if model is None or "batchGenerateContent" not in model.methods:
        raise model_not_found(bare_model_id(call.model or ""), call.version, "batchGenerateContent")


def _resource(exchange: Exchange) -> str:
    return _known(exchange).resource or ""


HANDLERS = {
    "batchGenerateContent": create_batch,
    "asyncBatchEmbedContent": create_embedding_batch,
    "batches.get": get_batch,
    "batches.list": list_batches,
    "batches.cancel": cancel_batch,
    "batches.delete": delete_batch,
}


def _known(exchange: Exchange) -> ApiCall:
    assert exchange.call is not None
    return exchange.call
