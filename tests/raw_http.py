"""Bytes on a socket, as an attacker (or a broken client) sends them, and the answer read back."""

from __future__ import annotations

import json
import re
import socket
from dataclasses import dataclass
from typing import Any

GENERATE = "/v1beta/models/gemini-2.5-flash:generateContent"
STREAM = "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
_LENGTH = re.compile(rb"^content-length:\s*(\d+)\s*$", re.IGNORECASE | re.MULTILINE)


@dataclass
class RawAnswer:
    status: int
    head: bytes
    body: bytes

    def header(self, name: str) -> str | None:
        for line in self.head.split(b"\r\n")[1:]:
            key, _, value = line.partition(b":")
            if key.strip().lower() == name.lower().encode():
                return value.strip().decode("latin-1")
        return None

    def json(self) -> Any:
        return json.loads(self.body)

    def error(self) -> dict[str, Any]:
        """The Gemini error envelope's `error` (from the list form too)."""
        value = self.json()
        envelope = value[0] if isinstance(value, list) else value
        error: dict[str, Any] = envelope["error"]
        return error


def request_bytes(method: str, target: str, body: bytes = b"", headers: dict[str, str] | None = None, *, host: str = "127.0.0.1") -> bytes:
    sent = {"Host": host, "x-goog-api-key": "k", "Content-Type": "application/json", **(headers or {})}
    head = f"{method} {target} HTTP/1.1\r\n" + "".join(f"{name}: {value}\r\n" for name, value in sent.items())
    return head.encode("utf-8", "surrogateescape") + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body


def send_raw(port: int, data: bytes, *, timeout: float = 30.0) -> RawAnswer:
    """Sends `data` and reads until the answer is complete or the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(data)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
            if _complete(received):
                break
    head, _, body = received.partition(b"\r\n\r\n")
    if b"transfer-encoding: chunked" in head.lower():
        body = _unchunked(body)
    return RawAnswer(int(head.split(b" ")[1]), head, body)


def _complete(received: bytes) -> bool:
    head, separator, body = received.partition(b"\r\n\r\n")
    found = _LENGTH.search(head)
    return bool(separator) and found is not None and len(body) >= int(found.group(1))


def _unchunked(body: bytes) -> bytes:
    out, rest = b"", body
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out, rest = out + rest[:size], rest[size + 2 :]
    return out


def post(port: int, target: str, body: bytes, **headers: str) -> RawAnswer:
    return send_raw(port, request_bytes("POST", target, body, headers))


def get(port: int, target: str, **headers: str) -> RawAnswer:
    return send_raw(port, request_bytes("GET", target, headers=headers))
