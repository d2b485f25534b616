"""One table from API action to handler, for every surface.

A single catch-all route hands each request to the pipeline (`pipeline.request_handler`);
`protocol.calls.parse_call` says which action the path names, with any base-URL prefix before
the API version skipped, as the SDKs keep it.
"""

from __future__ import annotations

from aiohttp import web

from mockgem.server import admin, admin_faults, batches, caches, compat, file_search, files, inspector, interactions, live, media, native, operations, prediction_jobs, tunings
from mockgem.server.forwarding import forwarded
from mockgem.server.pipeline import AdminHandler, Handler, request_handler

NATIVE: dict[str, Handler] = {
    "generateContent": native.generate,
    "streamGenerateContent": native.generate,
    "countTokens": native.answer_json,
    "embedContent": native.answer_json,
    "batchEmbedContents": native.answer_json,
    "predict": native.answer_json,
    "predictLongRunning": media.start_video,
    "computeTokens": native.answer_json,
    "models.list": native.answer_json,
    "models.get": native.answer_json,
    **interactions.CREATE,
}
OPENAI: dict[str, Handler] = {
    "chat.completions": compat.chat_completions,
    "embeddings": compat.embeddings,
    "openai.models.list": compat.list_models,
    "openai.models.get": compat.get_model,
}
# Simulated in replay (after the recordings were asked), forwarded in the other modes.
RESOURCES: dict[str, Handler] = {
    action: forwarded(handler)
    for action, handler in {
        **files.HANDLERS, **caches.HANDLERS, **batches.HANDLERS, **prediction_jobs.HANDLERS, **file_search.HANDLERS, **tunings.HANDLERS,
        "auth_tokens.create": live.create_auth_token,
    }.items()
}
# Operations and interactions: the recordings first (the pipeline asks them), then this run's
# store, then the sources (the upstream outside replay).
STORED: dict[str, Handler] = {**operations.HANDLERS, **interactions.READS}
ADMIN: dict[str, AdminHandler] = {
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
# These ask the sources themselves (recordings included), after admission and the fitting rules.
ASKING = frozenset(NATIVE) | frozenset(OPENAI)


def setup_routes(app: web.Application) -> None:
    app.router.add_route("*", "/{tail:.*}", request_handler({**NATIVE, **OPENAI, **RESOURCES, **STORED}, ASKING, ADMIN))
