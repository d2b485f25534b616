"""Request middlewares, one concern each: CORS preflight, journal, error envelope, call resolution, key check."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from mockgem.errors import ApiError, NotFound, PermissionDenied
from mockgem.protocol.calls import ApiCall, names_openai_layer, parse_call
from mockgem.protocol.envelopes import MISSING_KEY_MESSAGE, MISSING_OAUTH_MESSAGE, api_error, invalid_key_error
from mockgem.server.journaling import keep_journal
from mockgem.server.keys import API_KEY, CALL, CONFIG
from mockgem.server.parse import payload_too_large
from mockgem.server.render import is_preflight, render_error, render_preflight, wants_list_errors

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
log = logging.getLogger("mockgem")


@web.middleware
async def answer_preflight(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A browser's preflight is answered for any path with no key; it is no API request, so no journal entry."""
    if is_preflight(request):
        return render_preflight(request)
    return await handler(request)


@web.middleware
async def error_envelope(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Whatever goes wrong, the client gets the real API's envelope: never a traceback or HTML."""
    try:
        return await handler(request)
    except ApiError as error:
        return render_error(error, _as_list(request))
    except web.HTTPRequestEntityTooLarge:
        return render_error(payload_too_large(request.app[CONFIG].max_body), _as_list(request))
    except web.HTTPException as exc:
        return render_error(api_error(exc.status), _as_list(request))
    except Exception:
        log.exception("unexpected error answering %s %s", request.method, request.path)
        return render_error(api_error(500), _as_list(request))


def _as_list(request: web.Request) -> bool:
    call = request.get(CALL)
    if call is None:
        return names_openai_layer(request.path)
    return wants_list_errors(call, request.query.get("alt"))


@web.middleware
async def resolve_call(request: web.Request, handler: Handler) -> web.StreamResponse:
    call = parse_call(request.method, request.path)
    if call is None:
        # UNVERIFIED: Google's front end answers an unknown method+path pair as not found.
        raise NotFound("Method not found.")
    request[CALL] = call
    return await handler(request)


@web.middleware
async def check_key(request: web.Request, handler: Handler) -> web.StreamResponse:
    call: ApiCall = request[CALL]
    if call.surface != "admin" and not call.is_live and not _is_upload_session(request):  # Live: checked in the session
        request[API_KEY] = _check_credentials(request, call)
    return await handler(request)


def _is_upload_session(request: web.Request) -> bool:
    return "upload_id" in request.query


def _check_credentials(request: web.Request, call: ApiCall) -> str:
    key = request.headers.get("x-goog-api-key") or request.query.get("key")
    bearer = _bearer(request)
    oauth = call.project is not None
    if oauth and not (key or bearer):
        raise ApiError(MISSING_OAUTH_MESSAGE, code=401)
    if not (key or bearer):
        raise PermissionDenied(MISSING_KEY_MESSAGE)
    allowed = request.app[CONFIG].api_keys
    credential = key or bearer or ""
    if allowed and credential not in allowed and not (oauth and bearer and not key):
        raise invalid_key_error()
    return credential


def _bearer(request: web.Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


MIDDLEWARES = [answer_preflight, keep_journal, error_envelope, resolve_call, check_key]
