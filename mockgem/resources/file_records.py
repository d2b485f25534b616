"""A File's JSON as the real API writes it, and the refusals that name a file (wire ref §2.6).

A stored record is the public File JSON plus private `_` fields (creation and expiry times, the
end of processing, the blob key); `render` turns it into what the API shows at a given moment.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from mockgem._types import JSONDict
from mockgem.errors import ApiError, PermissionDenied
from mockgem.resources.timestamps import rfc3339

FILE_LIFETIME = 48 * 3600.0
FILE_ID = re.compile(r"^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$")
FILE_URI = re.compile(r"(?:^|/v1(?:alpha|beta)?\d*/)files/([a-z0-9][a-z0-9-]*)$")
DEFAULT_MIME_TYPE = "application/octet-stream"
# A File's `uri` names Google's host whatever host the client reached: clients hand it on as a
# `fileData.fileUri` and some fetch any other `http(s)://` URI themselves (LiteLLM downloads it and
# refuses loopback). The file is found again by its id (`file_id_in_uri`), whatever the host.
# Only the Gemini Developer API has files (google-genai's files.upload refuses a Vertex client).
GOOGLE_API_ORIGIN = "https://generativelanguage.googleapis.com"


@dataclass(frozen=True, slots=True)
class Processing:
    """How long a new file stays PROCESSING, per MIME type ("video/mp4" or "video/*") or overall."""

    seconds: float = 0.0
    seconds_by_mime_type: Mapping[str, float] = field(default_factory=dict)
    failing_mime_types: frozenset[str] = frozenset()

    def seconds_for(self, mime_type: str) -> float:
        for key in (mime_type, _family(mime_type)):
            if key in self.seconds_by_mime_type:
                return self.seconds_by_mime_type[key]
        return self.seconds

    def fails(self, mime_type: str) -> bool:
        return bool({mime_type, _family(mime_type)} & self.failing_mime_types)


@dataclass(frozen=True, slots=True)
class NewFile:
    file_id: str
    mime_type: str
    display_name: str | None
    uri_base: str
    source: str
    blob: str


def build_record(new: NewFile, size: int, sha256: str, now: float, processing: Processing) -> JSONDict:
    """A new File of `size` bytes whose hex SHA-256 is `sha256`."""
    record: JSONDict = {"name": f"files/{new.file_id}"}
    if new.display_name:
        record["displayName"] = new.display_name
    record |= {
        "mimeType": new.mime_type,
        "sizeBytes": str(size),
        "createTime": rfc3339(now),
        "updateTime": rfc3339(now),
        "expirationTime": rfc3339(now + FILE_LIFETIME),
        # The real service base64-encodes the hex digest, not the raw digest.
        "sha256Hash": base64.b64encode(sha256.encode()).decode(),
        "uri": f"{new.uri_base}/files/{new.file_id}",
    }
    if new.source == "GENERATED":
        record["downloadUri"] = f"{new.uri_base}/files/{new.file_id}:download?alt=media"
    return record | {
        "source": new.source,
        "_createdAt": now,
        "_expiresAt": now + FILE_LIFETIME,
        "_readyAt": now + processing.seconds_for(new.mime_type),
        "_fails": processing.fails(new.mime_type),
        "_blob": new.blob,
    }


def render(record: JSONDict, now: float) -> JSONDict:
    """The File as the API shows it at `now`: PROCESSING until ready, then ACTIVE or FAILED."""
    file = {key: value for key, value in record.items() if not key.startswith("_")}
    source = file.pop("source")
    if now < record["_readyAt"]:
        file["state"] = "PROCESSING"
    else:
        file["state"] = "FAILED" if record["_fails"] else "ACTIVE"
    file["source"] = source
    if file["state"] == "FAILED":
        # UNVERIFIED: the google.rpc.Status the service puts on a file it failed to process.
        file["error"] = {"code": 3, "message": "The file could not be processed."}
    return file


def google_uri_base(version: str) -> str:
    """Where a File's `uri` points: `https://generativelanguage.googleapis.com/v1beta/files/ID`.

    UNVERIFIED: a file uploaded through /v1 is assumed to be named under /v1 (recordings show v1beta)."""
    return f"{GOOGLE_API_ORIGIN}/{version}"


def file_id_of(name: str) -> str:
    return name.removeprefix("files/")


def file_id_in_uri(uri: str) -> str | None:
    """The id in a Files API URI (`https://host/v1beta/files/abc`, `files/abc`), else None."""
    match = FILE_URI.search(uri.split("?")[0])
    return match.group(1) if match else None


def guess_mime_type(display_name: object) -> str:
    guessed, _ = mimetypes.guess_type(str(display_name or ""))
    return guessed or DEFAULT_MIME_TYPE


def human_size(size: int) -> str:
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale and size % scale == 0:
            return f"{size // scale} {unit}"
    return f"{size} bytes"


def file_not_found(file_id: str) -> PermissionDenied:
    return PermissionDenied(
        f"You do not have permission to access the File {file_id} or it may not exist."
    )


def file_not_active(file_id: str) -> ApiError:
    return ApiError(
        f"The File {file_id} is not in an ACTIVE state and usage is not allowed.",
        code=400,
        status="FAILED_PRECONDITION",
    )


def _family(mime_type: str) -> str:
    return mime_type.split("/")[0] + "/*"
