"""A Live session relayed to the upstream, frame for frame, and written down when recording.

Client messages go up as they were sent (text or binary, same bytes); the upstream's frames
and its close come back unchanged. When recording, every frame both ways and the close go into
one interaction, the upgrade's request with the frames in its response (`websocket_messages`),
handed to the recorder when the session ends; the cassette store redacts keys and tokens
(the URL's `key` and `access_token`, the `Authorization` and `x-goog-api-key` headers).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp

from mockgem.protocol.live.closes import LiveClose
from mockgem.protocol.live.messages import ClientMessage
from mockgem.sources.cassettes.model import Headers, Interaction, RecordedRequest, RecordedResponse, WebSocketMessage
from mockgem.sources.live.base import Outgoing

SessionRecorder = Callable[[Interaction], Awaitable[None]]
_UPSTREAM_GONE = 1006


class UpstreamConversation:
    source = "upstream"
    origin = "upstream"
    miss: str | None = None

    def __init__(self, socket: aiohttp.ClientWebSocketResponse, sent: RecordedRequest, recorder: SessionRecorder | None = None) -> None:
        self.socket, self.sent, self.recorder = socket, sent, recorder
        self.started = time.monotonic()
        self.messages: list[WebSocketMessage] = []
        self._recorded = False

    async def hear(self, message: ClientMessage) -> None:
        self._note("send", 2 if message.binary else 1, message.raw)
        if message.binary:
            await self.socket.send_bytes(message.raw)
        else:
            await self.socket.send_str(message.raw.decode())

    async def outgoing(self) -> AsyncIterator[Outgoing]:
        while True:
            received = await self.socket.receive()
            if received.type is aiohttp.WSMsgType.BINARY:
                self._note("receive", 2, received.data)
                yield Outgoing(received.data)
            elif received.type is aiohttp.WSMsgType.TEXT:
                self._note("receive", 1, received.data.encode())
                yield Outgoing(received.data.encode(), text=True)
            else:
                yield Outgoing.closing(self._closed(received))
                return

    def _closed(self, received: aiohttp.WSMessage) -> LiveClose:
        code = received.data if received.type is aiohttp.WSMsgType.CLOSE and isinstance(received.data, int) else self.socket.close_code
        reason = received.extra if isinstance(received.extra, str) else ""
        close = LiveClose(code or _UPSTREAM_GONE, reason)
        self._note("receive", 8, reason.encode(), close.code)
        return close

    async def end(self) -> None:
        if not self.socket.closed:
            await self.socket.close()
        if self.recorder is not None and not self._recorded:
            self._recorded = True
            await self.recorder(self.interaction())

    def interaction(self) -> Interaction:
        headers: Headers = (("upgrade", "websocket"),)
        response = RecordedResponse(101, headers, b"", "Switching Protocols", websocket_messages=tuple(self.messages))
        return Interaction(self.sent, response)

    def _note(self, kind: str, opcode: int, data: bytes, code: int | None = None) -> None:
        self.messages.append(WebSocketMessage(kind, time.monotonic() - self.started, opcode, data, code))
