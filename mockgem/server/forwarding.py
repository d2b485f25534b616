"""Files, cachedContents and batches calls sent on to the upstream (record, auto, passthrough).

They go as the client sent them, bytes and upload headers, and are recorded like any call. A
resumable upload's session URL is the upstream's: the client gets one that points back at this
server with an upload id of its own, and each chunk is sent on to the upstream's session URL.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from aiohttp import web

from mockgem.config import RecordMode
from mockgem.protocol.calls import ApiRequest
from mockgem.resources.files import UploadRejected
from mockgem.resources.ids import LONG_ID_LENGTH, new_id
from mockgem.server.files import public_origin, read_limited
from mockgem.server.keys import ANSWERED, CALL, CASSETTES, CONFIG, NAMES, UPSTREAM, UPSTREAM_UPLOADS
from mockgem.sources.base import Answer
from mockgem.server.parse import payload_too_large, read_body
from mockgem.server.recorded_names import learn_created, to_recorded
from mockgem.server.render import GOOGLE_HEADERS, render_error
from mockgem.sources.passthrough import Relayed

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
UPLOAD_URL = "x-goog-upload-url"
_CREATES = frozenset({
    "files.upload", "cachedContents.create", "batchGenerateContent", "batchPredictionJobs.create", "asyncBatchEmbedContent", "files.register",
    "fileSearchStores.create", "fileSearchStores.importFile", "fileSearchStores.uploadToFileSearchStore", "tunedModels.create", "tuningJobs.create",
})
_ENDED_UPLOAD = frozenset({"final", "cancelled"})


def forwarded(handler: Handler) -> Handler:
    """`handler` in replay; the upstream's answer when the app forwards."""

    async def handle(request: web.Request) -> web.StreamResponse:
        if UPSTREAM not in request.app:
            return await handler(request)
        try:
            return await forward_resource(request)
        except UploadRejected as error:
            response = render_error(error)
            response.headers["X-Goog-Upload-Status"] = error.upload_status
            return response

    return handle


async def forward_resource(request: web.Request) -> web.StreamResponse:
    call = request[CALL]
    api = ApiRequest(call, {}, await _read_whole(request), tuple(request.query.items()), tuple(request.headers.items()))
    upload_id = request.query.get("upload_id")
    session_url = _upstream_session(request, upload_id) if upload_id else None
    relayed = await request.app[UPSTREAM].relay(api, headers=_sent_headers(request), url=session_url, record=not _recorded_already(request, api))
    headers = {name: value for name, value in relayed.headers if name != UPLOAD_URL}
    if upstream_url := relayed.header(UPLOAD_URL):
        headers[UPLOAD_URL] = _local_session(request, upstream_url)
    if upload_id and relayed.header("x-goog-upload-status") in _ENDED_UPLOAD:
        request.app[UPSTREAM_UPLOADS].pop(upload_id, None)
    if request.app[CONFIG].mode is RecordMode.AUTO:
        await _learn(request, api, relayed)
    request[ANSWERED] = Answer(status=relayed.status, origin="upstream", source="upstream")
    return web.Response(status=relayed.status, body=relayed.body, headers={**GOOGLE_HEADERS, **headers})


def _recorded_already(request: web.Request, api: ApiRequest) -> bool:
    """In auto, a resource call the cassette holds is forwarded (the upstream needs the resource)
    but not written down again, so each run does not add the same upload to the cassette."""
    app = request.app
    return app[CONFIG].mode is RecordMode.AUTO and app[CASSETTES].holds(to_recorded(app[NAMES], api))


async def _read_whole(request: web.Request) -> bytes:
    if not request[CALL].upload:
        return await read_body(request)
    limit = request.app[CONFIG].max_file_size
    data = await read_limited(request.content.read, limit)
    if len(data) > limit:
        raise payload_too_large(limit)
    return data


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


async def _learn(request: web.Request, api: ApiRequest, relayed: Relayed) -> None:
    """In auto, this run's upstream names are mapped to the recorded ones, as replay maps its own."""
    if api.call.action not in _CREATES or relayed.status != 200 or not relayed.body.strip():
        return
    try:
        live = json.loads(relayed.body)
    except ValueError:
        return
    if isinstance(live, dict):
        await learn_created(request.app, api, live)
