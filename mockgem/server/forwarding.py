"""Files, cachedContents and batches calls sent on to the upstream (record, auto, passthrough).

They go as the client sent them, bytes and upload headers, and are recorded like any call (in
auto, only what no recording answered reaches this point). A resumable upload's session URL is
the upstream's: the client gets one that points back at this server with an upload id of its
own, and each chunk is sent on to the upstream's session URL.
"""

from __future__ import annotations

from aiohttp import web

from mockgem.protocol.calls import ApiRequest
from mockgem.resources.files import UploadRejected
from mockgem.resources.ids import LONG_ID_LENGTH, new_id
from mockgem.server.exchange import Exchange
from mockgem.server.keys import UPSTREAM, UPSTREAM_UPLOADS
from mockgem.server.pipeline import Handler
from mockgem.server.render import GOOGLE_HEADERS, public_origin, render_error
from mockgem.sources.base import Whole

UPLOAD_URL = "x-goog-upload-url"
_ENDED_UPLOAD = frozenset({"final", "cancelled"})


def forwarded(handler: Handler) -> Handler:
    """`handler` in replay; the upstream's answer when the app forwards."""

    async def handle(request: web.Request, exchange: Exchange) -> web.StreamResponse:
        if UPSTREAM not in request.app:
            return await handler(request, exchange)
        try:
            return await forward_resource(request, exchange)
        except UploadRejected as error:
            response = render_error(error)
            response.headers["X-Goog-Upload-Status"] = error.upload_status
            return response

    return handle


async def forward_resource(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    assert exchange.call is not None
    # A forwarded upload goes whole (it is recorded whole too), within --max-file-size.
    raw = exchange.upload.value() if exchange.upload is not None else exchange.body
    api = ApiRequest(exchange.call, {}, raw, tuple(request.query.items()), tuple(request.headers.items()),
                     method=request.method, path=request.path)
    exchange.client = api
    upload_id = request.query.get("upload_id")
    session_url = _upstream_session(request, upload_id) if upload_id else None
    relayed = await request.app[UPSTREAM].relay(api, headers=_sent_headers(request), url=session_url)
    headers = {name: value for name, value in relayed.headers if name != UPLOAD_URL}
    if upstream_url := relayed.header(UPLOAD_URL):
        headers[UPLOAD_URL] = _local_session(request, upstream_url)
    if upload_id and relayed.header("x-goog-upload-status") in _ENDED_UPLOAD:
        request.app[UPSTREAM_UPLOADS].pop(upload_id, None)
    exchange.answered(Whole(body={}, status=relayed.status, origin="upstream", source="upstream"))
    return web.Response(status=relayed.status, body=relayed.body, headers={**GOOGLE_HEADERS, **headers})


def _sent_headers(request: web.Request) -> dict[str, str]:
    """The client's content type and upload protocol headers; the credential is added by `relay`."""
    # str(): aiohttp's header names are `istr`, which the cassette's YAML writer refuses.
    return {
        str(name): value for name, value in request.headers.items()
        if name.lower() == "content-type" or name.lower().startswith("x-goog-upload-")
    }


def _upstream_session(request: web.Request, upload_id: str) -> str:
    url = request.app[UPSTREAM_UPLOADS].get(upload_id)
    if url is None:
        # UNVERIFIED: as the local store answers an unknown upload_id.
        raise UploadRejected("Upload session not found.", upload_status="cancelled", code=404)
    return url


def _local_session(request: web.Request, upstream_url: str) -> str:
    """A session URL on this server standing for the upstream's `upstream_url`."""
    upload_id = new_id(LONG_ID_LENGTH)
    request.app[UPSTREAM_UPLOADS][upload_id] = upstream_url
    return f"{public_origin(request)}{request.path}?upload_id={upload_id}&upload_protocol=resumable"
