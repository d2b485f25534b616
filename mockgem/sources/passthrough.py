"""`PassthroughSource`: forwards a native request to the real API, relays it, records it if asked.

The only module that opens client connections. Requests are forwarded in their native form
(an OpenAI-compatible request as its translation), so every recording is native and serves
both kinds of client. Streams are asked for as SSE and relayed event by event as they arrive.
The client's key is forwarded, never stored: recordings go through redaction before disk.
Files, cachedContents and batches calls go through `relay`: the client's bytes and upload
headers as sent, the whole answer with its `X-Goog-Upload-*` headers back.

Only what the upstream truly answered is recorded. An answer that is no JSON where JSON is due
(a proxy's page with a 200, a body cut short) reaches the client as a 502 that quotes it, and
is not recorded; a stream is recorded from its first event on (`Recorder.begin`), completed at
its end, and taken out again when the upstream breaks it off inside an event. The upstream has
a connect timeout and a timeout between two reads, not one for the whole exchange: a healthy
long stream is never cut, and a silent upstream is a 504.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode

import aiohttp

from mockgem._types import JSONDict
from mockgem.errors import ApiError
from mockgem.protocol.calls import ApiRequest
from mockgem.sources.base import Answer, Failure, Live, Miss, Whole
from mockgem.protocol.envelopes import error_body
from mockgem.sources.cassettes.model import Headers, Interaction, RecordedRequest, RecordedResponse
from mockgem.sources.cassettes.redact import redact_text
from mockgem.sources.cassettes.source import http_method
from mockgem.sse import parse_json_array, parse_sse

log = logging.getLogger("mockgem")
DEFAULT_UPSTREAM = "https://generativelanguage.googleapis.com"
DEFAULT_CONNECT_TIMEOUT = 30.0
DEFAULT_READ_TIMEOUT = 300.0
# An upstream message shown in an error is cut here.
QUOTED = 500


class Recording(Protocol):
    """A recording begun at a stream's first byte."""

    async def complete(self, interaction: Interaction) -> None: ...

    async def discard(self) -> None: ...


class Recorder(Protocol):
    """Where forwarded exchanges are written: a whole answer at once, a stream as it arrives."""

    async def record(self, request: ApiRequest, interaction: Interaction) -> None: ...

    async def begin(self, request: ApiRequest, interaction: Interaction) -> Recording: ...
_EVENT_END = re.compile(rb"\r\n\r\n|\n\n|\r\r")
_CREDENTIAL_HEADERS = ("x-goog-api-key", "authorization")
# Bodies are kept decoded, so no content-encoding header may be written with them.
_KEPT_RESPONSE_HEADERS = frozenset({"content-type"})
_UPLOAD_HEADER_PREFIX = "x-goog-upload-"
RESOURCE_COLLECTIONS = frozenset({
    "files", "cachedContents", "batches", "batchPredictionJobs", "fileSearchStores", "tunedModels", "tuningJobs", "operations", "interactions",
})
_COLON_VERBS = frozenset({"download", "cancel", "importFile", "uploadToFileSearchStore", "register"})


def kept_response_headers(headers: Mapping[str, str]) -> Headers:
    """The response headers worth keeping: the content type and the upload protocol's."""
    return tuple(
        (name.lower(), value) for name, value in headers.items()
        if name.lower() in _KEPT_RESPONSE_HEADERS or name.lower().startswith(_UPLOAD_HEADER_PREFIX)
    )


@dataclass(frozen=True, slots=True)
class Upstream:
    """Where requests go: `base` overrides the real hosts; `key` overrides the client's key."""

    base: str | None = None
    key: str | None = None
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    read_timeout: float = DEFAULT_READ_TIMEOUT

    def timeout(self) -> aiohttp.ClientTimeout:
        """No total: a long stream is healthy while its chunks keep coming."""
        return aiohttp.ClientTimeout(total=None, sock_connect=self.connect_timeout, sock_read=self.read_timeout)

    def url(self, api: ApiRequest) -> str:
        call = api.call
        if call.action.partition(".")[0] in RESOURCE_COLLECTIONS:
            return self._resource_url(api)
        model = (call.model or "").removeprefix("models/").removeprefix("google/")
        if call.action == "models.operations.get":
            return f"{self._host(api)}/{call.version}/models/{model}/operations/{call.resource}"
        path = f"/{call.version}{_vertex_place(api)}/publishers/google/models" if call.surface == "vertex" else f"/{call.version}/models"
        if call.action != "models.list":
            path += f"/{model}" if call.action == "models.get" else f"/{model}:{call.action}"
        query = "?alt=sse" if api.stream else ""
        if call.action == "models.list":
            paging = urlencode([(name, value) for name, value in api.query if name in {"pageSize", "pageToken"}])
            query = f"?{paging}" if paging else ""
        return f"{self._host(api)}{path}{query}"

    def live_url(self, api: ApiRequest, path: str, query: str) -> str:
        """The upstream's WebSocket URL for a Live session on `path`; `--upstream-key` replaces the
        client's credential in the query."""
        base = self.base or (DEFAULT_UPSTREAM if api.call.surface != "vertex" else _vertex_host(api))
        scheme, _, host = base.rstrip("/").partition("://")
        if self.key:
            query = urlencode([(name, value) for name, value in api.query if name not in {"key", "access_token"}])
        return f"{'ws' if scheme == 'http' else 'wss'}://{host}{path}{'?' + query if query else ''}"

    def _resource_url(self, api: ApiRequest) -> str:
        """`files/abc`, `cachedContents`, `batches/b:cancel`, `upload/.../files`, with the client's query."""
        call = api.call
        collection, _, verb = call.action.partition(".")
        if call.surface == "vertex" and collection == "tunedModels":
            collection = "models"  # a Vertex AI tuned model is `projects/p/locations/l/models/{id}`
        path = f"/{call.version}{_vertex_place(api) if call.surface == 'vertex' else ''}/{collection}"
        path += f"/{call.resource}" if call.resource else ""
        if verb in _COLON_VERBS:
            path += "/cancel" if collection == "interactions" else f":{verb}"
        query = urlencode([(name, value) for name, value in api.query if name != "key"])
        return f"{self._host(api)}{'/upload' if call.upload else ''}{path}{'?' + query if query else ''}"

    def _host(self, api: ApiRequest) -> str:
        location = api.call.location or "global"
        if api.call.surface != "vertex":
            host = DEFAULT_UPSTREAM
        else:
            host = "https://aiplatform.googleapis.com" if location == "global" else f"https://{location}-aiplatform.googleapis.com"
        return (self.base or host).rstrip("/")

    def headers(self, api: ApiRequest) -> dict[str, str]:
        """The credential to send: `--upstream-key`, else the client's own key or token.

        An OpenAI-compatible client sends its API key as `Authorization: Bearer`; its request goes
        to the native endpoint, which takes a key only as `x-goog-api-key` (a bearer there must be
        an OAuth token), so the key moves over. On Vertex AI a bearer is an OAuth token: kept.
        """
        if self.key:
            return {"x-goog-api-key": self.key}
        sent = {name.lower(): value for name, value in api.headers}
        found = {name: sent[name] for name in _CREDENTIAL_HEADERS if name in sent}
        scheme, _, token = found.get("authorization", "").partition(" ")
        if api.call.surface == "openai" and scheme.lower() == "bearer" and "x-goog-api-key" not in found:
            found = {"x-goog-api-key": token.strip()}
        query_key = api.query_value("key")
        if not found and query_key:
            found["x-goog-api-key"] = query_key
        return found


def _vertex_host(api: ApiRequest) -> str:
    """Vertex AI's regional host, from the setup's `projects/P/locations/L/...` model name."""
    parts = str(api.body.get("setup", {}).get("model", "")).split("/")
    location = parts[3] if len(parts) > 3 and parts[2] == "locations" else "us-central1"
    return "https://aiplatform.googleapis.com" if location == "global" else f"https://{location}-aiplatform.googleapis.com"


def _vertex_place(api: ApiRequest) -> str:
    return f"/projects/{api.call.project}/locations/{api.call.location or 'global'}"


@dataclass(frozen=True, slots=True)
class Relayed:
    """An upstream's whole answer to a relayed call: status, kept headers, decoded body."""

    status: int
    headers: Headers
    body: bytes

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key == name.lower()), None)


class PassthroughSource:
    """Answers every request from the upstream; `recorder` (record/auto) receives each exchange."""

    def __init__(self, upstream: Upstream, recorder: Recorder | None = None) -> None:
        self.upstream = upstream
        self.recorder = recorder
        self._session: aiohttp.ClientSession | None = None

    @contextlib.asynccontextmanager
    async def connected(self) -> AsyncIterator[None]:
        """Holds the client session for the app's lifetime (used as an aiohttp cleanup context)."""
        async with aiohttp.ClientSession(auto_decompress=True, timeout=self.upstream.timeout()) as session:
            self._session = session
            try:
                yield
            finally:
                self._session = None

    async def answer(self, request: ApiRequest) -> Answer | Miss:
        if self._session is None:
            return Miss("the upstream connection is not open", "passthrough")
        url, method = self.upstream.url(request), http_method(request)
        body = json.dumps(request.body).encode() if method == "POST" else b""
        headers = {**self.upstream.headers(request), **({"content-type": "application/json"} if body else {})}
        exchange = await self._send(self._session, request, RecordedRequest(method, url, tuple(headers.items()), body))
        if request.stream and exchange.response.status == 200:
            return Live(chunks=await exchange.relay(), origin="upstream", source="upstream")
        return await exchange.whole()

    async def relay(self, request: ApiRequest, *, headers: Mapping[str, str], url: str | None = None, record: bool = True) -> Relayed:
        """Sends `request.raw` with `headers` (plus the credential) to `url` or the call's own URL."""
        if self._session is None:
            raise ApiError("mockgem: the upstream connection is not open", code=503, status="UNAVAILABLE")
        sent = {**headers, **self.upstream.headers(request)}
        target = url or self.upstream.url(request)
        exchange = await self._send(self._session, request, RecordedRequest(http_method(request), target, tuple(sent.items()), request.raw), record)
        raw = await exchange.read_checked()
        return Relayed(exchange.response.status, kept_response_headers(exchange.response.headers), raw)

    async def websocket(self, url: str, headers: Mapping[str, str]) -> aiohttp.ClientWebSocketResponse:
        """A WebSocket to the upstream (a Live API session), opened on the app's client session."""
        if self._session is None:
            raise ApiError("mockgem: the upstream connection is not open", code=503, status="UNAVAILABLE")
        try:
            return await self._session.ws_connect(url, headers=dict(headers), max_msg_size=0)
        except aiohttp.ClientError as exc:
            raise ApiError(f"mockgem: the upstream {url} could not be reached: {exc}", code=502, status="UNAVAILABLE") from exc
    async def forward(self, sent: RecordedRequest) -> tuple[Relayed, Interaction]:
        """Sends `sent` as it is (a request for another host, through the proxy); the answer and
        the exchange, for the caller to record."""
        if self._session is None:
            raise ApiError("mockgem: the upstream connection is not open", code=503, status="UNAVAILABLE")
        try:
            async with self._session.request(sent.method, sent.uri, data=sent.body or None, headers=dict(sent.headers)) as response:
                raw = await response.read()
        except aiohttp.ClientError as exc:
            raise ApiError(f"mockgem: {sent.uri} could not be reached: {exc}", code=502, status="UNAVAILABLE") from exc
        headers = kept_response_headers(response.headers)
        return Relayed(response.status, headers, raw), Interaction(sent, RecordedResponse(response.status, headers, raw, response.reason or ""))

    async def _send(self, session: aiohttp.ClientSession, request: ApiRequest, sent: RecordedRequest, record: bool = True) -> _Exchange:
        try:
            response = await session.request(sent.method, sent.uri, data=sent.body or None, headers=dict(sent.headers))
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise upstream_failure(exc, redact_text(sent.uri)) from exc
        return _Exchange(request, sent, response, self.recorder if record else None)


def upstream_failure(exc: BaseException, uri: str) -> ApiError:
    """The error for an upstream that timed out (504) or could not be reached or read (502)."""
    if isinstance(exc, TimeoutError):
        return ApiError(f"mockgem: the upstream {uri} did not answer in time ({type(exc).__name__}).", code=504, status="DEADLINE_EXCEEDED")
    return ApiError(f"mockgem: the upstream {uri} could not be reached or read: {redact_text(str(exc))}", code=502, status="UNAVAILABLE")


def malformed_answer(status: int, raw: bytes, why: str) -> ApiError:
    """The 502 for an upstream answer that is not what the API sends, quoting it."""
    quoted = raw[:QUOTED].decode("utf-8", errors="replace")
    return ApiError(f"mockgem: the upstream answered {status} with {why}, which is not recorded: {quoted!r}", code=502, status="UNAVAILABLE")


class _Exchange:
    """One forwarded request: reads the upstream response, checks it, hands it to the recorder."""

    def __init__(self, api: ApiRequest, sent: RecordedRequest, response: aiohttp.ClientResponse, recorder: Recorder | None) -> None:
        self.api, self.sent, self.response, self.recorder = api, sent, response, recorder
        self.started = time.monotonic()

    async def _read(self) -> bytes:
        try:
            return await self.response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise upstream_failure(exc, redact_text(self.sent.uri)) from exc
        finally:
            self.response.release()

    async def read_checked(self) -> bytes:
        """The whole body, recorded unless it is no JSON where its content type says JSON."""
        raw = await self._read()
        if "json" in (self.response.headers.get("Content-Type") or "") and raw.strip() and not _is_json(raw):
            raise malformed_answer(self.response.status, raw, "a JSON content type and a body that is no JSON")
        await self._record(raw, None)
        return raw

    async def whole(self) -> Answer:
        """A unary answer: a 200 that is no JSON is a 502, an error page keeps its status."""
        raw = await self._read()
        if self.response.status == 200 and not raw.strip():
            raise malformed_answer(200, raw, "an empty body")
        try:
            payloads = parse_json_array(raw) if raw.strip() else [{}]
        except ValueError:
            if self.response.status == 200:
                raise malformed_answer(200, raw, "a body that is no JSON") from None
            error = ApiError(f"mockgem: the upstream answered {self.response.status}: {raw[:QUOTED].decode(errors='replace')}", code=self.response.status)
            return Failure(error=error, origin="upstream", source="upstream")
        await self._record(raw, None)
        body: JSONDict = payloads[0] if payloads and isinstance(payloads[0], dict) else {}
        return Whole(body=body, status=self.response.status, origin="upstream", source="upstream")

    async def relay(self) -> AsyncIterator[JSONDict]:
        """The stream's events as they arrive, the first read before this returns (so that a
        stream broken from its first byte is a 502 with no 200 sent)."""
        events = _SseEvents(self)
        first = await events.next_payloads()
        if not first:
            self.response.release()
            raise malformed_answer(200, events.raw, "a stream that holds no event")
        return self._relayed(events, first)

    async def _relayed(self, events: _SseEvents, first: list[JSONDict]) -> AsyncIterator[JSONDict]:
        recording = await self._begin(events)
        try:
            payloads = first
            while payloads:
                for payload in payloads:
                    yield payload
                payloads = await events.next_payloads()
            await self._finish(events, recording)
        except (GeneratorExit, asyncio.CancelledError):
            # The client hung up; the upstream's answer is still true: read to its end and
            # record it whole, from a task (nothing may be awaited in a closing generator).
            _in_background(self._finish(events, recording))
            raise
        except BaseException:
            if recording is not None:  # out of the cassette before the client hears of the break
                await recording.discard()
            self.response.release()
            raise

    async def _finish(self, events: _SseEvents, recording: Recording | None) -> None:
        """Reads the stream to its end and completes its recording (discards it if it breaks)."""
        try:
            while await events.next_payloads():
                pass
            if recording is not None:
                await recording.complete(self._interaction(events.raw, events.offsets))
        except BaseException:
            if recording is not None:
                await recording.discard()
            raise
        finally:
            self.response.release()

    async def _begin(self, events: _SseEvents) -> Recording | None:
        if self.recorder is None:
            return None
        return await self.recorder.begin(self.api, self._interaction(events.raw, events.offsets))

    def _interaction(self, raw: bytes, offsets: tuple[float, ...] | None) -> Interaction:
        headers = kept_response_headers(self.response.headers)
        return Interaction(self.sent, RecordedResponse(self.response.status, headers, raw, self.response.reason or "", offsets))

    async def _record(self, raw: bytes, offsets: tuple[float, ...] | None) -> None:
        if self.recorder is not None:
            await self.recorder.record(self.api, self._interaction(raw, offsets))


class _SseEvents:
    """An upstream SSE body read event by event, checked: an event that is no JSON, or a body
    that ends inside an event, is a 502 quoting it."""

    def __init__(self, exchange: _Exchange) -> None:
        self._exchange = exchange
        self._buffer = b""
        self._raw = bytearray()
        self._offsets: list[float] = []
        self._ended = False

    @property
    def raw(self) -> bytes:
        return bytes(self._raw)

    @property
    def offsets(self) -> tuple[float, ...]:
        return tuple(self._offsets)

    async def next_payloads(self) -> list[JSONDict]:
        """The payloads of the next complete event(s); [] at the end of the stream."""
        while not self._ended:
            found = _EVENT_END.search(self._buffer)
            if found is not None:
                event, self._buffer = self._buffer[: found.end()], self._buffer[found.end() :]
                self._offsets.append(time.monotonic() - self._exchange.started)
                payloads = self._parsed(event)
                if payloads:
                    return payloads
                continue
            await self._read_more()
        if self._buffer.strip():
            raise malformed_answer(200, self._buffer, "a stream that ends inside an event")
        return []

    async def _read_more(self) -> None:
        try:
            data = await self._exchange.response.content.readany()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise upstream_failure(exc, redact_text(self._exchange.sent.uri)) from exc
        if not data:
            self._ended = True
        self._raw += data
        self._buffer += data

    def _parsed(self, event: bytes) -> list[JSONDict]:
        try:
            return [payload for payload in parse_sse(event) if isinstance(payload, dict)]
        except ValueError:
            raise malformed_answer(200, event, "a stream event that is no JSON") from None


def _is_json(raw: bytes) -> bool:
    try:
        parse_json_array(raw)
    except ValueError:
        return False
    return True


def _in_background(work: Coroutine[Any, Any, None]) -> None:
    """`work` in a task of its own, kept until it is done (its failure is an upstream's, logged)."""
    task = asyncio.get_running_loop().create_task(work)
    _BACKGROUND.add(task)
    task.add_done_callback(_BACKGROUND.discard)
    task.add_done_callback(_log_failure)


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("a stream whose client hung up was not recorded: %s", task.exception())


_BACKGROUND: set[asyncio.Task[None]] = set()
