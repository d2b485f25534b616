"""A request's body read once, and read into an ApiRequest: size limits, JSON, validation.

Validation does not refuse here: its error travels in `ApiRequest.invalid`, so a recording of
the same request (which the real API answered) is still found; the simulators raise it.
"""

from __future__ import annotations

import asyncio

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError

from mockgem.errors import ApiError, InvalidArgument
from mockgem.protocol.calls import ApiCall, ApiRequest
from mockgem.protocol.casing import camel_keys
from mockgem.protocol.envelopes import bad_request_detail
from mockgem.protocol.validation import parse_json_body, validate_request
from mockgem.server.exchange import Exchange
from mockgem.server.keys import CONFIG
from mockgem.server.upload_body import UploadBody

READ_CHUNK = 1 << 20


async def read_exchange_body(request: web.Request, exchange: Exchange) -> None:
    """The request's body, read once into the exchange: an upload spooled (`upload_body`)."""
    config = request.app[CONFIG]
    if exchange.call is not None and exchange.call.upload:
        upload = exchange.upload = await read_upload(request, config.max_file_size, config.idle_timeout)
        exchange.body = upload.value() if upload.in_memory else b""
        return
    exchange.body = await read_body(request, exchange.call, max_body=config.max_body, max_file_size=config.max_file_size, idle=config.idle_timeout)


async def read_upload(request: web.Request, limit: int, idle: float) -> UploadBody:
    """An upload's body, spooled. Uploads have their own limit: past it the start is kept, which
    the file store refuses with the upload server's 413."""
    upload = UploadBody()
    try:
        while upload.size <= limit and (chunk := await next_chunk(request, idle)):
            upload.write(chunk)
    except BaseException:
        upload.close()
        raise
    return upload


async def read_body(request: web.Request, call: ApiCall | None, *, max_body: int, max_file_size: int, idle: float) -> bytes:
    """The whole body (an upload's start kept once past its own limit); past `--max-body`
    anything else gets the real API's error."""
    if call is not None and call.upload:
        return await read_limited(request, max_file_size, idle)
    if request.content_length is not None and request.content_length > max_body:
        raise payload_too_large(max_body)
    body = await read_limited(request, max_body, idle)
    if len(body) > max_body:
        raise payload_too_large(max_body)
    return body


async def read_limited(request: web.Request, limit: int, idle: float) -> bytes:
    """All of a body, or its start once past `limit`."""
    chunks: list[bytes] = []
    size = 0
    while size <= limit and (chunk := await next_chunk(request, idle)):
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


async def next_chunk(request: web.Request, idle: float) -> bytes:
    """The next piece of the body (b"" at its end); a client silent for `idle` seconds gets a
    408, and a body its Content-Encoding does not decode a 400."""
    try:
        async with asyncio.timeout(idle):
            return await request.content.read(READ_CHUNK)
    except TimeoutError:
        # UNVERIFIED: Google's front end answers a stalled upload 408; the envelope is the API's.
        raise ApiError(f"The request body stopped arriving: nothing came for {idle:g}s.", code=408, status="DEADLINE_EXCEEDED") from None
    except (HttpProcessingError, RequestPayloadError) as exc:
        # UNVERIFIED: the real API's wording for a body its Content-Encoding does not decode.
        raise InvalidArgument("Request contains an invalid argument.", details=[bad_request_detail(f"The request body could not be decoded: {exc}")]) from None


async def read_admin_body(request: web.Request) -> bytes:
    """An admin call's body, with the limits of any other body."""
    config = request.app[CONFIG]
    return await read_body(request, None, max_body=config.max_body, max_file_size=config.max_file_size, idle=config.idle_timeout)


def payload_too_large(limit: int) -> InvalidArgument:
    return InvalidArgument(f"Request payload size exceeds the limit: {limit} bytes.")


def api_request(request: web.Request, exchange: Exchange, call: ApiCall | None = None) -> ApiRequest:
    """The request as sources see it; a body the real API would refuse is kept with its error."""
    call = call or _known(exchange)
    body, invalid = _checked(call.action, exchange.body)
    api = ApiRequest(call, body, exchange.body, tuple(request.query.items()), tuple(request.headers.items()),
                     method=request.method, path=request.path, invalid=invalid)
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
                     method=request.method, path=request.path)
    exchange.client = api
    return api


def _checked(action: str, raw: bytes) -> tuple[dict[str, object], ApiError | None]:
    """The body canonical, and the real API's error for it if it would refuse it."""
    try:
        parsed = parse_json_body(raw)
    except ApiError as invalid:
        return {}, invalid
    try:
        return validate_request(action, parsed), None
    except ApiError as invalid:
        lenient = camel_keys(parsed) if isinstance(parsed, dict) else {}
        return lenient, invalid


def _known(exchange: Exchange) -> ApiCall:
    assert exchange.call is not None, "only a request that names an API method is parsed"
    return exchange.call
