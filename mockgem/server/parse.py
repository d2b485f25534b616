"""A request's body read once, and read into an ApiRequest: size limits, JSON, validation.

Validation does not refuse here: its error travels in `ApiRequest.invalid`, so a recording of
the same request (which the real API answered) is still found; the simulators raise it.
"""

from __future__ import annotations

import asyncio
import functools

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError

from mockgem.errors import ApiError, InvalidArgument
from mockgem.protocol.calls import ApiCall, ApiRequest, Verdict
from mockgem.protocol.validation import canonical_request, check_request, parse_json_body
from mockgem.protocol.envelopes import bad_request_detail
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


def addressed_origin(request: web.Request) -> str:
    """`scheme://host[:port]` as the client addressed it: this server, or another host through the proxy."""
    if request.raw_path.startswith("/"):  # origin-form, as every client of this port sends it: Host says where
        return f"{request.scheme}://{request.host}"
    # Not request.host: of an absolute-form target (`GET http://host:8000/x`) it drops the port.
    return str(request.url.origin())


async def next_chunk(request: web.Request, idle: float) -> bytes:
    """The next piece of the body (b"" at its end); a client silent for `idle` seconds gets a
    408, and a body its Content-Encoding does not decode a 400."""
    try:
        if request.content.is_eof():  # all of it is here already (a small body): no timer to arm
            return await request.content.read(READ_CHUNK)
        async with asyncio.timeout(idle):
            return await request.content.read(READ_CHUNK)
    except TimeoutError:
        # UNVERIFIED: Google's front end answers a stalled upload 408; the envelope is the API's.
        raise ApiError(f"The request body stopped arriving: nothing came for {idle:g}s.", code=408, status="DEADLINE_EXCEEDED") from None
    except (HttpProcessingError, RequestPayloadError) as exc:
        raise undecodable_body(exc) from None
    except Exception as exc:
        # aiohttp's decoder lets a decompressor's own error (brotli.error at the body's end) through unwrapped.
        if not request.headers.get("Content-Encoding"):
            raise
        raise undecodable_body(exc) from None


def undecodable_body(exc: Exception) -> InvalidArgument:
    # UNVERIFIED: the real API's wording for a body its Content-Encoding does not decode.
    return InvalidArgument("Request contains an invalid argument.", details=[bad_request_detail(f"The request body could not be decoded: {exc}")])


async def read_admin_body(request: web.Request) -> bytes:
    """An admin call's body, with the limits of any other body."""
    config = request.app[CONFIG]
    return await read_body(request, None, max_body=config.max_body, max_file_size=config.max_file_size, idle=config.idle_timeout)


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
