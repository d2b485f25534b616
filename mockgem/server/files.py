"""Handlers of the Files API: resumable, multipart and raw uploads, get, list, delete, download.

Upload bodies have their own size limit (`--max-file-size`), not `--max-body`: the SDK sends
8 MiB chunks and a multipart body holds the whole file. The session URL (`?upload_id=`) needs no
API key: the middleware lets it through, the upload id is the credential.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from mockgem._types import JSONDict
from mockgem.errors import InvalidArgument
from mockgem.protocol.calls import ApiCall, ApiRequest
from mockgem.protocol.validation import parse_json_body
from mockgem.resources.files import UploadProgress, UploadRejected
from mockgem.server.keys import CALL, CONFIG, FILES
from mockgem.server.listing import page_query
from mockgem.server.multipart import multipart_parts
from mockgem.server.recorded_names import learn_created
from mockgem.server.render import GOOGLE_HEADERS, render_error, render_json

CHUNK_GRANULARITY = "8388608"
READ_CHUNK = 1 << 20


async def upload(request: web.Request) -> web.StreamResponse:
    try:
        if "upload_id" in request.query:
            return await _upload_command(request)
        protocol = request.headers.get("X-Goog-Upload-Protocol", "").lower()
        if protocol == "multipart" or request.content_type.startswith("multipart/"):
            return await _upload_multipart(request)
        if protocol == "raw" or request.query.get("uploadType") == "media":
            return await _upload_raw(request)
        return await _start_resumable(request)
    except UploadRejected as error:
        response = render_error(error)
        response.headers["X-Goog-Upload-Status"] = error.upload_status
        return response


async def _start_resumable(request: web.Request) -> web.StreamResponse:
    command = request.headers.get("X-Goog-Upload-Command", "").lower()
    if command != "start":
        # UNVERIFIED: the upload server's refusal of an upload that names no protocol or command.
        raise InvalidArgument("Upload requests must set X-Goog-Upload-Protocol and X-Goog-Upload-Command: start.")
    metadata = parse_json_body(await _read_upload(request))
    size = request.headers.get("X-Goog-Upload-Header-Content-Length", "")
    upload_id = request.app[FILES].start_upload(
        metadata if isinstance(metadata, dict) else None,
        size=int(size) if size.isdigit() else None,
        mime_type=request.headers.get("X-Goog-Upload-Header-Content-Type") or None,
        version=_call(request).version,
    )
    url = f"{public_origin(request)}{request.path}?upload_id={upload_id}&upload_protocol=resumable"
    headers = {"X-Goog-Upload-URL": url, "X-Goog-Upload-Status": "active", "X-Goog-Upload-Chunk-Granularity": CHUNK_GRANULARITY}
    return web.Response(status=200, headers={**GOOGLE_HEADERS, **headers})


async def _upload_command(request: web.Request) -> web.StreamResponse:
    offset = request.headers.get("X-Goog-Upload-Offset", "0")
    if not offset.isdigit():
        raise UploadRejected(f"Invalid X-Goog-Upload-Offset: {offset}", upload_status="active")
    data = await _read_upload(request)
    progress = request.app[FILES].upload_chunk(
        request.query["upload_id"],
        command=request.headers.get("X-Goog-Upload-Command", ""),
        offset=int(offset),
        data=data,
    )
    if progress.file is not None:
        await learn_created(request.app, _bytes_request(request, data), {"file": progress.file})
    return _render_progress(progress)


def _render_progress(progress: UploadProgress) -> web.Response:
    headers = {"X-Goog-Upload-Status": progress.status, "X-Goog-Upload-Size-Received": str(progress.received)}
    if progress.file is None:
        return web.Response(status=200, headers={**GOOGLE_HEADERS, **headers})
    response = render_json({"file": progress.file})
    response.headers.update(headers)
    return response


async def _upload_multipart(request: web.Request) -> web.StreamResponse:
    """Metadata JSON and the bytes as parts of `multipart/related` (or `form-data`), in any order."""
    metadata: JSONDict | None = None
    data, mime_type = b"", None
    body = await _read_upload(request)
    for part in multipart_parts(body, request.headers.get("Content-Type", "")):
        if metadata is None and part.content_type.startswith("application/json"):
            parsed = parse_json_body(part.content)
            metadata = parsed if isinstance(parsed, dict) else None
        else:
            data, mime_type = part.content, part.content_type
    file = request.app[FILES].upload_multipart(metadata, data, mime_type=mime_type, version=_call(request).version)
    await learn_created(request.app, _bytes_request(request, body), {"file": file})
    return render_json({"file": file})


async def read_limited(read: Callable[[int], Awaitable[bytes]], limit: int) -> bytes:
    """All of a body, or its start once past `limit`: the store refuses anything over it."""
    chunks: list[bytes] = []
    size = 0
    while size <= limit and (chunk := await read(READ_CHUNK)):
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


async def _upload_raw(request: web.Request) -> web.StreamResponse:
    data = await _read_upload(request)
    mime_type = request.headers.get("Content-Type") or None
    file = request.app[FILES].upload_multipart(None, data, mime_type=mime_type, version=_call(request).version)
    await learn_created(request.app, _bytes_request(request, data), {"file": file})
    return render_json({"file": file})


def _bytes_request(request: web.Request, data: bytes) -> ApiRequest:
    """An upload as the cassettes look it up: its bytes are its body."""
    return ApiRequest(_call(request), {}, data, tuple(request.query.items()), tuple(request.headers.items()))


async def _read_upload(request: web.Request) -> bytes:
    return await read_limited(request.content.read, request.app[CONFIG].max_file_size)


def public_origin(request: web.Request) -> str:
    """`scheme://host` as the client reached this server, through a proxy or a port map too."""
    host = request.headers.get("X-Forwarded-Host", "").split(",")[0].strip() or request.host
    scheme = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip() or request.scheme
    return f"{scheme}://{host}"


def _call(request: web.Request) -> ApiCall:
    return request[CALL]


async def get_file(request: web.Request) -> web.StreamResponse:
    return render_json(request.app[FILES].get(_resource(request)))


async def list_files(request: web.Request) -> web.StreamResponse:
    return render_json(request.app[FILES].list(*page_query(request)))


async def delete_file(request: web.Request) -> web.StreamResponse:
    request.app[FILES].delete(_resource(request))
    return render_json({})


async def download_file(request: web.Request) -> web.StreamResponse:
    data, mime_type = request.app[FILES].download(_resource(request))
    return web.Response(body=data, content_type=mime_type, headers=GOOGLE_HEADERS)


def _resource(request: web.Request) -> str:
    return _call(request).resource or ""


HANDLERS = {
    "files.upload": upload,
    "files.get": get_file,
    "files.list": list_files,
    "files.delete": delete_file,
    "files.download": download_file,
}
