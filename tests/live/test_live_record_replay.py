"""A Live session recorded through mockgem from a second mockgem acting as the upstream, then
replayed offline: the same client code gets the same frames, and a client that says something
else is told which recording was closest."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from google.genai import errors, types
from vcr.serialize import deserialize
from vcr.serializers import yamlserializer

from mockgem import MockGemServer
from tests.live.conftest import LIVE_MODEL, LIVE_RULES, live_client

TOOLS = [types.Tool(function_declarations=[types.FunctionDeclaration(name="turn_on_lights", description="Lights on")])]
CONFIG = types.LiveConnectConfig(response_modalities=[types.Modality.TEXT], tools=TOOLS)
Recorded = tuple[Path, list[dict[str, Any]]]


async def conversation(server: MockGemServer, first: str = "What is the weather?") -> list[dict[str, Any]]:
    """A typed turn, then a tool call round trip: every server message as google-genai reads it."""
    seen: list[dict[str, Any]] = []
    async with live_client(server).aio.live.connect(model=LIVE_MODEL, config=CONFIG) as session:
        for text in (first, "Turn on the lights"):
            await session.send_client_content(turns=types.Content(role="user", parts=[types.Part(text=text)]))
            async for message in session.receive():
                seen.append(message.model_dump(exclude_none=True))
                if message.tool_call:
                    call = message.tool_call.function_calls[0]
                    await session.send_tool_response(function_responses=types.FunctionResponse(id=call.id, name=call.name, response={"ok": True}))
    return seen


@pytest.fixture
async def recorded(live_server: Callable[..., MockGemServer], tmp_path: Path) -> Recorded:
    """The cassette directory once a session was recorded, and what the client saw then."""
    upstream = MockGemServer(rules=LIVE_RULES).start()  # plain HTTP: mockgem dials it with ws://
    try:
        recorder = live_server(rules=(), mode="record", upstream=upstream.url, cassette_dir=tmp_path, cassette="live.yaml")
        seen = await conversation(recorder)
        recorder.stop()
    finally:
        upstream.stop()
    return tmp_path, seen


def test_live_recording_is_a_vcrpy_cassette_without_the_key(recorded: Recorded) -> None:
    directory, _ = recorded
    text = (directory / "live.yaml").read_text()
    requests, responses = deserialize(text, yamlserializer)
    assert responses[0]["status"]["code"] == 101
    messages = responses[0]["websocket_messages"]
    assert messages[0]["type"] == "send" and '"setup"' in messages[0]["data"]
    assert {m["type"] for m in messages} == {"send", "receive"}
    assert "test-key" not in text and requests[0].uri.endswith("GenerativeService.BidiGenerateContent")


async def test_live_replay_gives_the_recorded_frames(recorded: Recorded, live_server: Callable[..., MockGemServer]) -> None:
    directory, seen = recorded
    replayer = live_server(rules=(), mode="replay", cassette_dir=directory, cassette="live.yaml")
    assert await conversation(replayer) == seen
    entry = replayer.requests.last
    assert (entry.source, entry.answered_by) == ("cassettes", "live.yaml #1")


async def test_live_replay_closes_a_diverging_client_naming_the_closest_session(recorded: Recorded, live_server: Callable[..., MockGemServer]) -> None:
    directory, _ = recorded
    replayer = live_server(rules=(), mode="replay", cassette_dir=directory, cassette="live.yaml")
    with pytest.raises(errors.APIError) as diverged:
        await conversation(replayer, first="What is the time?")
    assert diverged.value.code == 1008
    assert "client message 2 differs from the closest recording, live.yaml #1" in str(diverged.value)
    miss = replayer.requests.misses[-1].miss or ""
    assert 'message.clientContent.turns[0].parts[0].text: "What is the weather?" -> "What is the time?"' in miss


async def test_live_replay_without_a_matching_setup_is_a_miss(recorded: Recorded, live_server: Callable[..., MockGemServer]) -> None:
    directory, _ = recorded
    replayer = live_server(rules=(), mode="replay", cassette_dir=directory, cassette="live.yaml")
    with pytest.raises(errors.APIError) as missed:
        async with live_client(replayer).aio.live.connect(model=LIVE_MODEL, config=types.LiveConnectConfig(response_modalities=[types.Modality.AUDIO])):
            pass
    assert missed.value.code == 1008 and "the setup differs from the closest recording, live.yaml #1" in str(missed.value)
    assert "message.setup.generationConfig.responseModalities[0]" in (replayer.requests.misses[-1].miss or "")
