"""Files, caches and batches calls forwarded to an upstream mockgem on loopback (never the internet)."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from google.genai import errors, types

from mockgem import MockGemServer
from tests.clients.conftest import genai_client


def send(url: str, body: bytes = b"", method: str = "POST", **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


@pytest.fixture
def upstream(make_server: Callable[..., MockGemServer]) -> MockGemServer:
    return make_server(rules={"default": {"text": "Hello from the upstream."}})


def test_passthrough_files_get_list_delete_reach_the_upstream(tmp_path: Path, upstream: MockGemServer, make_server: Callable[..., MockGemServer]) -> None:
    proxy = make_server(mode="passthrough", cassette=tmp_path / "none.yaml", upstream=upstream.url)
    client, owner = genai_client(proxy), genai_client(upstream)
    file = client.files.upload(file=io.BytesIO(b"hello"), config=types.UploadFileConfig(mime_type="text/plain"))
    assert owner.files.get(name=file.name or "").size_bytes == 5  # the upstream holds it
    assert client.files.get(name=file.name or "").uri == file.uri
    assert [listed.name for listed in client.files.list()] == [file.name]
    client.files.delete(name=file.name or "")
    with pytest.raises(errors.ClientError):
        owner.files.get(name=file.name or "")
    assert not (tmp_path / "none.yaml").exists()
    assert {entry.source for entry in proxy.requests} == {"upstream"}


def test_upload_session_points_back_at_the_proxy_then_reaches_the_upstream(upstream: MockGemServer, make_server: Callable[..., MockGemServer]) -> None:
    proxy = make_server(mode="passthrough", upstream=upstream.url)
    start = {"X-Goog-Upload-Protocol": "resumable", "X-Goog-Upload-Command": "start", "x-goog-api-key": "k", "Content-Type": "application/json"}
    status, headers, _ = send(f"{proxy.url}/upload/v1beta/files", b"{}", **start, **{"X-Forwarded-Host": "mock.example:9000"})
    session = headers["x-goog-upload-url"]
    assert status == 200 and session.startswith("http://mock.example:9000/upload/v1beta/files?upload_id=")
    local = session.replace("http://mock.example:9000", proxy.url)
    status, headers, body = send(local, b"bytes", **{"X-Goog-Upload-Command": "upload, finalize", "X-Goog-Upload-Offset": "0"})
    assert (status, headers["x-goog-upload-status"]) == (200, "final")
    assert json.loads(body)["file"]["sizeBytes"] == "5"
    status, headers, _ = send(local, b"again", **{"X-Goog-Upload-Command": "upload, finalize", "X-Goog-Upload-Offset": "0"})
    assert (status, headers["x-goog-upload-status"]) == (404, "cancelled")  # the session is over


def test_record_writes_a_multipart_upload_and_its_answer(tmp_path: Path, upstream: MockGemServer, make_server: Callable[..., MockGemServer]) -> None:
    cassette = tmp_path / "multipart.yaml"
    recorder = make_server(mode="record", cassette=cassette, upstream=upstream.url)
    body = (
        b'--b\r\nContent-Type: application/json\r\n\r\n{"file": {"displayName": "x"}}\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b--\r\n"
    )
    headers = {"X-Goog-Upload-Protocol": "multipart", "Content-Type": "multipart/related; boundary=b", "x-goog-api-key": "secret"}
    status, _, answer = send(f"{recorder.url}/upload/v1beta/files", body, **headers)
    assert status == 200 and json.loads(answer)["file"]["displayName"] == "x"
    recorded = yaml.safe_load(cassette.read_text())["interactions"][0]
    assert recorded["request"]["uri"] == f"{upstream.url}/upload/v1beta/files"
    assert json.loads(recorded["response"]["body"]["string"])["file"]["displayName"] == "x"
    assert "secret" not in cassette.read_text()


def test_batch_results_file_is_named_as_google_names_it_and_downloads(make_server: Callable[..., MockGemServer]) -> None:
    server = make_server(rules={"default": {"text": "ok"}})
    client = genai_client(server)
    line = json.dumps({"key": "k", "request": {"contents": [{"parts": [{"text": "hi"}], "role": "user"}]}})
    source = client.files.upload(file=io.BytesIO(line.encode()), config=types.UploadFileConfig(mime_type="application/jsonl"))
    job = client.batches.get(name=client.batches.create(model="gemini-2.5-flash", src=source.name or "").name or "")
    assert job.dest and job.dest.file_name
    results = client.files.get(name=job.dest.file_name)
    assert (results.uri or "").startswith("https://generativelanguage.googleapis.com/v1beta/files/batch-")
    assert b'"key": "k"' in client.files.download(file=job.dest.file_name)
