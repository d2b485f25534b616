"""A request's body read once, and read into an ApiRequest: size limits, JSON, validation.

Validation does not refuse here: its error travels in `ApiRequest.invalid`, so a recording of
the same request (which the real API answered) is still found; the simulators raise it.
"""

from __future__ import annotations

import functools

from aiohttp import web

from mockgem.errors import ApiError, InvalidArgument
from mockgem.protocol.calls import ApiCall, ApiRequest, Verdict
from mockgem.protocol.validation import canonical_request, check_request, parse_json_body
from mockgem.server.exchange import Exchange

READ_CHUNK = 1 << 20


async def read_body(request: web.Request, call: ApiCall | None, *, max_body: int, max_file_size: int) -> bytes:
    """The whole body. Uploads have their own limit: past it the start is kept, which the file
    store refuses; past `--max-body` anything else gets the real API's error."""
    if call is not None and call.upload:
        return await read_limited(request, max_file_size)
    if request.content_length is not None and request.content_length > max_body:
        raise payload_too_large(max_body)
    if request.content_length is not None:
        return await request.read()  # within the limit, as its length says
    body = await read_limited(request, max_body)
    if len(body) > max_body:
        raise payload_too_large(max_body)
    return body


async def read_limited(request: web.Request, limit: int) -> bytes:
    """All of a body, or its start once past `limit`."""
    chunks: list[bytes] = []
    size = 0
    while size <= limit and (chunk := await request.content.read(READ_CHUNK)):
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def addressed_origin(request: web.Request) -> str:
    """`scheme://host[:port]` as the client addressed it: this server, or another host through the proxy."""
    if request.raw_path.startswith("/"):  # origin-form, as every client of this port sends it: Host says where
        return f"{request.scheme}://{request.host}"
    # Not request.host: of an absolute-form target (`GET http://host:8000/x`) it drops the port.
    return str(request.url.origin())


def payload_too_large(limit: int) -> InvalidArgument:
    return InvalidArgument(f"Request payload size exceeds the limit: {limit} bytes.")


def api_request(request: web.Request, exchange: Exchange, call: ApiCall | None = None) -> ApiRequest:
    """The request as sources see it; whether the real API would accept it is worked out when asked."""
    call = call or _known(exchange)
    body, verdict = _read(call.action, exchange.body)
    api = ApiRequest(call, body, exchange.body, tuple(request.query.items()), tuple(request.headers.items()),
                     method=request.method, path=request.path, verdict=verdict, origin=addressed_origin(request))
    exchange.client = exchange.asked = api
    return api


def valid_request(request: web.Request, exchange: Exchange) -> ApiRequest:
    """The request for a simulator, which answers only what the real API would accept."""
    api = api_request(request, exchange)
    if api.invalid is not None:
        raise api.invalid
    return api


def openai_request(request: web.Request, exchange: Exchange) -> ApiRequest:
    """An OpenAI-compatible request: JSON checked, fields left as the client wrote them."""
    body = parse_json_body(exchange.body) if request.method == "POST" else {}
    if not isinstance(body, dict):
        raise InvalidArgument("Invalid JSON payload received. Expected an object.")
    api = ApiRequest(_known(exchange), body, exchange.body, tuple(request.query.items()), tuple(request.headers.items()),
                     method=request.method, path=request.path, origin=addressed_origin(request))
    exchange.client = api
    return api


def _read(action: str, raw: bytes) -> tuple[dict[str, object], Verdict]:
    """The body canonical, and the verdict on it; a body that is no JSON is refused already."""
    try:
        parsed = parse_json_body(raw)
    except ApiError as invalid:
        return {}, Verdict.refused(invalid)
    return canonical_request(action, parsed), Verdict(functools.partial(check_request, action, parsed))


def _known(exchange: Exchange) -> ApiCall:
    assert exchange.call is not None, "only a request that names an API method is parsed"
    return exchange.call
