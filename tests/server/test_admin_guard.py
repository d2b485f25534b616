"""No way in from a web page (issue 17, defect 5): the admin API is same-origin only, answers
only its own Host (DNS rebinding), and with --admin-token asks for it; the API itself keeps
answering browsers with CORS as the real one does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mockgem import MockGemServer
from tests.raw_http import GENERATE, get, request_bytes, send_raw

RULES = {"rules": [{"match": {"contains": "hi"}, "reply": {"text": "hello"}}]}
PAGE = "http://evil.example"
TOKEN = "s3cret-admin-token"


@pytest.fixture(scope="module")
def server() -> Iterator[MockGemServer]:
    with MockGemServer(rules=RULES) as running:
        yield running


def own_origin(server: MockGemServer) -> str:
    return f"http://127.0.0.1:{server.port}"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [("GET", "/_mockgem/requests", b""), ("POST", "/_mockgem/rules", b"rules: []"), ("POST", "/_mockgem/reset", b""), ("GET", "/_mockgem/health", b"")],
)
@pytest.mark.parametrize(
    "headers",
    [{"Origin": PAGE}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"}, {"Origin": "http://localhost:5173"}],
    ids=["other-origin", "opaque-origin", "fetch-metadata", "other-port"],
)
def test_admin_refuses_another_origin_without_cors(server: MockGemServer, method: str, path: str, body: bytes, headers: dict[str, str]) -> None:
    answer = send_raw(server.port, request_bytes(method, path, body, {**headers, "Content-Type": "text/plain"}))
    assert answer.status == 403 and answer.error()["status"] == "PERMISSION_DENIED"
    assert answer.header("Access-Control-Allow-Origin") is None


def test_admin_preflight_is_refused_without_cors(server: MockGemServer) -> None:
    headers = {"Origin": PAGE, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    answer = send_raw(server.port, request_bytes("OPTIONS", "/_mockgem/rules", headers=headers))
    assert answer.status == 403
    assert answer.header("Access-Control-Allow-Origin") is None and answer.header("Access-Control-Allow-Methods") is None


def test_admin_answers_its_own_origin_and_tools_without_one(server: MockGemServer) -> None:
    own = request_bytes("GET", "/_mockgem/health", headers={"Origin": own_origin(server)}, host=f"127.0.0.1:{server.port}")
    assert send_raw(server.port, own).status == 200
    assert get(server.port, "/_mockgem/health", **{"Sec-Fetch-Site": "same-origin"}).status == 200
    assert get(server.port, "/_mockgem/health").status == 200  # curl, the SDK tests, the pytest plugin


@pytest.mark.parametrize("host", ["rebound.evil.example", "rebound.evil.example:8080", "127.0.0.1.nip.io"])
def test_admin_refuses_a_host_that_is_not_its_address(server: MockGemServer, host: str) -> None:
    answer = send_raw(server.port, request_bytes("GET", "/_mockgem/requests", host=host))
    assert answer.status == 403 and "DNS" in answer.error()["message"]


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost:9", "LOCALHOST", "app.localhost", "[::1]:8080", "10.0.0.7"])
def test_admin_answers_an_address_of_its_own(server: MockGemServer, host: str) -> None:
    assert send_raw(server.port, request_bytes("GET", "/_mockgem/health", host=host)).status == 200


def test_api_still_answers_any_origin_with_cors(server: MockGemServer) -> None:
    answer = send_raw(server.port, request_bytes("POST", GENERATE, b'{"contents": [{"parts": [{"text": "hi"}]}]}', {"Origin": PAGE}))
    assert answer.status == 200 and answer.header("Access-Control-Allow-Origin") == PAGE
    preflight = send_raw(server.port, request_bytes("OPTIONS", GENERATE, headers={"Origin": PAGE, "Access-Control-Request-Method": "POST"}))
    assert preflight.status == 200 and preflight.header("Access-Control-Allow-Origin") == PAGE


@pytest.fixture(scope="module")
def guarded() -> Iterator[MockGemServer]:
    with MockGemServer(rules=RULES, admin_token=TOKEN) as running:
        yield running


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-token-x"}, {"X-Mockgem-Admin-Token": TOKEN[:-1]}])
def test_admin_token_is_asked_when_set(guarded: MockGemServer, headers: dict[str, str]) -> None:
    answer = send_raw(guarded.port, request_bytes("GET", "/_mockgem/requests", headers=headers))
    assert answer.status == 401 and answer.error()["status"] == "UNAUTHENTICATED"


@pytest.mark.parametrize("headers", [{"Authorization": f"Bearer {TOKEN}"}, {"X-Mockgem-Admin-Token": TOKEN}])
def test_admin_token_lets_in_under_any_name(guarded: MockGemServer, headers: dict[str, str]) -> None:
    answer = send_raw(guarded.port, request_bytes("GET", "/_mockgem/requests", headers=headers, host="mockgem.internal:8080"))
    assert answer.status == 200


def test_admin_token_is_not_needed_by_the_api(guarded: MockGemServer) -> None:
    assert send_raw(guarded.port, request_bytes("POST", GENERATE, b'{"contents": [{"parts": [{"text": "hi"}]}]}')).status == 200
