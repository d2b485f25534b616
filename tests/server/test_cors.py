"""Raw HTTP from a browser's point of view: preflights, and CORS headers on every kind of answer."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from yarl import URL

from mockgem import Config, create_app
from tests.conftest import EXAMPLE_RULES

ORIGIN = "http://localhost:5173"
GENERATE = "/v1beta/models/gemini-2.5-flash:generateContent"
STREAM = "/v1beta/models/gemini-2.5-flash:streamGenerateContent"
BROWSER = {"x-goog-api-key": "k", "Origin": ORIGIN}
HELLO = {"contents": [{"parts": [{"text": "weather?"}], "role": "user"}]}
UPLOAD_START = {"X-Goog-Upload-Protocol": "resumable", "X-Goog-Upload-Command": "start", "X-Goog-Upload-Header-Content-Length": "3"}


@pytest.fixture
async def http(aiohttp_client: Any) -> TestClient:
    return await aiohttp_client(create_app(Config(rules=(EXAMPLE_RULES,), api_keys=())))


def assert_cors(response: Any) -> None:
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "Origin" in response.headers["Vary"]
    assert "X-Goog-Upload-URL" in response.headers["Access-Control-Expose-Headers"]


async def test_preflight_needs_no_key_and_allows_what_is_asked(http: TestClient) -> None:
    asked = {"Origin": ORIGIN, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,x-goog-api-key"}
    response = await http.options(GENERATE, headers=asked)
    assert response.status == 200
    assert_cors(response)
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert response.headers["Access-Control-Allow-Headers"] == "content-type,x-goog-api-key"
    assert int(response.headers["Access-Control-Max-Age"]) > 0


@pytest.mark.parametrize("path", [GENERATE, "/upload/v1beta/files?upload_id=u1", "/v1beta/openai/chat/completions"])
async def test_preflight_is_answered_on_every_path(http: TestClient, path: str) -> None:
    response = await http.options(path, headers={"Origin": ORIGIN, "Access-Control-Request-Method": "PUT"})
    assert response.status == 200 and response.headers["Access-Control-Allow-Origin"] == ORIGIN


async def test_preflight_is_not_journaled(http: TestClient) -> None:
    await http.options(GENERATE, headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"})
    assert (await (await http.get("/_mockgem/requests")).json())["requests"] == []


async def test_options_without_preflight_headers_is_not_found(http: TestClient) -> None:
    assert (await http.options(GENERATE)).status == 404


async def test_generate_carries_cors_headers(http: TestClient) -> None:
    response = await http.post(GENERATE, json=HELLO, headers=BROWSER)
    assert response.status == 200
    assert_cors(response)


@pytest.mark.parametrize("query", ["?alt=sse", ""])
async def test_stream_carries_cors_headers(http: TestClient, query: str) -> None:
    response = await http.post(STREAM + query, json=HELLO, headers=BROWSER)
    assert response.status == 200
    assert_cors(response)
    await response.read()


@pytest.mark.parametrize(
    ("method", "path", "headers", "status"),
    [
        ("POST", GENERATE, {"Origin": ORIGIN}, 403),
        ("POST", "/v1beta/models/no-such-model:generateContent", BROWSER, 404),
        ("GET", "/v1beta/nothing/here", BROWSER, 404),
    ],
)
async def test_error_carries_cors_headers(http: TestClient, method: str, path: str, headers: dict[str, str], status: int) -> None:
    response = await http.request(method, path, json=HELLO, headers=headers)
    assert response.status == status
    assert_cors(response)


async def test_upload_session_carries_cors_headers(http: TestClient) -> None:
    started = await http.post("/upload/v1beta/files", json={"file": {"display_name": "a.txt"}}, headers={**BROWSER, **UPLOAD_START})
    assert_cors(started)
    session = URL(started.headers["X-Goog-Upload-URL"])
    finished = await http.post(
        f"{session.path}?{session.query_string}", data=b"abc",
        headers={"Origin": ORIGIN, "X-Goog-Upload-Command": "upload, finalize", "X-Goog-Upload-Offset": "0"},
    )
    assert finished.status == 200 and finished.headers["X-Goog-Upload-Status"] == "final"
    assert_cors(finished)


async def test_no_origin_means_no_cors_headers(http: TestClient) -> None:
    response = await http.post(GENERATE, json=HELLO, headers={"x-goog-api-key": "k"})
    assert "Access-Control-Allow-Origin" not in response.headers
    assert response.headers["Vary"] == "Origin, X-Origin, Referer"
