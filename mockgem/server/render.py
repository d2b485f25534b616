"""Answers written to the wire: JSON, native SSE, the JSON-array stream, error envelopes.

The only place that awaits between chunks: `sse` plans the chunks, this module writes them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from typing import TypeGuard

import orjson
from aiohttp import web

from mockgem._types import JSONDict
from mockgem.errors import ApiError
from mockgem.protocol.calls import ApiRequest
from mockgem.protocol.forms import ResponseForm
from mockgem.server.exchange import Exchange
from mockgem.protocol.envelopes import api_error, error_body, error_from_body
from mockgem.server.faulting import FaultedStream, apply_faults, faulted_stream
from mockgem.sources.base import Answer, Chunks, Failure, Live, RecordedBytes, Whole, decoded, whole_body
from mockgem.sse import ARRAY_END, encode_array_item, encode_sse, split_array_frames, split_response, split_sse_events

log = logging.getLogger("mockgem")
JSON_TYPE = "application/json; charset=UTF-8"
SSE_TYPE = "text/event-stream"
DEFAULT_STREAM_CHUNKS = 3
GOOGLE_HEADERS = {"Server": "scaffolding on HTTPServer2", "X-Content-Type-Options": "nosniff", "Vary": "Origin, X-Origin, Referer"}
# A browser script may read only these beyond the safelisted ones: the resumable upload needs them.
EXPOSED_HEADERS = "X-Goog-Upload-URL, X-Goog-Upload-Status, X-Goog-Upload-Chunk-Granularity, X-Goog-Upload-Size-Received, X-Goog-Upload-Control-URL"
# UNVERIFIED: Google's front end answers a preflight 200 with its method list and a one-hour max age.
PREFLIGHT_METHODS = "DELETE, GET, HEAD, PATCH, POST, PUT"
PREFLIGHT_MAX_AGE = "3600"


def public_origin(request: web.Request) -> str:
    """`scheme://host` as the client reached this server, through a proxy or a port map too, and
    the base URL's `/_cassette/NAME` prefix the request came with (`cassette_choice`)."""
    host = request.headers.get("X-Forwarded-Host", "").split(",")[0].strip() or request.host
    scheme = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip() or request.scheme
    return f"{scheme}://{host}{request.headers.get('x-mockgem-base-prefix', '')}"


def render_json(body: object, status: int = 200) -> web.Response:
    return web.Response(body=orjson.dumps(body, option=orjson.OPT_INDENT_2), status=status, content_type="application/json", charset="UTF-8", headers=GOOGLE_HEADERS)


def render_error(error: ApiError, as_list: bool = False) -> web.Response:
    body = error_body(error)
    return render_json([body] if as_list else body, status=error.code)


def is_admin_path(path: str) -> bool:
    return path.startswith("/_mockgem/") or path == "/_mockgem"


def is_preflight(request: web.Request) -> bool:
    return request.method == "OPTIONS" and "Origin" in request.headers and "Access-Control-Request-Method" in request.headers


def render_preflight(request: web.Request) -> web.Response:
    """Any origin may call, with any headers it asks for, as with the real API and an API key."""
    headers = {**GOOGLE_HEADERS, "Access-Control-Allow-Methods": PREFLIGHT_METHODS, "Access-Control-Max-Age": PREFLIGHT_MAX_AGE}
    asked = request.headers.get("Access-Control-Request-Headers")
    if asked:
        headers["Access-Control-Allow-Headers"] = asked
    return web.Response(status=200, headers=headers)


async def compact_when_asked(request: web.Request, response: web.StreamResponse) -> None:
    """`?prettyPrint=false`, Google's standard parameter: the JSON answer without indentation."""
    if request.query.get("prettyPrint") != "false" or not isinstance(response, web.Response):
        return
    if response.content_type == "application/json" and isinstance(response.body, bytes) and response.body:
        try:
            compact = orjson.dumps(orjson.loads(response.body))
        except orjson.JSONDecodeError:
            return  # a body that is no JSON (a fault's cut-off answer) goes as it is
        response.body = compact
        response.headers["Content-Length"] = str(len(compact))  # the length set with the first body stays otherwise


async def add_cors_headers(request: web.Request, response: web.StreamResponse) -> None:
    """On every answer to a browser (errors and streams too): run just before the headers go out."""
    origin = request.headers.get("Origin")
    if origin is None or is_admin_path(request.path):
        return  # the admin API is same-origin only (`admin_guard`)
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    vary = response.headers.get("Vary")
    if vary is None:
        response.headers["Vary"] = GOOGLE_HEADERS["Vary"]
    elif "origin" not in {name.strip().lower() for name in vary.split(",")}:
        response.headers["Vary"] = f"{vary}, Origin"


def as_recorded(answer: Answer, form: ResponseForm) -> TypeGuard[RecordedBytes]:
    """Whether the answer's recorded bytes are what this client gets: the form it asks for."""
    return isinstance(answer, RecordedBytes) and answer.form is form


def error_of(answer: Answer) -> ApiError:
    """The error an error answer stands for, to render in the client's form with every other error."""
    if isinstance(answer, Failure):
        return answer.error
    return error_from_body(whole_body(answer), answer.status)


def render_answer(answer: Answer, form: ResponseForm) -> web.Response:
    """A one-body answer: its recorded bytes in the same form, else its JSON; an error is raised."""
    if as_recorded(answer, form):
        return render_bytes(answer)
    if answer.status != 200:
        raise error_of(answer)
    return render_json(whole_body(answer))


def render_bytes(answer: RecordedBytes) -> web.Response:
    content_type = answer.content_type or "application/json; charset=UTF-8"
    return web.Response(body=answer.raw, status=answer.status, headers={**GOOGLE_HEADERS, "Content-Type": content_type})


async def stream_payloads(answer: Answer) -> AsyncIterator[tuple[JSONDict, float]]:
    """The chunks of a stream answer with the delay before each."""
    if isinstance(answer, RecordedBytes):
        answer = decoded(answer)
    if isinstance(answer, Live):
        async for payload in answer.chunks:
            yield payload, 0.0
        return
    if isinstance(answer, Chunks):
        for index, payload in enumerate(answer.payloads):
            yield payload, answer.delays[index] if index < len(answer.delays) else 0.0
        return
    if isinstance(answer, Whole):
        for payload in split_response(answer.body, answer.stream_chunks or DEFAULT_STREAM_CHUNKS):
            yield payload, 0.0


async def render_generate(request: web.Request, exchange: Exchange, api: ApiRequest, answer: Answer) -> web.StreamResponse:
    faulted = await apply_faults(request, exchange, api, answer)
    if isinstance(faulted, web.StreamResponse):
        return faulted
    form = exchange.form
    if as_recorded(faulted, form):
        return await render_recorded_stream(request, exchange, faulted) if form.streams and faulted.status == 200 else render_bytes(faulted)
    if faulted.status != 200:
        raise error_of(faulted)
    if not form.streams:
        return render_json(whole_body(faulted))
    if form is ResponseForm.SSE:
        return await write_stream(request, exchange, SSE_TYPE, _sse_frames(faulted))
    return await write_stream(request, exchange, JSON_TYPE, _array_frames(faulted))


async def render_recorded_stream(request: web.Request, exchange: Exchange, answer: RecordedBytes) -> web.StreamResponse:
    """A recorded stream, unchanged: one event (or array element) at a time with its recorded delay."""
    frames = split_array_frames(answer.raw) if exchange.form is ResponseForm.JSON_ARRAY else split_sse_events(answer.raw)
    content_type = answer.content_type or (JSON_TYPE if exchange.form is ResponseForm.JSON_ARRAY else SSE_TYPE)
    delays = answer.decoded.delays if isinstance(answer.decoded, Chunks) else ()
    return await write_stream(request, exchange, content_type, _timed(frames, delays))


async def _timed(frames: list[bytes], delays: Sequence[float]) -> AsyncIterator[tuple[bytes, float]]:
    for index, frame in enumerate(frames):
        yield frame, delays[index] if index < len(delays) else 0.0


async def _sse_frames(answer: Answer) -> AsyncIterator[tuple[bytes, float]]:
    async for payload, delay in stream_payloads(answer):
        yield encode_sse(payload), delay


async def _array_frames(answer: Answer) -> AsyncIterator[tuple[bytes, float]]:
    index = 0
    async for payload, delay in stream_payloads(answer):
        yield encode_array_item(payload, index), delay
        index += 1
    yield (ARRAY_END if index else b"[]"), 0.0


async def write_stream(request: web.Request, exchange: Exchange, content_type: str, frames: AsyncIterator[tuple[bytes, float]]) -> web.StreamResponse:
    """The stream's frames as they come; an error raised once the 200 is out ends the stream with
    an error chunk, never a second response inside the first."""
    response = web.StreamResponse(headers={**GOOGLE_HEADERS, "Content-Type": content_type})
    stream = faulted_stream(exchange, exchange.form)
    await response.prepare(request)
    try:
        async for data, delay in stream.frames(frames):
            if delay > 0:
                await asyncio.sleep(delay)
            await response.write(data)
            exchange.wrote_chunk()
        await stream.finish(request, response)
    except ConnectionError:
        exchange.close(None)  # the client hung up: nothing more reaches it
    except Exception as error:
        await _end_with_error(request, exchange, stream, response, error)
    return response


async def _end_with_error(request: web.Request, exchange: Exchange, stream: FaultedStream, response: web.StreamResponse, error: Exception) -> None:
    exchange.error = error if isinstance(error, ApiError) else api_error(500)
    if not isinstance(error, ApiError):
        log.exception("unexpected error in the stream of %s %s", request.method, request.path, exc_info=error)
    try:
        for frame in stream.error_frames(exchange.error):
            await response.write(frame)
        await stream.finish(request, response)
    except ConnectionError:
        exchange.close(None)
