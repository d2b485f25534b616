"""One table from API action to handler, for every surface.

A single catch-all route hands each request to `dispatch`; `protocol.calls.parse_call` (run by
the `resolve_call` middleware) has already said which action the path names, with any base-URL
prefix before the API version skipped, as the SDKs keep it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from mockgem.errors import NotFound
from mockgem.protocol.calls import ApiCall
from mockgem.server import admin, admin_faults, batches, caches, compat, files, inspector, native, prediction_jobs
from mockgem.server.forwarding import forwarded
from mockgem.server.keys import CALL
from mockgem.server.recorded_names import recorded_first

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

NATIVE: dict[str, Handler] = {
    "generateContent": native.generate,
    "streamGenerateContent": native.generate,
    "countTokens": native.answer_json,
    "embedContent": native.answer_json,
    "batchEmbedContents": native.answer_json,
    "predict": native.answer_json,
    "models.list": native.answer_json,
    "models.get": native.answer_json,
}
OPENAI: dict[str, Handler] = {
    "chat.completions": compat.chat_completions,
    "embeddings": compat.embeddings,
    "openai.models.list": compat.list_models,
    "openai.models.get": compat.get_model,
}
# Forwarded outside replay; in replay, reads the recording holds are answered from it.
RESOURCES: dict[str, Handler] = {
    action: forwarded(recorded_first(handler))
    for action, handler in {**files.HANDLERS, **caches.HANDLERS, **batches.HANDLERS, **prediction_jobs.HANDLERS}.items()
}
ADMIN: dict[str, Handler] = {
    "health": admin.health,
    "reset": admin.reset,
    "cassettes": admin.list_cassettes,
    "cassette": admin.select_cassette,
    "requests": admin.requests,
    "stats": admin.stats,
    "rules": admin.rules,
    "faults": admin_faults.faults,
    "quotas": admin_faults.quotas,
    **{action: inspector.inspector for action in inspector.ASSETS},
}
HANDLERS: dict[str, Handler] = {**NATIVE, **OPENAI, **RESOURCES}


async def dispatch(request: web.Request) -> web.StreamResponse:
    call: ApiCall = request[CALL]
    handler = (ADMIN if call.surface == "admin" else HANDLERS).get(call.action)
    if handler is None:
        raise NotFound("Method not found.")
    return await handler(request)


def setup_routes(app: web.Application) -> None:
    app.router.add_route("*", "/{tail:.*}", dispatch)
