"""Handlers of the Interactions API: create (whole, streamed, in the background, chained by
`previous_interaction_id`), get, delete, cancel.

Fields stay in the API's snake_case. A create is asked of the sources like a generate call:
a recording or the upstream answers as it did, the rules through their generateContent form.
A simulated interaction is kept for get, cancel and chaining. Errors use this API's envelope,
`{"error": {"code": "invalid_request", "message": ...}}` with a string code, as real answers show.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web

from mockgem._types import JSONDict
from mockgem.errors import ApiError, InvalidArgument
from mockgem.protocol.calls import ApiRequest
from mockgem.resources.interactions import interaction_not_found
from mockgem.server.keys import ANSWERED, ASKED, CALL, INTERACTIONS, SOURCE
from mockgem.server.native import ask
from mockgem.server.parse import openai_request
from mockgem.server.render import SSE_TYPE, render_json, write_stream
from mockgem.sources.base import Answer, Miss
from mockgem.sse import split_sse_events
from mockgem.translate.interaction_stream import DONE, encode_event, interaction_events

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# Answers that no recording or upstream gave: only these are this run's to keep.
SIMULATED = frozenset({"rules", "builtin"})
# UNVERIFIED beyond `invalid_request` (seen in real 400s): the other codes as lower-case gRPC names.
ERROR_CODES = {"INVALID_ARGUMENT": "invalid_request", "FAILED_PRECONDITION": "invalid_request"}


def interaction_error(error: ApiError) -> web.Response:
    code = ERROR_CODES.get(error.status, error.status.lower())
    return render_json({"error": {"message": error.message, "code": code}}, status=error.code)


def enveloped(handler: Handler) -> Handler:
    """`handler` with its refusals in the Interactions API's envelope."""

    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except ApiError as error:
            return interaction_error(error)

    return handle


async def create_interaction(request: web.Request) -> web.StreamResponse:
    api = await openai_request(request)
    _check_create(api.body)
    answer = await ask(request, api)
    if answer.status != 200:
        return render_json(answer.body, answer.status)
    interaction = answer.body
    if answer.source in SIMULATED:
        previous = api.body.get("previous_interaction_id")
        if previous and not request.app[INTERACTIONS].exists(str(previous)):
            raise interaction_not_found(str(previous))
        interaction = request.app[INTERACTIONS].save(interaction, background=bool(api.body.get("background")))
    if api.body.get("stream"):
        return await write_stream(request, SSE_TYPE, _frames(answer, interaction))
    return render_json(interaction)


def _check_create(body: JSONDict) -> None:
    # UNVERIFIED: the wording of both refusals.
    if not body.get("model") and not body.get("agent"):
        raise InvalidArgument("One of model or agent must be set.")
    if body.get("input") in (None, "", []):
        raise InvalidArgument("input is required.")


async def _frames(answer: Answer, interaction: JSONDict) -> AsyncIterator[tuple[bytes, float]]:
    """Recorded SSE bytes as they were, an upstream's events as they come, or the events of a simulated one."""
    if answer.raw is not None and SSE_TYPE in (answer.raw_content_type or ""):
        for event in split_sse_events(answer.raw):
            yield event, 0.0
        return
    if answer.live is not None:
        async for payload in answer.live:
            yield encode_event(payload), 0.0
    else:
        for payload in interaction_events(interaction):
            yield encode_event(payload), 0.0
    yield DONE, 0.0


async def get_interaction(request: web.Request) -> web.StreamResponse:
    store, interaction_id = request.app[INTERACTIONS], _resource(request)
    if not store.exists(interaction_id):
        return await _from_sources(request, interaction_id)
    interaction = store.get(interaction_id)
    if request.query.get("stream") == "true":
        return await write_stream(request, SSE_TYPE, _frames(Answer(), interaction))
    return render_json(interaction)


async def delete_interaction(request: web.Request) -> web.StreamResponse:
    store, interaction_id = request.app[INTERACTIONS], _resource(request)
    if not store.exists(interaction_id):
        return await _from_sources(request, interaction_id)
    store.delete(interaction_id)
    return render_json({})


async def cancel_interaction(request: web.Request) -> web.StreamResponse:
    store, interaction_id = request.app[INTERACTIONS], _resource(request)
    if not store.exists(interaction_id):
        return await _from_sources(request, interaction_id)
    return render_json(store.cancel(interaction_id))


async def _from_sources(request: web.Request, interaction_id: str) -> web.StreamResponse:
    """An interaction this run did not simulate: from the recording, or the upstream's."""
    api = await openai_request(request)
    api = ApiRequest(request[CALL], {}, api.raw, api.query, api.headers)
    request[ASKED] = api
    result = await request.app[SOURCE].answer(api)
    if isinstance(result, Miss):
        raise interaction_not_found(interaction_id)
    request[ANSWERED] = result
    return render_json(result.body, result.status)


def _resource(request: web.Request) -> str:
    return request[CALL].resource or ""


HANDLERS: dict[str, Handler] = {
    action: enveloped(handler)
    for action, handler in {
        "interactions.create": create_interaction,
        "interactions.get": get_interaction,
        "interactions.delete": delete_interaction,
        "interactions.cancel": cancel_interaction,
    }.items()
}
