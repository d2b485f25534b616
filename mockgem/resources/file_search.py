"""File Search stores and their documents (`fileSearchStores/...`), filled by upload or import.

Shapes are those of real recordings: a store is named after its display name
(`fileSearchStores/testfilesearchstore-q7prdj5dqu8p`), an upload's operation shares its
document's id (`.../upload/operations/ID`, `.../documents/ID`). A document is STATE_PENDING
until its operation is due (`--operation-duration`), then STATE_ACTIVE.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mockgem._types import JSONDict
from mockgem.errors import ApiError, NotFound
from mockgem.protocol.casing import camel_keys
from mockgem.resources.ids import FILE_ID_LENGTH, new_id
from mockgem.resources.lifecycle import Phase, phase, scheduled
from mockgem.resources.operations import OperationStore
from mockgem.resources.records import RecordStore, public
from mockgem.resources.state import StateStore
from mockgem.resources.timestamps import Clock, rfc3339

STORES, DOCUMENTS, UPLOADS = "fileSearchStores", "fileSearchDocuments", "fileSearchUploads"
TYPE_PREFIX = "type.googleapis.com/google.ai.generativelanguage.v1main."
EMBEDDING_MODEL = "models/gemini-embedding-001"
SLUG_LENGTH = 27  # as observed: "test-file-search-grounding-stream" -> "testfilesearchgroundingstre"
MAX_STORES_PAGE = 20  # documented page size cap of fileSearchStores.list and documents.list
STORE_FIELDS = ("name", "displayName", "createTime", "updateTime")


def not_found(name: str) -> NotFound:
    # UNVERIFIED: the wording; Google APIs commonly answer a missing resource this way.
    return NotFound(f"Requested entity was not found. ({name})")


def failed_precondition(message: str) -> ApiError:
    return ApiError(message, code=400, status="FAILED_PRECONDITION")


@dataclass(frozen=True, slots=True)
class UploadProgress:
    status: str
    received: int
    operation: JSONDict | None = None


class FileSearchStores:
    def __init__(self, state: StateStore, *, clock: Clock, operations: OperationStore) -> None:
        self._state = state
        self._stores = RecordStore(state, STORES, not_found)
        self._documents = RecordStore(state, DOCUMENTS, not_found)
        self._uploads = RecordStore(state, UPLOADS, lambda name: NotFound("Upload session not found."))
        self._clock = clock
        self._operations = operations

    def create(self, body: JSONDict) -> JSONDict:
        display = str(camel_keys(body).get("displayName") or "")
        slug = re.sub(r"[^a-z0-9]", "", display.lower())[:SLUG_LENGTH]
        now = self._clock()
        name = f"{STORES}/{slug + '-' if slug else ''}{new_id(FILE_ID_LENGTH)}"
        record: JSONDict = {"name": name, "displayName": display, "createTime": rfc3339(now), "updateTime": rfc3339(now)}
        record |= {"embeddingModel": EMBEDDING_MODEL, "_createdAt": now}
        return self._store_view(self._stores.put(record))

    def get(self, name: str) -> JSONDict:
        return self._store_view(self._stores.get(_store_name(name)))

    def list(self, page_size: int | None, page_token: str | None) -> JSONDict:
        stores = [self._store_view(record) for record in self._stores.all()]
        return self._stores.page(STORES, stores, page_size, page_token, max_size=MAX_STORES_PAGE)

    def delete(self, name: str, *, force: bool) -> None:
        store = self._stores.get(_store_name(name))["name"]
        documents = self._documents.all(lambda d: d["_store"] == store)
        if documents and not force:
            # UNVERIFIED: the wording of the refusal to delete a store that holds documents.
            raise failed_precondition(f"Cannot delete non-empty FileSearchStore {store}. Set force to true to delete it with its documents.")
        for document in documents:
            self._documents.remove(document["name"])
        self._stores.remove(store)

    def start_upload(self, store: str, metadata: JSONDict, *, size: int | None, mime_type: str | None) -> str:
        """A resumable upload session into `store`; returns the upload id."""
        name = self._stores.get(_store_name(store))["name"]
        upload_id = new_id(40)
        fields = camel_keys(metadata)
        record: JSONDict = {"name": upload_id, "_store": name, "_metadata": fields, "_size": size}
        record["_mimeType"] = fields.get("mimeType") or mime_type or "application/octet-stream"
        self._uploads.put(record)
        self._state.write_blob(_blob(upload_id), b"")
        return upload_id

    def upload_chunk(self, upload_id: str, *, command: str, data: bytes) -> UploadProgress:
        session = self._uploads.get(upload_id)
        self._state.append_blob(_blob(upload_id), data)
        received = len(self._state.read_blob(_blob(upload_id)))
        if "finalize" not in command.lower():
            return UploadProgress("active", received)
        self._uploads.remove(upload_id)
        self._state.remove_blob(_blob(upload_id))
        metadata: JSONDict = session["_metadata"]
        document = self._add_document(session["_store"], metadata, size=received, mime_type=session["_mimeType"])
        response = {"@type": TYPE_PREFIX + "UploadToFileSearchStoreResponse", "documentName": document["name"]}
        response |= {"mimeType": document["mimeType"], "parent": session["_store"], "sizeBytes": str(received)}
        operation_id = document["name"].rpartition("/")[2]
        name = f"{session['_store']}/upload/operations/{operation_id}"
        operation = self._operations.start(name, {"response": response}, duration=document["_dueAt"] - document["_createdAt"])
        # As recorded: the upload's answer already names its response, though `done` is left out.
        return UploadProgress("final", received, operation | {"response": response})

    def import_file(self, store: str, body: JSONDict, file: JSONDict) -> JSONDict:
        """`:importFile` of a Files API file (`file` is its record) into `store`."""
        name = self._stores.get(_store_name(store))["name"]
        fields = camel_keys(body)
        metadata = {"displayName": file.get("displayName") or file["name"], **fields}
        size = int(file.get("sizeBytes") or 0)
        document = self._add_document(name, metadata, size=size, mime_type=str(file.get("mimeType") or "text/plain"))
        response = {"@type": TYPE_PREFIX + "ImportFileResponse", "parent": name, "documentName": document["name"]}
        operation = f"{name}/operations/{document['name'].rpartition('/')[2]}"
        return self._operations.start(operation, {"response": response}, duration=document["_dueAt"] - document["_createdAt"])

    def documents(self, store: str, page_size: int | None, page_token: str | None) -> JSONDict:
        name = self._stores.get(_store_name(store))["name"]
        found = [self._document_view(d) for d in self._documents.all(lambda d: d["_store"] == name)]
        return self._documents.page("documents", found, page_size, page_token, max_size=MAX_STORES_PAGE)

    def document(self, name: str) -> JSONDict:
        return self._document_view(self._documents.get(_document_name(name)))

    def delete_document(self, name: str) -> None:
        self._documents.remove(_document_name(name))

    def _add_document(self, store: str, metadata: JSONDict, *, size: int, mime_type: str) -> JSONDict:
        now = self._clock()
        display = str(metadata.get("displayName") or "")
        slug = re.sub(r"[^a-z0-9]", "", display.lower())[:SLUG_LENGTH] or new_id(FILE_ID_LENGTH)
        record: JSONDict = {"name": f"{store}/documents/{slug}-{new_id(FILE_ID_LENGTH)}", "_store": store}
        if display:
            record["displayName"] = display
        record |= {"sizeBytes": str(size), "mimeType": mime_type, "createTime": rfc3339(now), "updateTime": rfc3339(now)}
        custom = metadata.get("customMetadata")
        if isinstance(custom, list) and custom:  # a real upload with a malformed one was taken all the same
            record["customMetadata"] = [_camel(item) for item in custom if isinstance(item, dict)]
        return self._documents.put(record | scheduled(now, self._operations.duration))

    def _document_view(self, record: JSONDict) -> JSONDict:
        ready = phase(record, self._clock()) is Phase.DONE
        view = public(record)
        return {"name": view.pop("name"), **view, "state": "STATE_ACTIVE" if ready else "STATE_PENDING"}

    def _store_view(self, record: JSONDict) -> JSONDict:
        documents = [self._document_view(d) for d in self._documents.all(lambda d: d["_store"] == record["name"])]
        view = public(record)
        active = sum(1 for d in documents if d["state"] == "STATE_ACTIVE")
        counts = {"activeDocumentsCount": active, "pendingDocumentsCount": len(documents) - active}
        view |= {key: str(value) for key, value in counts.items() if value}  # int64 as strings; proto3 leaves 0 out
        size = sum(int(d["sizeBytes"]) for d in documents)
        return view | ({"sizeBytes": str(size)} if size else {})


def _camel(item: JSONDict) -> JSONDict:
    """`string_value` -> `stringValue`: the SDK sends custom metadata's own keys in snake_case."""
    return {re.sub(r"_([a-z])", lambda m: m.group(1).upper(), key): value for key, value in item.items()}


def _store_name(name: str) -> str:
    return f"{STORES}/{name.removeprefix(STORES + '/').split('/')[0]}"


def _document_name(name: str) -> str:
    return name if name.startswith(STORES + "/") else f"{STORES}/{name}"


def _blob(upload_id: str) -> str:
    return f"file-search-upload-{upload_id}"
