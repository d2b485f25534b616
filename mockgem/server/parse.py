"""An aiohttp request read into an ApiRequest: body size limit, JSON, validation."""

from __future__ import annotations

from aiohttp import web

from mockgem.errors import InvalidArgument
from mockgem.protocol.calls import ApiCall, ApiRequest
from mockgem.protocol.validation import parse_json_body, validate_request
from mockgem.server.keys import CALL, CLIENT_REQUEST, CONFIG


async def read_body(request: web.Request) -> bytes:
    """The whole body; past `--max-body` aiohttp raises (the app's `client_max_size` is one more
    byte), and the error middleware answers with the real API's error."""
    limit = request.app[CONFIG].max_body
    if request.content_length is not None and request.content_length > limit:
        raise payload_too_large(limit)
    return await request.read()


def payload_too_large(limit: int) -> InvalidArgument:
    return InvalidArgument(f"Request payload size exceeds the limit: {limit} bytes.")


async def api_request(request: web.Request) -> ApiRequest:
    """The request as sources see it, its body checked as the real API checks it."""
    call: ApiCall = request[CALL]
    raw = await read_body(request)
    body = validate_request(call.action, parse_json_body(raw))
    return _kept(request, ApiRequest(call, body, raw, tuple(request.query.items()), tuple(request.headers.items())))


async def openai_request(request: web.Request) -> ApiRequest:
    """An OpenAI-compatible request: JSON checked, fields left as the client wrote them."""
    raw = await read_body(request)
    body = parse_json_body(raw) if request.method == "POST" else {}
    if not isinstance(body, dict):
        raise InvalidArgument("Invalid JSON payload received. Expected an object.")
    return _kept(request, ApiRequest(request[CALL], body, raw, tuple(request.query.items()), tuple(request.headers.items())))


def _kept(request: web.Request, api: ApiRequest) -> ApiRequest:
    """`api`, left on the request for the journal."""
    request[CLIENT_REQUEST] = api
    return api
