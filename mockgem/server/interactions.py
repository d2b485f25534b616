"""Handlers of the Interactions API: create (whole, streamed, in the background, chained by
`previous_interaction_id`), get, delete, cancel.

Fields stay in the API's snake_case. A create is asked of the sources like a generate call:
a recording or the upstream answers as it did, the rules through their generateContent form.
A simulated interaction is kept for get, cancel and chaining. Errors use this API's envelope,
`{"error": {"code": "invalid_request", "message": ...}}` with a string code, as real answers show.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from mockgem._types import JSONDict
from mockgem.errors import ApiError, InvalidArgument
from mockgem.resources.interactions import interaction_not_found
from mockgem.server.exchange import Exchange
from mockgem.server.keys import INTERACTIONS, SOURCE
from mockgem.server.native import ask
from mockgem.server.parse import openai_request
from mockgem.server.pipeline import Handler
from mockgem.server.render import SSE_TYPE, render_bytes, render_json, write_stream
from mockgem.sources.base import Answer, Failure, Live, Miss, RecordedBytes, Whole, whole_body
from mockgem.sse import split_sse_events
from mockgem.translate.interaction_stream import DONE, encode_event, interaction_events

# Answers that no recording or upstream gave: only these are this run's to keep.
SIMULATED = frozenset({"rules", "builtin"})
# UNVERIFIED beyond `invalid_request` (seen in real 400s): the other codes as lower-case gRPC names.
ERROR_CODES = {"INVALID_ARGUMENT": "invalid_request", "FAILED_PRECONDITION": "invalid_request"}


def interaction_error(error: ApiError) -> web.Response:
    code = ERROR_CODES.get(error.status, error.status.lower())
    return render_json({"error": {"message": error.message, "code": code}}, status=error.code)


def enveloped(handler: Handler) -> Handler:
    """`handler` with its refusals in the Interactions API's envelope."""

    async def handle(request: web.Request, exchange: Exchange) -> web.StreamResponse:
        try:
            return await handler(request, exchange)
        except ApiError as error:
            exchange.error = error
            return interaction_error(error)

    return handle


async def create_interaction(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    api = openai_request(request, exchange)
    _check_create(api.body)
    answer = await ask(request, exchange, api)
    if isinstance(answer, Failure):
        raise answer.error
    if not isinstance(answer, Whole) or answer.status != 200:
        return await _render_passed_on(request, exchange, answer)
    interaction = answer.body
    if answer.source in SIMULATED:
        previous = api.body.get("previous_interaction_id")
        if previous and not request.app[INTERACTIONS].exists(str(previous)):
            raise interaction_not_found(str(previous))
        interaction = request.app[INTERACTIONS].save(interaction, background=bool(api.body.get("background")))
    if api.body.get("stream"):
        return await write_stream(request, exchange, SSE_TYPE, _events(interaction_events(interaction)))
    return render_json(interaction)


def _check_create(body: JSONDict) -> None:
    # UNVERIFIED: the wording of both refusals.
    if not body.get("model") and not body.get("agent"):
        raise InvalidArgument("One of model or agent must be set.")
    if body.get("input") in (None, "", []):
        raise InvalidArgument("input is required.")


async def _render_passed_on(request: web.Request, exchange: Exchange, answer: Answer) -> web.StreamResponse:
    """A recorded or an upstream answer, in the form it came: JSON, SSE bytes, or live events."""
    if isinstance(answer, Live):
        return await write_stream(request, exchange, SSE_TYPE, _live_events(answer))
    if isinstance(answer, RecordedBytes) and SSE_TYPE in (answer.content_type or ""):
        return await write_stream(request, exchange, SSE_TYPE, _recorded_events(answer.raw))
    if isinstance(answer, RecordedBytes):
        return render_bytes(answer)
    return render_json(whole_body(answer), answer.status)


async def _events(payloads: list[JSONDict]) -> AsyncIterator[tuple[bytes, float]]:
    for payload in payloads:
        yield encode_event(payload), 0.0
    yield DONE, 0.0


async def _live_events(answer: Live) -> AsyncIterator[tuple[bytes, float]]:
    async for payload in answer.chunks:
        yield encode_event(payload), 0.0
    yield DONE, 0.0


async def _recorded_events(raw: bytes) -> AsyncIterator[tuple[bytes, float]]:
    for event in split_sse_events(raw):
        yield event, 0.0


async def get_interaction(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    store, interaction_id = request.app[INTERACTIONS], _resource(exchange)
    if not store.exists(interaction_id):
        return await _from_sources(request, exchange, interaction_id)
    interaction = store.get(interaction_id)
    if request.query.get("stream") == "true":
        return await write_stream(request, exchange, SSE_TYPE, _events(interaction_events(interaction)))
    return render_json(interaction)


async def delete_interaction(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    store, interaction_id = request.app[INTERACTIONS], _resource(exchange)
    if not store.exists(interaction_id):
        return await _from_sources(request, exchange, interaction_id)
    store.delete(interaction_id)
    return render_json({})


async def cancel_interaction(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    store, interaction_id = request.app[INTERACTIONS], _resource(exchange)
    if not store.exists(interaction_id):
        return await _from_sources(request, exchange, interaction_id)
    return render_json(store.cancel(interaction_id))


async def _from_sources(request: web.Request, exchange: Exchange, interaction_id: str) -> web.StreamResponse:
    """An interaction this run did not simulate: the upstream's, outside replay (the pipeline
    asked the recordings already)."""
    result = await request.app[SOURCE].answer(openai_request(request, exchange))
    if isinstance(result, Miss):
        exchange.miss = result
        raise interaction_not_found(interaction_id)
    return await _render_passed_on(request, exchange, exchange.answered(result))


def _resource(exchange: Exchange) -> str:
    return (exchange.call.resource if exchange.call else None) or ""


# Asks the sources itself (rules before recordings, as generateContent does).
CREATE: dict[str, Handler] = {"interactions.create": enveloped(create_interaction)}
# The recordings are asked first, by the pipeline; then this run's store, then the upstream.
READS: dict[str, Handler] = {
    action: enveloped(handler)
    for action, handler in {
        "interactions.get": get_interaction,
        "interactions.delete": delete_interaction,
        "interactions.cancel": cancel_interaction,
    }.items()
}
