"""What aiohttp's HTTP parser refuses reaches the client as a Gemini error and the journal;
a User-Agent sent twice (pydantic-ai over google-genai) is answered."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest

from mockgem import MockGemServer
from mockgem.server.http_errors import fold_repeated_headers

GENERATE = "/v1beta/models/gemini-2.5-flash:generateContent"
BODY = b'{"contents": [{"parts": [{"text": "hi"}]}]}'


@pytest.fixture(scope="module")
def server() -> Iterator[MockGemServer]:
    with MockGemServer(rules={"rules": [{"match": {"contains": "hi"}, "reply": {"text": "hello"}}]}) as running:
        yield running


def exchange(server: MockGemServer, raw: bytes) -> tuple[int, bytes]:
    """Sends `raw` as it is and reads the whole answer (the server closes after an error)."""
    with socket.create_connection(("127.0.0.1", server.port)) as connection:
        connection.sendall(raw)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
            if b"\r\n\r\n" in received and _complete(received):
                break
    head, _, body = received.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body


def _complete(received: bytes) -> bool:
    head, _, body = received.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


def request(headers: bytes, target: str = GENERATE, body: bytes = BODY) -> bytes:
    return (
        f"POST {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nx-goog-api-key: k\r\n".encode()
        + headers + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body
    )


def test_user_agent_sent_twice_is_answered(server: MockGemServer) -> None:
    status, body = exchange(server, request(b"User-Agent: pydantic-ai/1.0\r\nUser-Agent: google-genai-sdk/1.50\r\n"))
    assert status == 200
    assert json.loads(body)["candidates"][0]["content"]["parts"][0]["text"] == "hello"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"NOT HTTP AT ALL\r\n\r\n", "Bad"),
        (request(b"Transfer-Encoding: chunked\r\n"), "Transfer-Encoding"),
        (request(b"Content-Length: 3\r\n"), "Content-Length"),
        (request(b"", target=GENERATE + "?q=" + "a" * 20000), "Got more than"),
        (request(b"Bad Header\r\n"), "Invalid"),
    ],
)
def test_http_layer_refusal_is_a_gemini_error_in_the_journal(server: MockGemServer, raw: bytes, reason: str) -> None:
    server.reset()
    status, body = exchange(server, raw)
    error = json.loads(body)["error"]
    assert (status, error["code"], error["status"]) == (400, 400, "INVALID_ARGUMENT")
    assert error["message"] == "Request contains an invalid argument."
    assert reason in error["details"][0]["fieldViolations"][0]["description"]
    entry = server.requests.last
    assert entry is not None and entry.status == 400 and reason in (entry.miss or "")


def test_fold_repeated_headers_keeps_other_repeats_and_the_order() -> None:
    lines = [b"GET / HTTP/1.1", b"User-Agent: a/1", b"Accept: x", b"user-agent:  b/2 ", b"Accept: y", b""]
    assert fold_repeated_headers(lines) == [b"GET / HTTP/1.1", b"User-Agent: a/1 b/2", b"Accept: x", b"Accept: y", b""]
