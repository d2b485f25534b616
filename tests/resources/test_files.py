from __future__ import annotations

import base64
import hashlib
import re

import pytest

from mockgem.errors import ApiError, InvalidArgument, PermissionDenied, ResourceExhausted
from mockgem.resources.file_records import Processing
from mockgem.resources.files import FileStore, UploadRejected
from mockgem.resources.state import Limits, MemoryState

from .conftest import GOOGLE, FakeClock

CHUNK = 8 * 1024 * 1024


def upload(files: FileStore, data: bytes, **start: object) -> dict[str, object]:
    body = start.pop("body", {"file": {"display_name": "x.txt"}})
    upload_id = files.start_upload(body, size=len(data), **start)  # type: ignore[arg-type]
    done = files.upload_chunk(upload_id, command="upload, finalize", offset=0, data=data)
    assert done.status == "final" and done.file is not None
    return done.file


def test_upload_small_file_returns_the_real_file_shape(files: FileStore) -> None:
    file = upload(files, b"hello", mime_type="text/plain")

    assert list(file) == [
        "name", "displayName", "mimeType", "sizeBytes", "createTime", "updateTime",
        "expirationTime", "sha256Hash", "uri", "state", "source",
    ]  # fmt: skip
    assert re.fullmatch(r"files/[a-z0-9]{12}", str(file["name"]))
    assert file["sizeBytes"] == "5"
    assert file["mimeType"] == "text/plain"
    assert file["state"] == "ACTIVE" and file["source"] == "UPLOADED"
    assert file["uri"] == f"{GOOGLE}/v1beta/{file['name']}"
    assert file["createTime"] == "2027-01-15T08:00:00.000000Z"
    assert file["expirationTime"] == "2027-01-17T08:00:00.000000Z"


def test_upload_hash_is_base64_of_the_hex_digest(files: FileStore) -> None:
    file = upload(files, b"hello")

    expected = base64.b64encode(hashlib.sha256(b"hello").hexdigest().encode()).decode()
    assert file["sha256Hash"] == expected


@pytest.mark.parametrize(
    ("body", "header_mime", "display_name", "mime_type"),
    [
        ({"file": {"display_name": "a.pdf", "mime_type": "image/png"}}, None, "a.pdf", "image/png"),
        ({"file": {"displayName": "a.pdf", "mimeType": "image/png"}}, None, "a.pdf", "image/png"),
        ({"file": {"display_name": "a.pdf"}}, "application/pdf", "a.pdf", "application/pdf"),
        ({"file": {"display_name": "a.pdf"}}, None, "a.pdf", "application/pdf"),
        ({}, None, None, "application/octet-stream"),
        (None, "text/plain", None, "text/plain"),
    ],
)
def test_upload_metadata__snake_camel_and_headers(
    files: FileStore,
    body: dict[str, object] | None,
    header_mime: str | None,
    display_name: str | None,
    mime_type: str,
) -> None:
    file = upload(files, b"%PDF", body=body, mime_type=header_mime)

    assert file.get("displayName") == display_name
    assert file["mimeType"] == mime_type


def test_upload_in_chunks_reports_active_then_final(files: FileStore) -> None:
    data = b"a" * CHUNK + b"b" * 10
    upload_id = files.start_upload({}, size=len(data), mime_type="text/plain")

    first = files.upload_chunk(upload_id, command="upload", offset=0, data=data[:CHUNK])
    last = files.upload_chunk(
        upload_id, command="upload, finalize", offset=CHUNK, data=data[CHUNK:]
    )

    assert (first.status, first.received, first.file) == ("active", CHUNK, None)
    assert last.status == "final" and last.file is not None
    assert last.file["sizeBytes"] == str(len(data))
    assert files.read_bytes(str(last.file["name"])) == data


def test_upload_query_reports_bytes_received(files: FileStore) -> None:
    upload_id = files.start_upload({}, size=4)
    files.upload_chunk(upload_id, command="upload", offset=0, data=b"ab")

    progress = files.upload_chunk(upload_id, command="query", offset=0, data=b"")

    assert (progress.status, progress.received) == ("active", 2)


def test_upload_retried_chunk_skips_bytes_already_held(files: FileStore) -> None:
    upload_id = files.start_upload({}, size=4)
    files.upload_chunk(upload_id, command="upload", offset=0, data=b"ab")

    done = files.upload_chunk(upload_id, command="upload, finalize", offset=0, data=b"abcd")

    assert done.file is not None and files.read_bytes(str(done.file["name"])) == b"abcd"


@pytest.mark.parametrize(
    ("command", "offset", "data", "upload_status"),
    [
        ("upload", 3, b"x", "active"),  # a gap: offset past the bytes received
        ("upload, finalize", 0, b"ab", "active"),  # finalize before every declared byte
        ("upload", 0, b"abcdef", "active"),  # more bytes than declared
        ("download", 0, b"", "active"),  # no such command
    ],
)
def test_upload_chunk_refusals(
    files: FileStore, command: str, offset: int, data: bytes, upload_status: str
) -> None:
    upload_id = files.start_upload({}, size=4)

    with pytest.raises(UploadRejected) as refused:
        files.upload_chunk(upload_id, command=command, offset=offset, data=data)

    assert refused.value.code == 400 and refused.value.status == "INVALID_ARGUMENT"
    assert refused.value.upload_status == upload_status


def test_upload_session_reused_after_finalize_is_refused(files: FileStore) -> None:
    upload_id = files.start_upload({}, size=2)
    files.upload_chunk(upload_id, command="upload, finalize", offset=0, data=b"ab")

    with pytest.raises(UploadRejected) as refused:
        files.upload_chunk(upload_id, command="upload, finalize", offset=0, data=b"ab")

    assert refused.value.upload_status == "final"
    assert files.upload_chunk(upload_id, command="query", offset=0, data=b"").status == "final"


def test_upload_unknown_session_is_not_found(files: FileStore) -> None:
    with pytest.raises(UploadRejected) as refused:
        files.upload_chunk("nope", command="upload", offset=0, data=b"")

    assert refused.value.code == 404


def test_upload_with_a_chosen_name_keeps_it_and_refuses_a_duplicate(files: FileStore) -> None:
    file = upload(files, b"x", body={"file": {"name": "files/my-file-1"}})

    assert file["name"] == "files/my-file-1"
    with pytest.raises(ApiError) as taken:
        files.start_upload({"file": {"name": "files/my-file-1"}})
    assert taken.value.code == 409


@pytest.mark.parametrize("name", ["files/-bad", "files/Upper", "files/" + "a" * 41, "files/a_b"])
def test_upload_with_an_invalid_name_is_refused(files: FileStore, name: str) -> None:
    with pytest.raises(InvalidArgument):
        files.start_upload({"file": {"name": name}})


def test_upload_multipart_stores_metadata_and_bytes(files: FileStore) -> None:
    file = files.upload_multipart(
        {"file": {"mimeType": "image/png", "displayName": "x"}}, b"\x89PNG", mime_type="image/png"
    )

    assert file["displayName"] == "x" and file["mimeType"] == "image/png"
    assert files.get(str(file["name"])) == file


def test_upload_uri_names_google_under_the_version_given(files: FileStore) -> None:
    file = upload(files, b"x", version="v1")

    assert file["uri"] == f"{GOOGLE}/v1/{file['name']}"


@pytest.mark.parametrize(
    ("limits", "size", "error", "code"),
    [
        (Limits(max_file_bytes=4), 5, ApiError, 413),
        (Limits(max_total_bytes=6), 5, ResourceExhausted, 429),
    ],
)
def test_upload_over_a_limit_is_refused(
    state: MemoryState,
    clock: FakeClock,
    limits: Limits,
    size: int,
    error: type[ApiError],
    code: int,
) -> None:
    files = FileStore(state, clock=clock, limits=limits)
    upload(files, b"ab")

    with pytest.raises(error) as refused:
        files.start_upload({}, size=size)

    assert refused.value.code == code


def test_upload_without_declared_size_is_limited_per_chunk(
    state: MemoryState, clock: FakeClock
) -> None:
    files = FileStore(state, clock=clock, limits=Limits(max_file_bytes=3))
    upload_id = files.start_upload({})

    with pytest.raises(ApiError) as refused:
        files.upload_chunk(upload_id, command="upload", offset=0, data=b"abcd")

    assert refused.value.code == 413


def test_get_missing_file_gets_the_real_403(files: FileStore) -> None:
    with pytest.raises(PermissionDenied) as refused:
        files.get("files/nope")

    assert refused.value.message == (
        "You do not have permission to access the File nope or it may not exist."
    )


def test_get_accepts_the_bare_id(files: FileStore) -> None:
    file = upload(files, b"x")

    assert files.get(str(file["name"]).removeprefix("files/")) == file


def test_list_pages_newest_first_and_the_last_page_has_no_token(
    files: FileStore, clock: FakeClock
) -> None:
    names = []
    for _ in range(3):
        names.append(upload(files, b"x")["name"])
        clock.advance(1)

    first = files.list(page_size=2)
    second = files.list(page_size=2, page_token=first["nextPageToken"])

    assert [f["name"] for f in first["files"] + second["files"]] == names[::-1]
    assert "nextPageToken" not in second


def test_list_empty_is_an_empty_object(files: FileStore) -> None:
    assert files.list() == {}


def test_list_page_size_defaults_to_10_and_caps_at_100(files: FileStore) -> None:
    for _ in range(101):
        upload(files, b"x")

    assert len(files.list()["files"]) == 10
    assert len(files.list(page_size=500)["files"]) == 100


def test_delete_makes_the_file_gone(files: FileStore) -> None:
    name = str(upload(files, b"x")["name"])

    files.delete(name)

    with pytest.raises(PermissionDenied):
        files.get(name)
    with pytest.raises(PermissionDenied):
        files.delete(name)


def test_expired_file_is_gone(files: FileStore, clock: FakeClock) -> None:
    name = str(upload(files, b"x")["name"])
    clock.advance(48 * 3600 - 1)
    files.get(name)

    clock.advance(1)

    with pytest.raises(PermissionDenied):
        files.get(name)
    assert files.list() == {}


def test_download_uploaded_file_is_refused(files: FileStore) -> None:
    name = str(upload(files, b"x")["name"])

    with pytest.raises(InvalidArgument):
        files.download(name)


def test_download_generated_file_returns_its_bytes(files: FileStore) -> None:
    file = files.add_generated(
        b'{"key": "k"}\n', name="files/batch-abc", mime_type="application/jsonl"
    )

    assert file["source"] == "GENERATED"
    assert file["downloadUri"] == f"{GOOGLE}/v1beta/files/batch-abc:download?alt=media"
    assert files.download("files/batch-abc") == (b'{"key": "k"}\n', "application/jsonl")


def test_processing_file_becomes_active_after_its_mime_type_duration(
    state: MemoryState, clock: FakeClock
) -> None:
    processing = Processing(seconds=1, seconds_by_mime_type={"video/*": 5})
    files = FileStore(state, clock=clock, processing=processing)
    video = str(upload(files, b"v", mime_type="video/mp4")["name"])
    text = str(upload(files, b"t", mime_type="text/plain")["name"])

    clock.advance(2)

    assert files.get(video)["state"] == "PROCESSING"
    assert files.get(text)["state"] == "ACTIVE"
    clock.advance(3)
    assert files.get(video)["state"] == "ACTIVE"


def test_processing_can_end_failed(state: MemoryState, clock: FakeClock) -> None:
    processing = Processing(failing_mime_types=frozenset({"audio/*"}))
    files = FileStore(state, clock=clock, processing=processing)

    file = upload(files, b"a", mime_type="audio/wav")

    assert file["state"] == "FAILED" and "error" in file


@pytest.mark.parametrize(
    "uri",
    [
        "{name}",
        "https://generativelanguage.googleapis.com/v1beta/{name}",
        "http://127.0.0.1:1/v1/{name}",
    ],
)
def test_check_file_uri_finds_an_existing_file(files: FileStore, uri: str) -> None:
    file = upload(files, b"x")

    assert files.check_file_uri(uri.format(name=file["name"])) == file


@pytest.mark.parametrize(
    "uri", ["https://www.youtube.com/watch?v=abc", "gs://bucket/files/abc", "https://x.org/a.png"]
)
def test_check_file_uri_ignores_other_uris(files: FileStore, uri: str) -> None:
    assert files.check_file_uri(uri) is None


def test_check_file_uri_missing_deleted_or_expired_gets_the_real_403(
    files: FileStore, clock: FakeClock
) -> None:
    deleted = str(upload(files, b"x")["name"])
    files.delete(deleted)
    expiring = str(upload(files, b"x")["name"])
    clock.advance(48 * 3600)

    for name in ("files/missing", deleted, expiring):
        with pytest.raises(PermissionDenied):
            files.check_file_uri(f"https://generativelanguage.googleapis.com/v1beta/{name}")


def test_check_file_uri_processing_file_is_a_failed_precondition(
    state: MemoryState, clock: FakeClock
) -> None:
    files = FileStore(state, clock=clock, processing=Processing(seconds=5))
    name = str(upload(files, b"x")["name"])

    with pytest.raises(ApiError) as refused:
        files.check_file_uri(name)

    assert (refused.value.code, refused.value.status) == (400, "FAILED_PRECONDITION")
