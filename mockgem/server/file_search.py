"""Handlers of File Search: stores, their documents, `:importFile` and the resumable
`:uploadToFileSearchStore` (its session URL, like the Files API's, needs no key)."""

from __future__ import annotations

from aiohttp import web

from mockgem.errors import InvalidArgument
from mockgem.protocol.validation import parse_json_body
from mockgem.server.files import CHUNK_GRANULARITY
from mockgem.server.keys import FILE_SEARCH, FILES
from mockgem.server.exchange import Exchange
from mockgem.server.listing import page_query
from mockgem.server.parse import valid_request
from mockgem.server.render import GOOGLE_HEADERS, public_origin, render_json


async def create_store(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    api = valid_request(request, exchange)
    store = request.app[FILE_SEARCH].create(api.body)
    return render_json(store)


async def get_store(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    return render_json(request.app[FILE_SEARCH].get(_resource(exchange)))


async def list_stores(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    return render_json(request.app[FILE_SEARCH].list(*page_query(request)))


async def delete_store(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    request.app[FILE_SEARCH].delete(_resource(exchange), force=_forced(request))
    return render_json({})


async def import_file(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    api = valid_request(request, exchange)
    file_name = api.body.get("fileName")
    if not isinstance(file_name, str) or not file_name:
        # UNVERIFIED: the wording of an import that names no file.
        raise InvalidArgument("file_name is required.")
    file = request.app[FILES].get(file_name)
    operation = request.app[FILE_SEARCH].import_file(_resource(exchange), api.body, file)
    return render_json(operation)


async def upload(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    data = exchange.body
    if "upload_id" in request.query:
        return _upload_chunk(request, data)
    if request.headers.get("X-Goog-Upload-Command", "").lower() != "start":
        # UNVERIFIED: as the Files API's upload server refuses an upload with no start.
        raise InvalidArgument("Upload requests must set X-Goog-Upload-Protocol: resumable and X-Goog-Upload-Command: start.")
    metadata = parse_json_body(data) if data.strip() else {}
    size = request.headers.get("X-Goog-Upload-Header-Content-Length", "")
    upload_id = request.app[FILE_SEARCH].start_upload(
        _resource(exchange), metadata if isinstance(metadata, dict) else {}, size=int(size) if size.isdigit() else None,
        mime_type=request.headers.get("X-Goog-Upload-Header-Content-Type") or None,
    )
    url = f"{public_origin(request)}{request.path}?upload_id={upload_id}&upload_protocol=resumable"
    headers = {"X-Goog-Upload-URL": url, "X-Goog-Upload-Status": "active", "X-Goog-Upload-Chunk-Granularity": CHUNK_GRANULARITY}
    return web.Response(status=200, headers={**GOOGLE_HEADERS, **headers})


def _upload_chunk(request: web.Request, data: bytes) -> web.StreamResponse:
    command = request.headers.get("X-Goog-Upload-Command", "")
    progress = request.app[FILE_SEARCH].upload_chunk(request.query["upload_id"], command=command, data=data)
    headers = {"X-Goog-Upload-Status": progress.status, "X-Goog-Upload-Size-Received": str(progress.received)}
    if progress.operation is None:
        return web.Response(status=200, headers={**GOOGLE_HEADERS, **headers})
    response = render_json(progress.operation)
    response.headers.update(headers)
    return response


async def list_documents(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    return render_json(request.app[FILE_SEARCH].documents(_resource(exchange), *page_query(request)))


async def get_document(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    return render_json(request.app[FILE_SEARCH].document(_resource(exchange)))


async def delete_document(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    request.app[FILE_SEARCH].delete_document(_resource(exchange))
    return render_json({})


def _forced(request: web.Request) -> bool:
    return request.query.get("force", "").lower() in {"true", "1"}


def _resource(exchange: Exchange) -> str:
    return (exchange.call.resource if exchange.call else None) or ""


HANDLERS = {
    "fileSearchStores.create": create_store,
    "fileSearchStores.get": get_store,
    "fileSearchStores.list": list_stores,
    "fileSearchStores.delete": delete_store,
    "fileSearchStores.importFile": import_file,
    "fileSearchStores.uploadToFileSearchStore": upload,
    "fileSearchStores.documents.list": list_documents,
    "fileSearchStores.documents.get": get_document,
    "fileSearchStores.documents.delete": delete_document,
}
