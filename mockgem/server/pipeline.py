"""The one aiohttp handler: every request goes through the same stages, in this order.

1. A browser's preflight is answered at once (no key, no journal entry), but not on the admin API.
2. A base URL's `/_cassette/NAME/` prefix is taken off: it names the request's cassette
   (`cassette_choice`). `/_mockgem/` goes to the admin API, for callers `admin_guard` lets in.
3. Otherwise an `Exchange` begins (in replay a cassette the request names must be loaded): the call the path names (None if none does) and the form the
   answer takes; the credentials are checked for a Google method, and the body is read once.
4. The recordings are asked first, on any route (`recorded.answer_recorded`), in replay and auto.
   Methods whose answers faults and rules can shape (generate, chat, count, embed, models)
   ask them after admission and the fitting rules, inside their handler, unless no fault,
   quota or rule is there to act.
5. The method's handler (the simulators, or the upstream) answers the rest; a path no method has
   is a 404, but for another host through the proxy (`foreign`): a miss, or the upstream.
Whatever goes wrong reaches the client in its surface's envelope, and the exchange is closed
(journaled) once its response is out, with the status the client got.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from mockgem.errors import ApiError, NotFound, PermissionDenied
from mockgem.protocol.base_url_hints import hint_for
from mockgem.protocol.calls import ApiCall, parse_call
from mockgem.protocol.envelopes import MISSING_KEY_MESSAGE, MISSING_OAUTH_MESSAGE, api_error, invalid_key_error
from mockgem.server.cassette_choice import check_chosen, chosen_cassette, routed
from mockgem.server.exchange import Exchange
from mockgem.server.faulting import FAULT_HEADER
from mockgem.server.foreign import answer_foreign
from mockgem.server.keys import CONFIG, FAULTS, JOURNAL, QUOTAS, RULES
from mockgem.server.parse import payload_too_large, read_exchange_body
from mockgem.server.proxy import intercepted
from mockgem.server.admin_guard import check_admin_caller
from mockgem.server.recorded import answer_recorded
from mockgem.server.render import is_preflight, render_error, render_preflight
from mockgem.sources.cassettes.places import inside_name

CASSETTE_HEADER = "X-Mockgem-Cassette"

log = logging.getLogger("mockgem")
Handler = Callable[[web.Request, Exchange], Awaitable[web.StreamResponse]]
AdminHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def request_handler(handlers: dict[str, Handler], asking: frozenset[str], admin: dict[str, AdminHandler]) -> AdminHandler:
    """The aiohttp handler for every path: `handlers` by API action; those in `asking` look up
    recordings themselves, after admission and rules; `admin` serves `/_mockgem/`."""

    async def handle(request: web.Request) -> web.StreamResponse:
        request = routed(request)
        call = parse_call(request.method, request.path)
        if is_preflight(request) and not (call is not None and call.surface == "admin"):
            return render_preflight(request)
        if call is not None and call.surface == "admin":
            return await _answer_admin(request, admin.get(call.action))
        exchange = Exchange.begin(request.method, request.path, call, request.query.get("alt"), request.app[JOURNAL], chosen_cassette(request))
        try:
            response = await _answer_api(request, exchange, handlers.get(call.action) if call else None, call is not None and call.action in asking)
        except Exception as error:
            response = _error_response(request, exchange, error)
        finally:
            if exchange.upload is not None:
                exchange.upload.close()
        exchange.close(response.status)  # a stream closed it already, before its last byte
        return response

    return handle


async def _answer_api(request: web.Request, exchange: Exchange, handler: Handler | None, asks_itself: bool) -> web.StreamResponse:
    call = exchange.call
    if named := request.headers.get(CASSETTE_HEADER):
        inside_name(named, f"{CASSETTE_HEADER}:")
    check_chosen(request, exchange)
    if call is not None and not _is_upload_session(request, call):
        exchange.api_key = check_credentials(request, call)
    await read_exchange_body(request, exchange)
    if not asks_itself or nothing_acts_first(request):
        recorded = await answer_recorded(request, exchange, as_is_only=asks_itself)
        if recorded is not None:
            return recorded
    if handler is None and intercepted(request):
        return await answer_foreign(request, exchange)
    if handler is None:
        # UNVERIFIED: Google's front end answers an unknown method+path pair as not found.
        raise NotFound(" ".join(filter(None, ["Method not found.", hint_for(request.method, request.path)])))
    response = await handler(request, exchange)
    exchange.simulated = exchange.answer is None  # a resource store answered (files, caches, batches)
    return response


def _error_response(request: web.Request, exchange: Exchange, error: Exception) -> web.StreamResponse:
    """Any error as the real API's envelope in the exchange's form: never a traceback or HTML."""
    exchange.error = as_api_error(request, error)
    return render_error(exchange.error, exchange.form.lists_errors)


def as_api_error(request: web.Request, error: Exception) -> ApiError:
    """The ApiError an escaped exception stands for; an unexpected one is logged and is a 500."""
    if isinstance(error, ApiError):
        return error
    if isinstance(error, web.HTTPRequestEntityTooLarge):
        return payload_too_large(request.app[CONFIG].max_body)
    if isinstance(error, web.HTTPException):
        return api_error(error.status)
    log.exception("unexpected error answering %s %s", request.method, request.path, exc_info=error)
    return api_error(500)


async def _answer_admin(request: web.Request, handler: AdminHandler | None) -> web.StreamResponse:
    try:
        check_admin_caller(request)
        if handler is None:
            raise NotFound("Method not found.")
        return await handler(request)
    except Exception as error:
        return render_error(as_api_error(request, error))


def nothing_acts_first(request: web.Request) -> bool:
    """No fault, quota or scripted rule could act before the recordings on this request."""
    app = request.app
    return not (app[RULES].rules or app[FAULTS].faults or app[QUOTAS].specs or FAULT_HEADER in request.headers)


def _is_upload_session(request: web.Request, call: ApiCall) -> bool:
    """A resumable upload's session URL needs no key: its upload id is the credential."""
    return call.upload and "upload_id" in request.query


def check_credentials(request: web.Request, call: ApiCall) -> str:
    """The request's key or token; a missing or unknown one gets the real API's error."""
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
