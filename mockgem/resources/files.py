"""The Files API: resumable and multipart uploads, get, list, delete, download (wire ref §2.6).

A File is kept as its public JSON plus private `_` fields (expiry, processing end, blob key);
`state` is worked out from the clock each time it is read, and expired files are purged on
every call, so a file past its 48 h is gone exactly as on the real service.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from mockgem._types import JSONDict
from mockgem.errors import ApiError, InvalidArgument, ResourceExhausted
from mockgem.protocol.casing import camel_keys
from mockgem.resources.file_records import (
    FILE_ID,
    NewFile,
    Processing,
    build_record,
    file_id_in_uri,
    file_id_of,
    file_not_active,
    file_not_found,
    google_uri_base,
    guess_mime_type,
    human_size,
    render,
)
from mockgem.protocol.json_text import ascii_int
from mockgem.resources.blobs import Data, data_size, skip
from mockgem.resources.ids import FILE_ID_LENGTH, new_id
from mockgem.resources.paging import page
from mockgem.resources.state import Limits, StateStore
from mockgem.resources.timestamps import Clock

FILES = "files"
UPLOADS = "uploads"
SESSION_LIFETIME = 7 * 24 * 3600.0  # Google's resumable sessions last a week
NO_PROCESSING = Processing()
DEFAULT_LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class UploadProgress:
    """The answer to an upload command: `status` goes in `X-Goog-Upload-Status`."""

    status: str
    received: int
    file: JSONDict | None = None


class UploadRejected(ApiError):
    """A refused upload command; the server still sends `X-Goog-Upload-Status: upload_status`,
    since google-genai retries for 7 s any chunk answer that lacks that header."""

    def __init__(self, message: str, *, upload_status: str, code: int = 400) -> None:
        super().__init__(message, code=code)
        self.upload_status = upload_status


class FileStore:
    def __init__(
        self,
        state: StateStore,
        *,
        clock: Clock,
        processing: Processing = NO_PROCESSING,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self._state = state
        self._clock = clock
        self._processing = processing
        self._limits = limits

    # -- uploads ---------------------------------------------------------------------------

    def start_upload(
        self,
        body: JSONDict | None,
        *,
        size: int | None = None,
        mime_type: str | None = None,
        version: str = "v1beta",
    ) -> str:
        """Open a resumable session; `size` and `mime_type` come from X-Goog-Upload-Header-*."""
        metadata = upload_metadata(body)
        declared = size if size is not None else _int_or_none(metadata.get("sizeBytes"))
        self._check_new_name(metadata.get("name"))
        if declared is not None:
            self._check_room(declared)
        upload_id = secrets.token_urlsafe(48)
        now = self._clock()
        session: JSONDict = {
            "id": upload_id,
            "metadata": metadata,
            "size": declared,
            "mimeType": mime_type,
            "received": 0,
            "file": None,
            "uriBase": google_uri_base(version),
            "_expiresAt": now + SESSION_LIFETIME,
        }
        self._state.put(UPLOADS, upload_id, session)
        self._state.write_blob(_session_blob(upload_id), b"")
        return upload_id

    def upload_chunk(
        self, upload_id: str, *, command: str, offset: int, data: Data
    ) -> UploadProgress:
        """Apply `upload`, `upload, finalize`, `finalize` or `query` to a session."""
        session = self._session(upload_id)
        words = {word.strip() for word in command.lower().split(",")}
        if words == {"query"}:
            return self._progress(session)
        if not words or not words <= {"upload", "finalize"}:
            raise UploadRejected(f"Unknown upload command: {command}", upload_status="active")
        if session["file"] is not None:
            # UNVERIFIED: status and wording for a command on a session that already finalized.
            raise UploadRejected(
                "Invalid request. The upload session has already been finalized.",
                upload_status="final",
            )
        self._append(session, offset, data)
        if "finalize" not in words:
            return UploadProgress("active", session["received"])
        return UploadProgress("final", session["received"], self._finalize(session))

    def upload_multipart(
        self,
        body: JSONDict | None,
        data: Data,
        *,
        mime_type: str | None = None,
        version: str = "v1beta",
    ) -> JSONDict:
        """The one-request form: metadata JSON plus the bytes' Content-Type (wire ref §2.6.2)."""
        upload_id = self.start_upload(
            body, size=data_size(data), mime_type=mime_type, version=version
        )
        done = self.upload_chunk(upload_id, command="upload, finalize", offset=0, data=data)
        return done.file or {}

    # -- reads and deletes -------------------------------------------------------------------

    def get(self, name: str) -> JSONDict:
        return self._render(self._record(name))

    def list(self, page_size: int | None = None, page_token: str | None = None) -> JSONDict:
        self._purge_expired()
        newest_first = sorted(
            self._state.records(FILES), key=lambda r: (r["_createdAt"], r["name"]), reverse=True
        )
        files, next_token = page(newest_first, page_size, page_token)
        body: JSONDict = {"files": [self._render(record) for record in files]} if files else {}
        if next_token:
            body["nextPageToken"] = next_token
        return body

    def delete(self, name: str) -> None:
        record = self._record(name)
        self._state.remove(FILES, record["name"])
        self._state.remove_blob(record["_blob"])

    def download(self, name: str) -> tuple[bytes, str]:
        """The bytes and MIME type of a generated file; uploaded files are refused as for real."""
        record = self._record(name)
        if record["source"] != "GENERATED":
            # UNVERIFIED: google-genai refuses client-side; the server's own wording is unknown.
            raise InvalidArgument(
                "Only generated files can be downloaded, uploaded files can't be downloaded."
            )
        return self._state.read_blob(record["_blob"]), record["mimeType"]

    def read_bytes(self, name: str) -> bytes:
        """The stored bytes of any file (a batch reads its JSONL input with this)."""
        return self._state.read_blob(self._record(name)["_blob"])

    def check_file_uri(self, uri: str) -> JSONDict | None:
        """The File a generate request's `fileData.fileUri` names, or None for a non-Files URI.

        A missing, deleted or expired file raises the real 403; one still PROCESSING or FAILED
        raises the real 400 FAILED_PRECONDITION.
        """
        file_id = file_id_in_uri(uri)
        if file_id is None:
            return None
        file = self.get(file_id)
        if file["state"] != "ACTIVE":
            raise file_not_active(file_id)
        return file

    def add_generated(
        self, data: bytes, *, name: str, mime_type: str, display_name: str | None = None
    ) -> JSONDict:
        """Register a file the service made (batch results): source GENERATED, downloadable."""
        file_id = file_id_of(name)
        blob = f"file-{file_id}"
        self._state.write_blob(blob, data)
        new = NewFile(file_id, mime_type, display_name, google_uri_base("v1beta"), "GENERATED", blob)
        return self._render(self._new_record(new, len(data), hashlib.sha256(data).hexdigest()))

    def register(self, uris: Sequence[str], *, version: str = "v1beta") -> tuple[JSONDict, ...]:
        """`files:register`: Cloud Storage objects as Files (source REGISTERED) without their bytes.

        UNVERIFIED: mockgem cannot read the bucket, so the size is 0 and the type is guessed
        from the object's name."""
        files: tuple[JSONDict, ...] = ()
        for uri in uris:
            file_id = new_id(FILE_ID_LENGTH)
            new = NewFile(file_id, guess_mime_type(uri.rpartition("/")[2]), uri.rpartition("/")[2] or None, google_uri_base(version), "REGISTERED", f"file-{file_id}")
            files += (self._render(self._new_record(new, 0, hashlib.sha256(b"").hexdigest())),)
        return files

    # -- internals ---------------------------------------------------------------------------

    def _session(self, upload_id: str) -> JSONDict:
        self._purge_expired()
        session = self._state.get(UPLOADS, upload_id)
        if session is None:
            # UNVERIFIED: the upload server's answer to an unknown or expired upload_id.
            raise UploadRejected("Upload session not found.", upload_status="cancelled", code=404)
        return session

    def _progress(self, session: JSONDict) -> UploadProgress:
        if session["file"] is None:
            return UploadProgress("active", session["received"])
        file = self._render(self._record(session["file"]))
        return UploadProgress("final", session["received"], file)

    def _append(self, session: JSONDict, offset: int, data: Data) -> None:
        received: int = session["received"]
        if offset > received:
            # UNVERIFIED: Google's upload server words the Content-Range variant this way.
            raise UploadRejected(
                f"Invalid request.  According to the X-Goog-Upload-Offset header, the upload "
                f"offset is {offset} byte(s), which exceeds already uploaded size of "
                f"{received} byte(s).",
                upload_status="active",
            )
        data = skip(data, received - offset)  # bytes already held (a retried chunk) are skipped
        total = received + data_size(data)
        if session["size"] is not None and total > session["size"]:
            # UNVERIFIED: wording for more bytes than X-Goog-Upload-Header-Content-Length said.
            raise UploadRejected(
                f"Invalid request. The upload has {total} byte(s), more than the declared "
                f"size of {session['size']} byte(s).",
                upload_status="active",
            )
        self._check_file_size(total)
        self._state.append_blob(_session_blob(session["id"]), data)
        session["received"] = total
        self._state.put(UPLOADS, session["id"], session)

    def _finalize(self, session: JSONDict) -> JSONDict:
        size = session["size"]
        if size is not None and session["received"] < size:
            # UNVERIFIED: wording for a finalize that comes before every declared byte.
            raise UploadRejected(
                f"Invalid request. Finalize was requested after {session['received']} byte(s), "
                f"but the declared size is {size} byte(s).",
                upload_status="active",
            )
        blob = _session_blob(session["id"])
        size = self._state.blobs.size(blob)
        self._check_room(size)
        record = self._new_record(_uploaded_file(session, blob), size, self._state.blobs.sha256(blob))
        session["file"] = record["name"]
        self._state.put(UPLOADS, session["id"], session)
        return self._render(record)

    def _new_record(self, new: NewFile, size: int, sha256: str) -> JSONDict:
        record = build_record(new, size, sha256, self._clock(), self._processing)
        self._state.put(FILES, record["name"], record)
        return record

    def _record(self, name: str) -> JSONDict:
        self._purge_expired()
        file_id = file_id_of(name)
        record = self._state.get(FILES, f"files/{file_id}")
        if record is None:
            raise file_not_found(file_id)
        return record

    def _render(self, record: JSONDict) -> JSONDict:
        return render(record, self._clock())

    def _purge_expired(self) -> None:
        now = self._clock()
        for kind, blob_of in ((FILES, _file_blob), (UPLOADS, _upload_blob)):
            for record in self._state.records(kind):
                if record["_expiresAt"] <= now:
                    self._state.remove(kind, record.get("name") or record["id"])
                    if blob := blob_of(record):
                        self._state.remove_blob(blob)

    def _check_new_name(self, name: object) -> None:
        if name is None:
            return
        file_id = file_id_of(str(name))
        if not FILE_ID.match(file_id):
            # UNVERIFIED: wording; the rule itself is the documented one.
            raise InvalidArgument(
                f"Invalid file name: files/{file_id}. The ID can contain up to 40 lowercase "
                "alphanumeric characters or dashes and cannot start or end with a dash."
            )
        self._purge_expired()
        if self._state.get(FILES, f"files/{file_id}") is not None:
            # UNVERIFIED: the service's wording for a name that is taken.
            raise ApiError(f"File files/{file_id} already exists.", code=409)

    def _check_file_size(self, size: int) -> None:
        if size > self._limits.max_file_bytes:
            # UNVERIFIED: Google's upload server words its 413 this way for other products.
            raise ApiError(
                f"The request exceeded the max file size limit of "
                f"{human_size(self._limits.max_file_bytes)}.",
                code=413,
            )

    def _check_room(self, size: int) -> None:
        self._check_file_size(size)
        used = sum(int(record["sizeBytes"]) for record in self._state.records(FILES))
        if used + size > self._limits.max_total_bytes:
            # UNVERIFIED: the real refusal of an upload past the 20 GB project storage.
            raise ResourceExhausted(
                f"File storage quota exceeded: the project stores {used} byte(s) and can store "
                f"at most {human_size(self._limits.max_total_bytes)}."
            )


def upload_metadata(body: JSONDict | None) -> JSONDict:
    """The File fields of an upload's JSON, in snake_case or camelCase, wrapped in `file` or not."""
    fields = camel_keys(body or {})
    inner = fields.get("file", fields)
    return dict(inner) if isinstance(inner, dict) else {}


def _session_blob(upload_id: str) -> str:
    return f"upload-{upload_id}"


def _file_blob(record: JSONDict) -> str | None:
    return str(record["_blob"])


def _upload_blob(record: JSONDict) -> str | None:
    # A finalized session's blob now belongs to its file.
    return _session_blob(record["id"]) if record["file"] is None else None


def _uploaded_file(session: JSONDict, blob: str) -> NewFile:
    metadata: JSONDict = session["metadata"]
    display_name = metadata.get("displayName")
    mime_type = metadata.get("mimeType") or session["mimeType"] or guess_mime_type(display_name)
    file_id = file_id_of(metadata.get("name") or new_id(FILE_ID_LENGTH))
    return NewFile(file_id, mime_type, display_name, session["uriBase"], "UPLOADED", blob)


def _int_or_none(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    return ascii_int(str(value), low=0, high=2**63 - 1)
