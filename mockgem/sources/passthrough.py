"""`PassthroughSource`: forwards a native request to the real API, relays it, records it if asked.

The only module that opens client connections. Requests are forwarded in their native form
(an OpenAI-compatible request as its translation), so every recording is native and serves
both kinds of client. Streams are asked for as SSE and relayed event by event as they arrive.
The client's key is forwarded, never stored: recordings go through redaction before disk.
Files, cachedContents and batches calls go through `relay`: the client's bytes and upload
headers as sent, the whole answer with its `X-Goog-Upload-*` headers back.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

import aiohttp

from mockgem._types import JSONDict
from mockgem.errors import ApiError
from mockgem.protocol.calls import ApiRequest
from mockgem.sources.base import Answer, Live, Miss, Whole
from mockgem.sources.cassettes.model import Headers, Interaction, RecordedRequest, RecordedResponse
from mockgem.sources.cassettes.source import http_method
from mockgem.sse import parse_json_array, parse_sse

DEFAULT_UPSTREAM = "https://generativelanguage.googleapis.com"
Recorder = Callable[[ApiRequest, Interaction], Awaitable[None]]
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
        async with aiohttp.ClientSession(auto_decompress=True) as session:
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
            return Live(chunks=exchange.relay(), origin="upstream", source="upstream")
        return await exchange.whole()

    async def relay(self, request: ApiRequest, *, headers: Mapping[str, str], url: str | None = None, record: bool = True) -> Relayed:
        """Sends `request.raw` with `headers` (plus the credential) to `url` or the call's own URL."""
        if self._session is None:
            raise ApiError("mockgem: the upstream connection is not open", code=503, status="UNAVAILABLE")
        sent = {**headers, **self.upstream.headers(request)}
        target = url or self.upstream.url(request)
        exchange = await self._send(self._session, request, RecordedRequest(http_method(request), target, tuple(sent.items()), request.raw), record)
        raw = await exchange.read()
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
        except aiohttp.ClientError as exc:
            raise ApiError(f"mockgem: the upstream {sent.uri} could not be reached: {exc}", code=502, status="UNAVAILABLE") from exc
        return _Exchange(request, sent, response, self.recorder if record else None)


class _Exchange:
    """One forwarded request: reads the upstream response and hands it to the recorder."""

    def __init__(self, api: ApiRequest, sent: RecordedRequest, response: aiohttp.ClientResponse, recorder: Recorder | None) -> None:
        self.api, self.sent, self.response, self.recorder = api, sent, response, recorder
        self.started = time.monotonic()

    async def read(self) -> bytes:
        """The whole body, recorded."""
        try:
            raw = await self.response.read()
        finally:
            self.response.release()
        await self._record(raw, None)
        return raw

    async def whole(self) -> Answer:
        raw = await self.read()
        try:
            payloads = parse_json_array(raw) if raw.strip() else [{}]
        except ValueError:
            payloads = [{"error": {"code": self.response.status, "message": raw.decode(errors="replace")[:500]}}]
        body: JSONDict = payloads[0] if payloads and isinstance(payloads[0], dict) else {}
        return Whole(body=body, status=self.response.status, origin="upstream", source="upstream")

    async def relay(self) -> AsyncIterator[JSONDict]:
        """Each SSE event's payload as soon as it arrives; the whole body is recorded at the end."""
        raw, buffer, offsets = bytearray(), b"", []
        try:
            async for data in self.response.content.iter_any():
                raw += data
                buffer += data
                while (found := _EVENT_END.search(buffer)) is not None:
                    event, buffer = buffer[: found.end()], buffer[found.end() :]
                    offsets.append(time.monotonic() - self.started)
                    for payload in parse_sse(event):
                        yield payload
        finally:
            self.response.release()
        await self._record(bytes(raw), tuple(offsets))

    async def _record(self, raw: bytes, offsets: tuple[float, ...] | None) -> None:
        if self.recorder is None:
            return
        headers = kept_response_headers(self.response.headers)
        recorded = RecordedResponse(self.response.status, headers, raw, self.response.reason or "", offsets)
        await self.recorder(self.api, Interaction(self.sent, recorded))
