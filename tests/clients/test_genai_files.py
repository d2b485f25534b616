"""google-genai `client.files` against mockgem over a real socket."""

from __future__ import annotations

import base64
import hashlib
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from google import genai
from google.genai import errors, types

from mockgem import MockGemServer
from tests.clients.conftest import genai_client

MODEL = "gemini-2.5-flash"
CHUNK = 8 * 1024 * 1024


def upload_bytes(client: genai.Client, data: bytes, mime_type: str = "text/plain", **config: str) -> types.File:
    return client.files.upload(file=io.BytesIO(data), config=types.UploadFileConfig(mime_type=mime_type, **config))


@pytest.mark.parametrize("size", [5, CHUNK + 10], ids=["small", "over-one-chunk"])
def test_upload_from_path_keeps_bytes_and_metadata(client: genai.Client, tmp_path: Path, size: int) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"x" * size)
    file = client.files.upload(file=path)
    assert file.name and file.name.startswith("files/")
    # As recorded: the X-Goog-Upload-File-Name header does not become a displayName.
    assert (file.display_name, file.mime_type, file.size_bytes) == (None, "text/plain", size)
    assert file.state == types.FileState.ACTIVE and file.source == types.FileSource.UPLOADED
    assert file.uri and file.uri.endswith(file.name) and file.uri.startswith("https://generativelanguage.googleapis.com/v1/files/")
    assert file.expiration_time and file.create_time
    assert (file.expiration_time - file.create_time).total_seconds() == pytest.approx(48 * 3600)


@pytest.mark.parametrize("size", [11, CHUNK * 2 + 1], ids=["small", "three-chunks"])
def test_upload_from_bytes_with_mime_type(client: genai.Client, size: int) -> None:
    data = bytes(range(256)) * (size // 256) + b"z" * (size % 256)
    file = upload_bytes(client, data, "application/pdf", display_name="doc.pdf")
    assert (file.mime_type, file.size_bytes, file.display_name) == ("application/pdf", size, "doc.pdf")
    assert base64.b64decode(file.sha256_hash or "") == hashlib.sha256(data).hexdigest().encode()


def test_get_returns_the_uploaded_file(client: genai.Client) -> None:
    file = upload_bytes(client, b"hello")
    got = client.files.get(name=file.name or "")
    assert (got.name, got.size_bytes, got.state) == (file.name, 5, types.FileState.ACTIVE)


def test_list_pages_newest_first_and_ends(client: genai.Client) -> None:
    names = [upload_bytes(client, f"file {n}".encode()).name for n in range(5)]
    pager = client.files.list(config=types.ListFilesConfig(page_size=2))
    assert len(pager.page) == 2
    listed = [file.name for file in pager]
    assert listed == list(reversed(names))


def test_delete_then_get_is_refused(client: genai.Client) -> None:
    file = upload_bytes(client, b"bye")
    client.files.delete(name=file.name or "")
    with pytest.raises(errors.ClientError) as caught:
        client.files.get(name=file.name or "")
    assert caught.value.code == 403 and caught.value.status == "PERMISSION_DENIED"


def test_download_of_an_uploaded_file_is_refused(client: genai.Client) -> None:
    file = upload_bytes(client, b"mine")
    with pytest.raises(ValueError, match="Only generated files"):
        client.files.download(file=file)
    with pytest.raises(errors.ClientError) as caught:
        client.files.download(file=file.name or "")
    assert caught.value.code == 400


def test_generate_with_an_uploaded_file_is_answered(client: genai.Client) -> None:
    file = upload_bytes(client, b"%PDF", "application/pdf")
    assert client.models.generate_content(model=MODEL, contents=[file, "weather?"]).text == "Sunny, 21 C"


def test_generate_with_a_deleted_file_gets_the_real_403(client: genai.Client) -> None:
    file = upload_bytes(client, b"%PDF", "application/pdf")
    client.files.delete(name=file.name or "")
    with pytest.raises(errors.ClientError) as caught:
        client.models.generate_content(model=MODEL, contents=[file, "summarise"])
    assert caught.value.code == 403
    assert f"File {(file.name or '').removeprefix('files/')}" in (caught.value.message or "")


def test_file_processing_holds_a_file_then_activates(make_server: Callable[..., MockGemServer]) -> None:
    client = genai_client(make_server(file_processing_by_type={"video/*": 3600.0}))
    video = upload_bytes(client, b"\x00\x00", "video/mp4")
    assert video.state == types.FileState.PROCESSING
    with pytest.raises(errors.ClientError) as caught:
        client.models.generate_content(model=MODEL, contents=[video, "describe"])
    assert caught.value.code == 400 and caught.value.status == "FAILED_PRECONDITION"
    assert upload_bytes(client, b"text").state == types.FileState.ACTIVE


def test_file_that_fails_processing_ends_failed(make_server: Callable[..., MockGemServer]) -> None:
    client = genai_client(make_server(failing_file_types=("video/*",)))
    video = upload_bytes(client, b"\x00", "video/mp4")
    assert video.state == types.FileState.FAILED and video.error is not None


def test_rules_match_a_file_by_display_name(make_server: Callable[..., MockGemServer]) -> None:
    rules = {"rules": [{"match": {"file": "*.pdf"}, "reply": {"text": "A PDF."}}], "default": {"text": "no file"}}
    client = genai_client(make_server(rules=rules))
    pdf = upload_bytes(client, b"%PDF", "application/pdf", display_name="report.pdf")
    text = upload_bytes(client, b"hi", display_name="notes.txt")
    assert client.models.generate_content(model=MODEL, contents=[pdf, "what is it?"]).text == "A PDF."
    assert client.models.generate_content(model=MODEL, contents=[text, "what is it?"]).text == "no file"


def test_file_larger_than_the_limit_is_refused(make_server: Callable[..., MockGemServer]) -> None:
    client = genai_client(make_server(max_file_size=100))
    with pytest.raises(errors.APIError) as caught:
        upload_bytes(client, b"x" * 101)
    assert caught.value.code == 413
