"""The Live API's wire, seen from a bare WebSocket client (`websockets`, as google-genai uses)."""

from __future__ import annotations

import json
import ssl
from collections.abc import Callable
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from mockgem import MockGemServer
from tests.live.conftest import LIVE_MODEL

PATH = "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent"
SETUP = {"setup": {"model": f"models/{LIVE_MODEL}", "generationConfig": {"responseModalities": ["TEXT"]}}}


def trusting(server: MockGemServer) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(server.ca_bundle))


def url_of(server: MockGemServer, query: str = "?key=test-key") -> str:
    return server.url.replace("https://", "wss://") + PATH + query


async def session_frames(server: MockGemServer, *messages: Any, query: str = "?key=test-key") -> tuple[list[Any], int | None, str]:
    """Each message sent in turn; every server frame until a turn completes or the socket closes."""
    received: list[Any] = []
    async with connect(url_of(server, query), ssl=trusting(server)) as socket:
        try:
            for message in messages:
                await socket.send(message if isinstance(message, str | bytes) else json.dumps(message))
            while not (received and '"turnComplete"' in json.dumps(received[-1])):
                frame = await socket.recv()
                assert isinstance(frame, bytes)  # JSON in binary frames, as the service sends them
                received.append(json.loads(frame))
        except ConnectionClosed as closed:
            return received, closed.rcvd.code if closed.rcvd else None, closed.rcvd.reason if closed.rcvd else ""
    return received, None, ""


@pytest.mark.parametrize("kind", ["client_content", "clientContent"])
async def test_live_wire_takes_both_spellings_of_a_message(live_server: Callable[..., MockGemServer], kind: str) -> None:
    turn = {kind: {"turns": [{"role": "user", "parts": [{"text": "weather?"}]}], "turn_complete": True}}
    frames, _, _ = await session_frames(live_server(), SETUP, turn)
    assert frames[0] == {"setupComplete": {}}
    assert "".join(f["serverContent"]["modelTurn"]["parts"][0]["text"] for f in frames if "modelTurn" in f.get("serverContent", {})) == "Sunny and 21 degrees in Paris today."


@pytest.mark.parametrize(("first", "query", "code", "reason"), [
    ("not json", "?key=test-key", 1007, "Invalid JSON payload received. Unexpected token."),
    ({"setup": {}, "bogus": {}}, "?key=test-key", 1007, 'Invalid JSON payload received. Unknown name "bogus": Cannot find field.'),
    ({"clientContent": {"turnComplete": True}}, "?key=test-key", 1007, "Request contains an invalid argument."),
    (SETUP, "", 1008, "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API c"),
])
async def test_live_wire_refuses_a_bad_start_with_the_service_close(live_server: Callable[..., MockGemServer], first: Any, query: str, code: int, reason: str) -> None:
    frames, closed_code, closed_reason = await session_frames(live_server(), first, query=query)
    assert (frames, closed_code, closed_reason) == ([], code, reason)


async def test_live_wire_journals_the_session_as_one_entry_with_its_frames(live_server: Callable[..., MockGemServer]) -> None:
    server = live_server()
    await session_frames(server, SETUP, {"realtimeInput": {"text": "weather?"}})
    entry = server.requests.last
    assert (entry.action, entry.model, entry.source, entry.answered_by, entry.status) == ("BidiGenerateContent", LIVE_MODEL, "rules", "live rule 0 in <rules>", 101)
    sides = [frame["from"] for frame in entry.frames]
    assert sides[0] == "client" and sides.count("client") >= 2  # the setup, the text (then the close)
    served = [frame["message"] for frame in entry.to_json()["frames"] if frame["from"] == "server" and "message" in frame]
    assert served[0] == {"setupComplete": {}} and "turnComplete" in served[-1]["serverContent"]
