"""Raw HTTP to the Files API: the multipart form, upload sessions and their refusals, proxies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from yarl import URL

from mockgem import Config, create_app

UPLOAD = "/upload/v1beta/files"
KEY = {"x-goog-api-key": "k"}
START = {**KEY, "X-Goog-Upload-Protocol": "resumable", "X-Goog-Upload-Command": "start"}


@pytest.fixture
async def http(aiohttp_client: Any) -> TestClient:
    return await aiohttp_client(create_app(Config(max_body=4096)))


async def start_session(http: TestClient, size: int, **headers: str) -> str:
    response = await http.post(UPLOAD, json={"file": {"display_name": "d.bin"}}, headers={**START, "X-Goog-Upload-Header-Content-Length": str(size), **headers})
    assert response.status == 200 and response.headers["X-Goog-Upload-Status"] == "active"
    return response.headers["X-Goog-Upload-URL"]


async def send(http: TestClient, url: str, command: str, offset: int, data: bytes) -> aiohttp.ClientResponse:
    target = URL(url)
    return await http.post(f"{target.path}?{target.query_string}", data=data, headers={"X-Goog-Upload-Command": command, "X-Goog-Upload-Offset": str(offset)})


def multipart_body(metadata: dict[str, Any], data: bytes, mime_type: str) -> aiohttp.MultipartWriter:
    writer = aiohttp.MultipartWriter("related")
    writer.append_json(metadata)
    writer.append(data, {"Content-Type": mime_type})
    return writer


async def test_multipart_upload_returns_the_file(http: TestClient) -> None:
    body = multipart_body({"file": {"mimeType": "image/png", "displayName": "pixel"}}, b"\x89PNG" * 2000, "image/png")
    response = await http.post(UPLOAD, data=body, headers={**KEY, "X-Goog-Upload-Protocol": "multipart"})
    assert response.status == 200
    file = (await response.json())["file"]
    assert (file["mimeType"], file["displayName"], file["sizeBytes"], file["state"]) == ("image/png", "pixel", "8000", "ACTIVE")
    listed = await (await http.get("/v1beta/files", headers=KEY)).json()
    assert [f["name"] for f in listed["files"]] == [file["name"]]


MULTIPART = {**KEY, "X-Goog-Upload-Protocol": "multipart", "Content-Type": "multipart/related; boundary=BOUND"}


async def test_multipart_upload_with_lf_line_endings_as_googleapiclient_sends(http: TestClient) -> None:
    body = b'--BOUND\nContent-Type: application/json\nMIME-Version: 1.0\n\n{"file": {"displayName": "d"}}\n--BOUND\nContent-Type: text/plain\nContent-Transfer-Encoding: binary\n\nhello\nworld\n--BOUND--\n'
    response = await http.post(UPLOAD, data=body, headers=MULTIPART)
    assert response.status == 200
    file = (await response.json())["file"]
    assert (file["displayName"], file["mimeType"], file["sizeBytes"]) == ("d", "text/plain", "11")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"garbage", "the body holds no part delimited by the boundary"),
        (b"--BOUND--\r\n", "the body holds no part delimited by the boundary"),
        (b"--BOUND\r\nContent-Type: text/plain\r\nhello\r\n--BOUND--", "a part has no blank line after its headers"),
    ],
)
async def test_multipart_upload_without_readable_parts_is_refused_and_stores_nothing(http: TestClient, body: bytes, message: str) -> None:
    response = await http.post(UPLOAD, data=body, headers=MULTIPART)
    assert response.status == 400
    assert message in (await response.json())["error"]["message"]
    assert await (await http.get("/v1beta/files", headers=KEY)).json() == {}


async def test_resumable_upload_in_chunks_larger_than_max_body(http: TestClient) -> None:
    url = await start_session(http, 10_000)
    first = await send(http, url, "upload", 0, b"a" * 6000)
    assert first.status == 200 and first.headers["X-Goog-Upload-Status"] == "active"
    final = await send(http, url, "upload, finalize", 6000, b"b" * 4000)
    assert final.headers["X-Goog-Upload-Status"] == "final"
    assert (await final.json())["file"]["sizeBytes"] == "10000"


async def test_session_url_needs_no_key_but_start_does(http: TestClient) -> None:
    response = await http.post(UPLOAD, json={}, headers={"X-Goog-Upload-Protocol": "resumable", "X-Goog-Upload-Command": "start"})
    assert response.status == 403
    url = await start_session(http, 3)
    assert (await send(http, url, "upload, finalize", 0, b"abc")).status == 200


@pytest.mark.parametrize(
    ("steps", "status", "upload_status", "message"),
    [
        ([("upload", 5, b"abc")], 400, "active", "exceeds already uploaded size"),
        ([("upload, finalize", 0, b"ab")], 400, "active", "Finalize was requested after 2 byte(s)"),
        ([("upload, finalize", 0, b"abcd"), ("upload", 4, b"e")], 400, "final", "already been finalized"),
        ([("upload, finalize", 0, b"abcdef")], 400, "active", "more than the declared size"),
    ],
    ids=["offset-past-received", "finalize-too-early", "reused-after-finalize", "more-than-declared"],
)
async def test_upload_refusals_keep_the_status_header(http: TestClient, steps: list[tuple[str, int, bytes]], status: int, upload_status: str, message: str) -> None:
    url = await start_session(http, 4)
    for command, offset, data in steps:
        response = await send(http, url, command, offset, data)
    assert response.status == status and response.headers["X-Goog-Upload-Status"] == upload_status
    assert message in (await response.json())["error"]["message"]


async def test_unknown_session_is_not_found(http: TestClient) -> None:
    response = await http.post(f"{UPLOAD}?upload_id=nope", data=b"x", headers={"X-Goog-Upload-Command": "upload, finalize", "X-Goog-Upload-Offset": "0"})
    assert response.status == 404 and "X-Goog-Upload-Status" in response.headers


async def test_query_reports_bytes_received(http: TestClient) -> None:
    url = await start_session(http, 4)
    await send(http, url, "upload", 0, b"ab")
    response = await send(http, url, "query", 0, b"")
    assert response.headers["X-Goog-Upload-Size-Received"] == "2"


@pytest.mark.parametrize(
    ("headers", "origin"),
    [
        ({"X-Forwarded-Host": "mock.example:9000", "X-Forwarded-Proto": "https"}, "https://mock.example:9000"),
        ({"Host": "localhost:18080"}, "http://localhost:18080"),
    ],
    ids=["forwarded", "host"],
)
async def test_upload_url_points_where_the_client_came_from_and_the_file_uri_at_google(
    http: TestClient, headers: dict[str, str], origin: str
) -> None:
    url = await start_session(http, 1, **headers)
    assert url.startswith(f"{origin}/upload/v1beta/files?upload_id=")
    file = (await (await send(http, url, "upload, finalize", 0, b"x")).json())["file"]
    assert file["uri"] == f"https://generativelanguage.googleapis.com/v1beta/{file['name']}"


async def test_raw_media_upload(http: TestClient) -> None:
    response = await http.post(f"{UPLOAD}?uploadType=media", data=b"plain", headers={**KEY, "Content-Type": "text/plain"})
    assert (await response.json())["file"]["mimeType"] == "text/plain"


async def test_reset_forgets_every_file(http: TestClient) -> None:
    url = await start_session(http, 1)
    await send(http, url, "upload, finalize", 0, b"x")
    assert (await http.post("/_mockgem/reset")).status == 200
    assert await (await http.get("/v1beta/files", headers=KEY)).json() == {}


@pytest.mark.parametrize("size", ["ten", "2147483648"])
async def test_bad_page_size_is_refused(http: TestClient, size: str) -> None:
    response = await http.get(f"/v1beta/files?pageSize={size}", headers=KEY)
    assert response.status == 400
    assert (await response.json())["error"]["message"] == f"Invalid value at 'page_size' (TYPE_INT32), \"{size}\""


async def test_state_dir_keeps_files_across_a_restart(aiohttp_client: Any, tmp_path: Path) -> None:
    first = await aiohttp_client(create_app(Config(state_dir=tmp_path)))
    url = await start_session(first, 5)
    name = (await (await send(first, url, "upload, finalize", 0, b"hello")).json())["file"]["name"]
    await first.close()
    second = await aiohttp_client(create_app(Config(state_dir=tmp_path)))
    got = await (await second.get(f"/v1beta/{name}", headers=KEY)).json()
    assert (got["name"], got["sizeBytes"]) == (name, "5")
