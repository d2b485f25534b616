"""Handlers of the Files API: resumable, multipart and raw uploads, get, list, delete, download.

Upload bodies have their own size limit (`--max-file-size`), not `--max-body`: the SDK sends
8 MiB chunks and a multipart body holds the whole file. The session URL (`?upload_id=`) needs no
API key: the pipeline lets it through, the upload id is the credential.
"""

from __future__ import annotations

from aiohttp import web

from mockgem._types import JSONDict
from mockgem.errors import InvalidArgument
from mockgem.protocol.calls import ApiCall
from mockgem.protocol.json_text import ascii_int
from mockgem.protocol.validation import parse_json_body
from mockgem.resources.files import UploadProgress, UploadRejected
from mockgem.server.exchange import Exchange
from mockgem.server.keys import FILES
from mockgem.server.listing import page_query
from mockgem.server.multipart import multipart_parts
from mockgem.server.parse import valid_request
from mockgem.server.upload_body import UploadBody
from mockgem.server.render import GOOGLE_HEADERS, public_origin, render_error, render_json

CHUNK_GRANULARITY = "8388608"
MAX_OFFSET = 2**63 - 1


async def upload(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    try:
        if "upload_id" in request.query:
            return await _upload_command(request, exchange)
        protocol = request.headers.get("X-Goog-Upload-Protocol", "").lower()
        if protocol == "multipart" or request.content_type.startswith("multipart/"):
            return await _upload_multipart(request, exchange)
        if protocol == "raw" or request.query.get("uploadType") == "media":
            return await _upload_raw(request, exchange)
        return await _start_resumable(request, exchange)
    except UploadRejected as error:
        response = render_error(error)
        response.headers["X-Goog-Upload-Status"] = error.upload_status
        return response


async def _start_resumable(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    command = request.headers.get("X-Goog-Upload-Command", "").lower()
    if command != "start":
        # UNVERIFIED: the upload server's refusal of an upload that names no protocol or command.
        raise InvalidArgument("Upload requests must set X-Goog-Upload-Protocol and X-Goog-Upload-Command: start.")
    metadata = parse_json_body(exchange.body)
    size = ascii_int(request.headers.get("X-Goog-Upload-Header-Content-Length", ""), low=0, high=MAX_OFFSET)
    upload_id = request.app[FILES].start_upload(
        metadata if isinstance(metadata, dict) else None,
        size=size,
        mime_type=request.headers.get("X-Goog-Upload-Header-Content-Type") or None,
        version=_call(exchange).version,
    )
    url = f"{public_origin(request)}{request.path}?upload_id={upload_id}&upload_protocol=resumable"
    headers = {"X-Goog-Upload-URL": url, "X-Goog-Upload-Status": "active", "X-Goog-Upload-Chunk-Granularity": CHUNK_GRANULARITY}
    return web.Response(status=200, headers={**GOOGLE_HEADERS, **headers})


async def _upload_command(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    sent = request.headers.get("X-Goog-Upload-Offset", "0")
    offset = ascii_int(sent, low=0, high=MAX_OFFSET)
    if offset is None:
        raise UploadRejected(f"Invalid X-Goog-Upload-Offset: {sent[:40]}", upload_status="active")
    progress = request.app[FILES].upload_chunk(
        request.query["upload_id"],
        command=request.headers.get("X-Goog-Upload-Command", ""),
        offset=offset,
        data=_upload(exchange).reader(),
    )
    return _render_progress(progress)


def _render_progress(progress: UploadProgress) -> web.Response:
    headers = {"X-Goog-Upload-Status": progress.status, "X-Goog-Upload-Size-Received": str(progress.received)}
    if progress.file is None:
        return web.Response(status=200, headers={**GOOGLE_HEADERS, **headers})
    response = render_json({"file": progress.file})
    response.headers.update(headers)
    return response


async def _upload_multipart(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    """Metadata JSON and the bytes as parts of `multipart/related` (or `form-data`), in any order."""
    metadata: JSONDict | None = None
    data, mime_type = memoryview(b""), None
    with _upload(exchange).mapped() as body:
        for part in multipart_parts(body, request.headers.get("Content-Type", "")):
            if metadata is None and part.content_type.startswith("application/json"):
                parsed = parse_json_body(bytes(part.content))
                metadata = parsed if isinstance(parsed, dict) else None
            else:
                data, mime_type = part.content, part.content_type
        file = request.app[FILES].upload_multipart(metadata, data, mime_type=mime_type, version=_call(exchange).version)
        data.release()
    return render_json({"file": file})


async def _upload_raw(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    mime_type = request.headers.get("Content-Type") or None
    file = request.app[FILES].upload_multipart(None, _upload(exchange).reader(), mime_type=mime_type, version=_call(exchange).version)
    return render_json({"file": file})


def _upload(exchange: Exchange) -> UploadBody:
    assert exchange.upload is not None, "the pipeline spools every upload call's body"
    return exchange.upload


def _call(exchange: Exchange) -> ApiCall:
    assert exchange.call is not None
    return exchange.call


async def get_file(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    return render_json(request.app[FILES].get(_resource(exchange)))


async def list_files(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    return render_json(request.app[FILES].list(*page_query(request)))


async def delete_file(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    request.app[FILES].delete(_resource(exchange))
    return render_json({})


async def download_file(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    data, mime_type = request.app[FILES].download(_resource(exchange))
    return web.Response(body=data, content_type=mime_type, headers=GOOGLE_HEADERS)


async def register_files(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    """`files:register`: Cloud Storage objects registered as Files (`files.register_files`)."""
    api = valid_request(request, exchange)
    uris = api.body.get("uris")
    if not isinstance(uris, list) or not uris or not all(isinstance(uri, str) and uri.startswith("gs://") for uri in uris):
        # UNVERIFIED: the wording of a register call without Cloud Storage URIs.
        raise InvalidArgument("uris must name one or more gs:// objects.")
    files = request.app[FILES].register(uris, version=api.call.version)
    return render_json({"files": list(files)})


def _resource(exchange: Exchange) -> str:
    return _call(exchange).resource or ""


HANDLERS = {
    "files.upload": upload,
    "files.get": get_file,
    "files.list": list_files,
    "files.delete": delete_file,
    "files.download": download_file,
    "files.register": register_files,
}
