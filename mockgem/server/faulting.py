"""Faults and quotas applied to a generate call while it is answered.

`admit` runs before any source is asked, so a refused request never uses up a rule or reaches
the upstream: it charges the quota, draws the request's `FaultPlan` from the header terms and
the global ones, and acts on what comes before the body (time to first byte, reset, HTTP error,
empty body). `apply_faults` runs once the answer is known: it draws the faults the answering
rule names, merges them in (header and global terms win), and applies the content outcome.
`FaultedStream` then wraps the frames of a stream, whatever its form: it adds the latency,
stops after chunk N with an error chunk, a malformed chunk, a stall or a cut, and ends it.
"""

from __future__ import annotations

import asyncio
import math
import random
import socket
import struct
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace

from aiohttp import web

from mockgem._types import JSONDict
from mockgem.errors import ApiError
from mockgem.faults import Fault, FaultPlan, Interruption, QuotaExceeded, draw_plan, merged, parse_fault_header, parse_faults
from mockgem.protocol.calls import ApiRequest
from mockgem.protocol.catalog import bare_model_id
from mockgem.protocol.envelopes import error_body
from mockgem.protocol.tokens import count_request
from mockgem.protocol.forms import ResponseForm
from mockgem.server.exchange import Exchange
from mockgem.server.keys import FAULTS, QUOTAS
from mockgem.sources.base import Answer, Chunks, RecordedBytes, Whole, decoded
from mockgem.sse import ARRAY_END, ARRAY_SEPARATOR, OPENAI_DONE, encode_array_item, encode_openai_sse, encode_sse

Frame = tuple[bytes, float]
FAULT_HEADER = "X-Mockgem-Fault"
STALL_POLL = 0.05
# A unary body cut short: what a client reading it sees before the connection drops.
PARTIAL_BODY = b'{\n  "candidates": [\n    {\n      "content": {\n        "parts": [\n'


@dataclass(frozen=True)
class StreamFraming:
    """How one stream form writes the chunks a fault adds, and which frames end it."""

    error: Callable[[JSONDict, int], bytes]
    malformed: Callable[[int], bytes]
    endings: frozenset[bytes] = frozenset()
    after_error: bytes = b""


NATIVE_SSE = StreamFraming(
    error=lambda payload, index: encode_sse(payload),
    malformed=lambda index: b'data: {"candidates": [{"content": {"parts": [{"text": "\r\n\r\n',
)
JSON_ARRAY = StreamFraming(
    error=encode_array_item,
    malformed=lambda index: (b"[" if index == 0 else ARRAY_SEPARATOR) + b'{\n  "candidates": [\n',
    endings=frozenset({ARRAY_END, b"[]"}),
    after_error=ARRAY_END,
)
OPENAI_SSE = StreamFraming(
    error=lambda payload, index: encode_openai_sse(payload),
    malformed=lambda index: b'data: {"id": "chatcmpl-\n\n',
    endings=frozenset({OPENAI_DONE}),
)


async def admit(request: web.Request, exchange: Exchange, api: ApiRequest, *, quota: bool = True) -> web.StreamResponse | None:
    """Before any source is asked: the quota (generate calls), then the header's and global faults.

    Returns the response that replaces the answer (reset, empty, cut body), or None; raises the
    quota's 429 or the fault's HTTP error for the pipeline to render.
    """
    model = bare_model_id(api.call.model or str(api.body.get("model") or ""))
    if quota:
        _charge(request, exchange, api, model)
    faults = request_faults(request) + request.app[FAULTS].faults
    exchange.plan = draw_plan(faults, _rng(request, exchange), model=model) if faults else FaultPlan(model=model)
    return await _before_body(request, exchange, exchange.plan, api.stream)


def _charge(request: web.Request, exchange: Exchange, api: ApiRequest, model: str) -> None:
    try:
        request.app[QUOTAS].charge(model, exchange.api_key, lambda: count_request(api.body))
    except QuotaExceeded as exceeded:
        exchange.throttle = exceeded.throttle
        raise


def _rng(request: web.Request, exchange: Exchange) -> random.Random:
    """The request's own generator, drawn from the seeded one only when some fault needs it."""
    if exchange.rng is None:
        exchange.rng = request.app[FAULTS].request_rng()
    return exchange.rng


async def apply_faults(request: web.Request, exchange: Exchange, api: ApiRequest, answer: Answer) -> Answer | web.StreamResponse:
    """The answer with its content outcome, or the whole response when a rule's fault replaces it."""
    if answer.faults:
        rule_plan = draw_plan(parse_faults(answer.faults), _rng(request, exchange), model=exchange.plan.model)
        exchange.plan = merged(exchange.plan, rule_plan)
        replaced = await _before_body(request, exchange, rule_plan, api.stream)
        if replaced is not None:
            return replaced
    return with_outcome(exchange.plan, answer)


async def _before_body(request: web.Request, exchange: Exchange, plan: FaultPlan, streaming: bool) -> web.StreamResponse | None:
    if plan.ttfb > 0:
        await asyncio.sleep(plan.ttfb)
    return await _replaced_response(request, exchange, plan, streaming=streaming)


def request_faults(request: web.Request) -> tuple[Fault, ...]:
    """The `X-Mockgem-Fault` terms (any number of headers); a bad term is a 400 listing the valid ones."""
    values = request.headers.getall(FAULT_HEADER, [])
    return parse_fault_header(", ".join(values)) if values else ()


def with_outcome(plan: FaultPlan, answer: Answer) -> Answer:
    """The answer blocked or stopped early, as the plan says; recorded bytes no longer apply."""
    if plan.block is None and plan.finish is None:
        return answer
    if isinstance(answer, RecordedBytes):
        answer = decoded(answer)
    if isinstance(answer, Chunks):
        return replace(answer, payloads=tuple(plan.apply_to_chunks(answer.payloads)))
    if isinstance(answer, Whole) and answer.status == 200:
        return replace(answer, body=plan.apply(answer.body))
    return answer


async def _replaced_response(request: web.Request, exchange: Exchange, plan: FaultPlan, *, streaming: bool) -> web.StreamResponse | None:
    if plan.reset:
        reset_connection(request, exchange)
        return web.Response()  # never sent: aiohttp drops it on the closed transport
    if plan.error is not None:
        raise plan.error
    if plan.empty:
        return web.Response(status=200, content_type="application/json")
    ending = None if streaming else plan.interruption_after(0)
    return await _interrupted_unary(request, exchange, plan, ending) if ending is not None else None


async def _interrupted_unary(request: web.Request, exchange: Exchange, plan: FaultPlan, ending: Interruption) -> web.StreamResponse:
    """A unary answer counts as one chunk: the interruption takes the place of its body."""
    if ending is Interruption.ERROR and plan.stream_error is not None:
        raise plan.stream_error.error
    if ending is Interruption.MALFORMED:
        return web.Response(status=200, body=PARTIAL_BODY, content_type="application/json")
    response = web.StreamResponse(headers={"Content-Type": "application/json; charset=UTF-8"})
    response.content_length = 4 * len(PARTIAL_BODY)
    await response.prepare(request)
    await response.write(PARTIAL_BODY)
    await stall(request, (plan.stall or 0.0) if ending is Interruption.STALL else 0.0)
    cut_connection(request, exchange)
    return response


FRAMINGS = {ResponseForm.OPENAI_SSE: OPENAI_SSE, ResponseForm.SSE: NATIVE_SSE, ResponseForm.JSON_ARRAY: JSON_ARRAY}


def faulted_stream(exchange: Exchange, form: ResponseForm) -> FaultedStream:
    """The frames of a stream in `form` as the exchange's fault plan wants them."""
    return FaultedStream(exchange, FRAMINGS.get(form, JSON_ARRAY))


@dataclass
class FaultedStream:
    """A stream's frames as the plan wants them, then its end: EOF, or a stall and a cut."""

    exchange: Exchange
    framing: StreamFraming
    ending: Interruption | None = None
    sent: int = 0

    @property
    def plan(self) -> FaultPlan:
        return self.exchange.plan

    async def frames(self, source: AsyncIterator[Frame]) -> AsyncIterator[Frame]:
        """`source` frames with latency added, stopped at the plan's interruption."""
        async for data, delay in source:
            self.ending = self.plan.interruption_after(self.sent)
            if self.ending is not None:
                break
            if data in self.framing.endings:
                yield data, delay
                return
            yield data, delay + self.plan.delay_before(self.sent)
            self.sent += 1
        else:
            self.ending = self.plan.interruption_after(self.sent)
        for frame in self._interruption(self.sent):
            yield frame

    def error_frames(self, error: ApiError) -> list[bytes]:
        """An error the stream's source raised once its 200 was out (an upstream that broke
        off), as the stream's own error chunk: the client's SDK raises it as the API's error."""
        frame = self.framing.error(error_body(error), self.sent)
        return [frame, self.framing.after_error] if self.framing.after_error else [frame]

    def _interruption(self, sent: int) -> list[Frame]:
        delay = self.plan.delay_before(sent)
        stream_error = self.plan.stream_error
        if self.ending is Interruption.ERROR and stream_error is not None:
            error = (self.framing.error(error_body(stream_error.error), sent), delay)
            return [error, (self.framing.after_error, 0.0)] if self.framing.after_error else [error]
        if self.ending is Interruption.MALFORMED:
            return [(self.framing.malformed(sent), delay)]
        return []

    async def finish(self, request: web.Request, response: web.StreamResponse) -> None:
        if self.ending is Interruption.STALL:
            await stall(request, self.plan.stall or 0.0)
        if self.ending in (Interruption.STALL, Interruption.CUT):
            cut_connection(request, self.exchange)
        else:
            self.exchange.close(response.status)
            await response.write_eof()


async def stall(request: web.Request, seconds: float) -> None:
    """Send nothing for `seconds` (forever: until the client gives up) or until it hangs up."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds if not math.isinf(seconds) else math.inf
    while _is_open(request) and loop.time() < deadline:
        await asyncio.sleep(min(STALL_POLL, max(0.0, deadline - loop.time())))


def cut_connection(request: web.Request, exchange: Exchange) -> None:
    """Close after what was written, leaving the response unfinished."""
    exchange.close(None)
    if request.transport is not None:
        request.transport.close()


def reset_connection(request: web.Request, exchange: Exchange) -> None:
    """Abort with a TCP RST (SO_LINGER 0) before any byte of the response."""
    exchange.close(None)
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


def _is_open(request: web.Request) -> bool:
    return request.transport is not None and not request.transport.is_closing()
