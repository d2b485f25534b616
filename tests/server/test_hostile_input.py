"""Input that used to crash mockgem (issue 17, defects 1 and 2): each gets the real API's 4xx in
its envelope, nothing is stored or journaled that a later read cannot encode, and the server
answers a real google-genai client afterwards."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from google import genai
from google.genai import types

from mockgem import MockGemServer
from mockgem.errors import ConfigError
from tests.raw_http import GENERATE, STREAM, RawAnswer, get, post, request_bytes, send_raw

RULES = {"rules": [{"match": {"contains": "hi"}, "reply": {"text": "hello"}}]}
CACHES = "/v1beta/cachedContents"
CHAT = "/v1beta/openai/chat/completions"
SURROGATE_TEXT = b'{"contents": [{"parts": [{"text": "hi \\ud800"}]}]}'
LONG_TEXT = "word " * 2000


@pytest.fixture(scope="module")
def server() -> Iterator[MockGemServer]:
    with MockGemServer(rules=RULES) as running:
        yield running


@pytest.fixture(autouse=True)
def still_answers(server: MockGemServer) -> Iterator[None]:
    """Whatever the test sent, a real client is answered afterwards and the journal reads."""
    yield
    client = genai.Client(api_key="k", http_options=types.HttpOptions(base_url=server.url))
    assert client.models.generate_content(model="gemini-2.5-flash", contents="hi").text == "hello"
    journal = get(server.port, "/_mockgem/requests")
    assert journal.status == 200 and isinstance(journal.json()["requests"], list)


def assert_refused(answer: RawAnswer, status: int = 400, text: str = "") -> None:
    assert answer.status == status, answer.body[:300]
    assert answer.header("Content-Type", ).startswith("application/json")  # type: ignore[union-attr]
    error = answer.error()
    assert error["code"] == status and text in json.dumps(error)


def cache_body(text: str) -> bytes:
    return ('{"model": "models/gemini-2.5-flash", "contents": [{"role": "user", "parts": [{"text": "' + text + '"}]}]}').encode()


@pytest.mark.parametrize(
    ("target", "body"),
    [
        (GENERATE, SURROGATE_TEXT),
        (STREAM, SURROGATE_TEXT),
        (GENERATE.replace("generateContent", "countTokens"), SURROGATE_TEXT),
        (CHAT, b'{"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "hi \\udfff"}]}'),
        (CACHES, cache_body("\\ud800")),
    ],
    ids=["generate", "stream", "countTokens", "chat", "cachedContents"],
)
def test_lone_surrogate_is_the_real_400(server: MockGemServer, target: str, body: bytes) -> None:
    assert_refused(post(server.port, target, body), text="Invalid JSON payload received.")


def test_int32_field_past_its_range_is_the_real_400(server: MockGemServer) -> None:
    body = b'{"contents": [{"parts": [{"text": "hi"}]}], "generationConfig": {"maxOutputTokens": 99999999999999999999999}}'
    assert_refused(post(server.port, GENERATE, body), text="(TYPE_INT32)")


def test_integer_past_64_bits_in_function_args_is_answered_and_journaled(server: MockGemServer) -> None:
    body = (b'{"contents": [{"parts": [{"text": "hi"}]}, {"role": "model", "parts": [{"functionCall": '
            b'{"name": "f", "args": {"n": 99999999999999999999999}}}]}, {"parts": [{"text": "hi"}]}]}')
    assert post(server.port, GENERATE, body).status == 200
    entry = server.requests.last
    assert entry is not None and entry.body is not None
    assert entry.body["contents"][1]["parts"][0]["functionCall"]["args"]["n"] == pytest.approx(1e23)


def test_refused_cache_is_never_stored_across_a_restart(tmp_path: Path) -> None:
    with MockGemServer(rules=RULES, state_dir=tmp_path) as first:
        assert_refused(post(first.port, CACHES, cache_body(LONG_TEXT + "\\ud800")))
        assert post(first.port, CACHES, cache_body(LONG_TEXT)).status == 200
    with MockGemServer(rules=RULES, state_dir=tmp_path) as second:
        listed = get(second.port, CACHES)
        assert listed.status == 200 and len(listed.json()["cachedContents"]) == 1


@pytest.mark.parametrize("target", [GENERATE, STREAM, CHAT, "/_mockgem/rules", "/_mockgem/faults"])
def test_nesting_past_the_api_depth_is_400(server: MockGemServer, target: str) -> None:
    deep = b'{"contents": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"
    method = "PUT" if target.endswith("faults") else "POST"
    answer = send_raw(server.port, request_bytes(method, target, deep))
    assert_refused(answer, text="" if target.endswith("rules") else "too deep")


def test_body_its_content_encoding_does_not_decode_is_400(server: MockGemServer) -> None:
    assert_refused(post(server.port, GENERATE, b"not gzip at all", **{"Content-Encoding": "gzip"}), text="could not be decoded")


def offset_token(offset: str) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "target",
    [
        "/v1beta/files?pageSize=%C2%B2",  # superscript two: str.isdigit() says yes, int() says no
        "/v1beta/files?pageSize=%D9%A1%D9%A0",  # Arabic-Indic "10"
        f"/v1beta/cachedContents?pageSize={'9' * 5000}",
        "/v1beta/batches?page_size=1e3",
        "/v1beta/models?pageSize=%C2%B2",
        f"/v1beta/files?pageToken={offset_token('²')}",
        f"/v1beta/cachedContents?pageToken={offset_token('9' * 5000)}",
        f"/_mockgem/requests?limit={'9' * 5000}",
        "/_mockgem/requests?limit=%C2%B2",
    ],
)
def test_number_in_a_query_is_ascii_digits_within_bounds(server: MockGemServer, target: str) -> None:
    assert_refused(get(server.port, target))


@pytest.mark.parametrize("offset", ["²", "١", "9" * 5000, "-1"])
def test_upload_offset_is_ascii_digits_within_bounds(server: MockGemServer, offset: str) -> None:
    start = post(server.port, "/upload/v1beta/files", b'{"file": {"displayName": "x"}}',
                 **{"X-Goog-Upload-Protocol": "resumable", "X-Goog-Upload-Command": "start", "X-Goog-Upload-Header-Content-Length": "²"})
    assert start.status == 200
    session = (start.header("X-Goog-Upload-URL") or "").split("127.0.0.1", 1)[1].split("/", 1)[1]
    answer = send_raw(server.port, request_bytes("POST", "/" + session, b"abc", {"X-Goog-Upload-Command": "upload", "X-Goog-Upload-Offset": offset}))
    assert_refused(answer, text="X-Goog-Upload-Offset")
    assert answer.header("X-Goog-Upload-Status") == "active"


@pytest.mark.parametrize(
    ("method", "target", "body", "headers"),
    [
        ("PUT", "/_mockgem/faults", b'{"faults": [], "seed": 1180591620717411303424}', {}),
        ("PUT", "/_mockgem/faults", b'{"faults": [], "seed": -1}', {}),
        ("PUT", "/_mockgem/faults", b'{"faults": [], "seed": true}', {}),
        ("PUT", "/_mockgem/cassette", b'{"name": "x\\ud800"}', {}),
        ("PUT", "/_mockgem/cassette", '{"name": "x\u0007"}'.encode(), {}),
        ("POST", GENERATE, b'{"contents": [{"parts": [{"text": "hi"}]}]}', {"X-Mockgem-Cassette": "name\udced\udca0\udc80"}),
    ],
    ids=["seed-past-64-bits", "negative-seed", "seed-true", "cassette-surrogate", "cassette-control", "header-cassette-undecodable"],
)
def test_admin_state_that_could_not_be_read_back_is_refused(server: MockGemServer, method: str, target: str, body: bytes, headers: dict[str, str]) -> None:
    assert_refused(send_raw(server.port, request_bytes(method, target, body, headers)))
    assert get(server.port, "/_mockgem/faults").status == 200
    assert get(server.port, "/_mockgem/cassettes").status == 200


@pytest.mark.parametrize("term", ["429=" + "9" * 400 + "s", "latency=" + "9" * 400 + "ms", "stall=90000s", "ttfb=1s.." + "9" * 309 + "s"])
def test_fault_duration_past_a_day_is_400(server: MockGemServer, term: str) -> None:
    answer = post(server.port, GENERATE, b'{"contents": [{"parts": [{"text": "hi"}]}]}', **{"X-Mockgem-Fault": term})
    assert_refused(answer, text="longer than 24h")
    admin = send_raw(server.port, request_bytes("PUT", "/_mockgem/faults", json.dumps({"faults": [term]}).encode()))
    assert_refused(admin, text="longer than 24h")


def test_rules_holding_an_integer_past_64_bits_are_refused_when_loaded(server: MockGemServer) -> None:
    with pytest.raises(ConfigError, match="no JSON answer can carry"):
        MockGemServer(rules={"rules": [{"reply": {"raw": {"n": 2**70}}}]}).start()
    answer = post(server.port, "/_mockgem/rules", b"rules:\n  - reply: {raw: {n: 1180591620717411303424}}\n")
    assert_refused(answer, text="no JSON answer can carry")


@pytest.mark.parametrize(
    ("raw", "status", "text"),
    [
        (b"FOO /v1beta/models HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 404, "Method not found."),
        (b"G@T /v1beta/models HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 400, "Bad HTTP method"),
        (b"GET /v1beta/models?q=" + b"a" * 8200 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 400, "Got more than"),
        (request_bytes("POST", GENERATE, b"{}", {"Transfer-Encoding": "chunked"}), 400, "Transfer-Encoding"),
    ],
    ids=["unknown-method", "method-not-a-token", "8KB-url", "content-length-and-transfer-encoding"],
)
def test_malformed_http_gets_the_gemini_envelope(server: MockGemServer, raw: bytes, status: int, text: str) -> None:
    assert_refused(send_raw(server.port, raw), status, text)


def test_pretty_print_false_on_a_body_that_is_no_json_still_answers(server: MockGemServer) -> None:
    answer = post(server.port, GENERATE + "?prettyPrint=false", b'{"contents": [{"parts": [{"text": "hi"}]}]}', **{"X-Mockgem-Fault": "malformed-at=0"})
    assert answer.status == 200 and answer.body.startswith(b'{\n  "candidates"')
