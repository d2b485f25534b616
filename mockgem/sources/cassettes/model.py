"""One recorded HTTP exchange, whatever file format it was read from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

Headers = tuple[tuple[str, str], ...]


def header_values(headers: Headers, name: str) -> list[str]:
    wanted = name.lower()
    return [value for key, value in headers if key.lower() == wanted]


def without_headers(headers: Headers, names: frozenset[str]) -> Headers:
    """`headers` minus every header whose lower-cased name is in `names`."""
    return tuple((key, value) for key, value in headers if key.lower() not in names)


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    method: str
    uri: str
    headers: Headers = ()
    body: bytes = b""

    @property
    def target(self) -> str:
        """Path and query, as a server receives them."""
        parts = urlsplit(self.uri)
        return f"{parts.path}?{parts.query}" if parts.query else parts.path


@dataclass(frozen=True, slots=True)
class WebSocketMessage:
    """One frame of a recorded WebSocket session (the Live API), named as Chrome's HAR export
    names them (`_webSocketMessages`): `type` is `send` (client to server) or `receive`, `time`
    the seconds since the upgrade, `opcode` 1 for text, 2 for binary, 8 for a close (with `code`,
    and its reason as `data`)."""

    type: str
    time: float
    opcode: int
    data: bytes = b""
    code: int | None = None


@dataclass(frozen=True, slots=True)
class RecordedResponse:
    """A response; `body` has no content-encoding left (gzip, deflate and br are decoded on load).

    `chunk_offsets` holds, for a stream, each chunk's time in seconds since the response began;
    `websocket_messages`, for a WebSocket upgrade (status 101), every frame of the session.
    """

    status: int
    headers: Headers = ()
    body: bytes = b""
    reason: str = ""
    chunk_offsets: tuple[float, ...] | None = None
    websocket_messages: tuple[WebSocketMessage, ...] | None = None

    def header(self, name: str) -> str | None:
        values = header_values(self.headers, name)
        return values[0] if values else None


@dataclass(frozen=True, slots=True)
class Interaction:
    request: RecordedRequest
    response: RecordedResponse


@dataclass(frozen=True, slots=True)
class Cassette:
    """A loaded file: `name` is its path relative to the cassette directory, `format` its reader."""

    name: str
    path: Path
    interactions: tuple[Interaction, ...]
    format: str = "vcrpy"
