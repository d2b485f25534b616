"""Handlers of Vertex AI batch prediction jobs: create, get, list, cancel, delete."""

from __future__ import annotations

from aiohttp import web

from mockgem.server.exchange import Exchange

from mockgem.protocol.calls import ApiCall
from mockgem.resources.prediction_jobs import PREDICTION_JOBS as COLLECTION
from mockgem.server.keys import PREDICTION_JOBS
from mockgem.server.listing import page_query
from mockgem.server.parse import valid_request
from mockgem.server.render import render_json


async def create_prediction_job(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    api = valid_request(request, exchange)
    job = request.app[PREDICTION_JOBS].create(_parent(api.call), api.body)
    return render_json(job)


async def get_prediction_job(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    return render_json(request.app[PREDICTION_JOBS].get(_name(_known(exchange))))


async def list_prediction_jobs(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    return render_json(request.app[PREDICTION_JOBS].list(_parent(_known(exchange)), *page_query(request)))


async def cancel_prediction_job(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    request.app[PREDICTION_JOBS].cancel(_name(_known(exchange)))
    return render_json({})


async def delete_prediction_job(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    call = _known(exchange)
    return render_json(request.app[PREDICTION_JOBS].delete(_name(call), version=call.version))


def _parent(call: ApiCall) -> str:
    return f"projects/{call.project}/locations/{call.location}"


def _name(call: ApiCall) -> str:
    return f"{_parent(call)}/{COLLECTION}/{call.resource}"


HANDLERS = {
    "batchPredictionJobs.create": create_prediction_job,
    "batchPredictionJobs.get": get_prediction_job,
    "batchPredictionJobs.list": list_prediction_jobs,
    "batchPredictionJobs.cancel": cancel_prediction_job,
    "batchPredictionJobs.delete": delete_prediction_job,
}


def _known(exchange: Exchange) -> ApiCall:
    assert exchange.call is not None
    return exchange.call
