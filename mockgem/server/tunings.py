"""Handlers of tuning: the Gemini API's `tunedModels` (tunings.tune/get/cancel, models.update and
delete of a tuned model) and Vertex AI's `tuningJobs` and tuned `models/{id}`."""

from __future__ import annotations

from aiohttp import web

from mockgem.protocol.calls import ApiCall
from mockgem.server.keys import TUNINGS
from mockgem.server.exchange import Exchange
from mockgem.server.listing import page_query
from mockgem.server.parse import valid_request
from mockgem.server.render import render_json


async def create_tuned_model(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    api = valid_request(request, exchange)
    operation = request.app[TUNINGS].create_tuned_model(api.body)
    return render_json(operation)


async def get_tuned_model(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    call = _known(exchange)
    store = request.app[TUNINGS]
    return render_json(store.vertex_model(_vertex_model(call)) if call.surface == "vertex" else store.tuned_model(_resource(call)))


async def list_tuned_models(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    return render_json(request.app[TUNINGS].tuned_models(*page_query(request)))


async def update_tuned_model(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    api = valid_request(request, exchange)
    store, call = request.app[TUNINGS], api.call
    if call.surface == "vertex":
        return render_json(store.update_vertex_model(_vertex_model(call), api.body))
    return render_json(store.update_tuned_model(_resource(call), api.body))


async def delete_tuned_model(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    call = _known(exchange)
    if call.surface == "vertex":
        return render_json(request.app[TUNINGS].delete_vertex_model(_vertex_model(call), parent=_parent(call), version=call.version))
    request.app[TUNINGS].delete_tuned_model(_resource(call))
    return render_json({})


async def cancel_tuned_model(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    request.app[TUNINGS].cancel_tuned_model(_resource(_known(exchange)))
    return render_json({})


async def create_tuning_job(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    api = valid_request(request, exchange)
    job = request.app[TUNINGS].create_job(_parent(api.call), api.body)
    return render_json(job)


async def get_tuning_job(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    return render_json(request.app[TUNINGS].job(_job(_known(exchange))))


async def list_tuning_jobs(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    return render_json(request.app[TUNINGS].jobs(_parent(_known(exchange)), *page_query(request)))


async def cancel_tuning_job(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    request.app[TUNINGS].cancel_job(_job(_known(exchange)))
    return render_json({})


def _known(exchange: Exchange) -> ApiCall:
    assert exchange.call is not None
    return exchange.call


def _parent(call: ApiCall) -> str:
    return f"projects/{call.project}/locations/{call.location}"


def _job(call: ApiCall) -> str:
    return f"{_parent(call)}/tuningJobs/{call.resource}"


def _vertex_model(call: ApiCall) -> str:
    return f"{_parent(call)}/models/{call.resource}"


def _resource(call: ApiCall) -> str:
    return call.resource or ""


HANDLERS = {
    "tunedModels.create": create_tuned_model,
    "tunedModels.get": get_tuned_model,
    "tunedModels.list": list_tuned_models,
    "tunedModels.patch": update_tuned_model,
    "tunedModels.delete": delete_tuned_model,
    "tunedModels.cancel": cancel_tuned_model,
    "tuningJobs.create": create_tuning_job,
    "tuningJobs.get": get_tuning_job,
    "tuningJobs.list": list_tuning_jobs,
    "tuningJobs.cancel": cancel_tuning_job,
}
