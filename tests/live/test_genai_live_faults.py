"""Faults, quotas, interruptions and ephemeral tokens, as google-genai's live client sees them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from google import genai
from google.genai import errors, types

from mockgem import MockGemServer
from tests.live.conftest import LIVE_MODEL, live_client

TEXT = types.LiveConnectConfig(response_modalities=[types.Modality.TEXT])


def with_faults(server: MockGemServer, faults: str) -> genai.Client:
    options = types.HttpOptions(base_url=server.url, headers={"X-Mockgem-Fault": faults})
    return genai.Client(api_key="test-key", http_options=options)


async def test_live_socket_drops_mid_turn_after_the_rules_cut(live_server: Callable[..., MockGemServer]) -> None:
    server = live_server()
    texts: list[str] = []
    async with live_client(server).aio.live.connect(model=LIVE_MODEL, config=TEXT) as session:
        await session.send_client_content(turns=types.Content(role="user", parts=[types.Part(text="drop it")]))
        with pytest.raises(errors.APIError) as dropped:
            async for message in session.receive():
                texts.append(message.text or "")
    assert dropped.value.code == 1006
    assert texts == ["one ", "two "]
    entry = server.requests.last
    assert entry.status is None and entry.frames[-1]["close"]["code"] == 1006


@pytest.mark.parametrize(("fault", "code", "reason"), [
    ("429", 1011, "You exceeded your current quota"),
    ("503", 1011, "The service is currently unavailable."),
])
async def test_live_setup_refused_by_a_fault(live_server: Callable[..., MockGemServer], fault: str, code: int, reason: str) -> None:
    server = live_server()
    with pytest.raises(errors.APIError) as refused:
        async with with_faults(server, fault).aio.live.connect(model=LIVE_MODEL, config=TEXT):
            pass
    assert refused.value.code == code and reason in str(refused.value)


async def test_live_session_quota_refuses_the_session_over_it(live_server: Callable[..., MockGemServer]) -> None:
    server = live_server(quotas=(f"{LIVE_MODEL}:rpm=1",))
    client = live_client(server)
    async with client.aio.live.connect(model=LIVE_MODEL, config=TEXT):
        pass
    with pytest.raises(errors.APIError) as refused:
        async with client.aio.live.connect(model=LIVE_MODEL, config=TEXT):
            pass
    assert refused.value.code == 1011 and "quota" in str(refused.value)


async def test_live_concurrent_session_limit_refuses_one_more_while_open(live_server: Callable[..., MockGemServer]) -> None:
    server = live_server(quotas=(f"{LIVE_MODEL}:sessions=1",))
    client = live_client(server)
    async with client.aio.live.connect(model=LIVE_MODEL, config=TEXT):
        with pytest.raises(errors.APIError) as refused:
            async with client.aio.live.connect(model=LIVE_MODEL, config=TEXT):
                pass
    assert refused.value.code == 1011
    async with client.aio.live.connect(model=LIVE_MODEL, config=TEXT) as session:  # the first one closed
        await session.send_client_content(turns=types.Content(role="user", parts=[types.Part(text="weather")]))
        assert [m async for m in session.receive()]


async def test_live_go_away_fault_tells_the_time_left(live_server: Callable[..., MockGemServer]) -> None:
    server = live_server()
    async with with_faults(server, "goaway=5s").aio.live.connect(model=LIVE_MODEL, config=TEXT) as session:
        message = await session._receive()
    assert message.go_away and message.go_away.time_left == "5s"


async def test_live_speech_over_a_reply_interrupts_it(live_server: Callable[..., MockGemServer]) -> None:
    server = live_server()
    seen: list[types.LiveServerMessage] = []
    async with live_client(server).aio.live.connect(model=LIVE_MODEL, config=TEXT) as session:
        await session.send_client_content(turns=types.Content(role="user", parts=[types.Part(text="tell me a long story")]))
        seen.append(await session._receive())
        await session.send_realtime_input(audio=types.Blob(data=bytes(3200), mime_type="audio/pcm;rate=16000"))
        while not (seen[-1].server_content and seen[-1].server_content.interrupted):
            seen.append(await session._receive())
    assert seen[0].text == "Once upon "
    assert len([m for m in seen if m.text]) < 8


async def test_live_speech_instead_of_a_tool_response_cancels_the_call(live_server: Callable[..., MockGemServer]) -> None:
    server = live_server()
    tools = [types.Tool(function_declarations=[types.FunctionDeclaration(name="turn_on_lights", description="Lights on")])]
    config = types.LiveConnectConfig(response_modalities=[types.Modality.TEXT], tools=tools)
    async with live_client(server).aio.live.connect(model=LIVE_MODEL, config=config) as session:
        await session.send_client_content(turns=types.Content(role="user", parts=[types.Part(text="Turn on the lights")]))
        call = (await session._receive()).tool_call
        await session.send_realtime_input(audio=types.Blob(data=bytes(3200), mime_type="audio/pcm;rate=16000"))
        cancelled = (await session._receive()).tool_call_cancellation
    assert call and cancelled and cancelled.ids == [call.function_calls[0].id]


@pytest.mark.filterwarnings("ignore::google.genai.errors.ExperimentalWarning")
async def test_live_ephemeral_token_starts_its_sessions_with_locked_settings(live_server: Callable[..., MockGemServer]) -> None:
    server = live_server()
    constraints = types.LiveConnectConstraints(model=LIVE_MODEL, config=types.LiveConnectConfig(response_modalities=[types.Modality.TEXT]))
    issuer = live_client(server, api_version="v1alpha")
    token = issuer.auth_tokens.create(config=types.CreateAuthTokenConfig(uses=1, live_connect_constraints=constraints))
    assert token.name and token.name.startswith("auth_tokens/")
    holder = live_client(server, api_key=token.name, api_version="v1alpha")
    audio = types.LiveConnectConfig(response_modalities=[types.Modality.AUDIO])
    async with holder.aio.live.connect(model=LIVE_MODEL, config=audio) as session:
        await session.send_client_content(turns=types.Content(role="user", parts=[types.Part(text="weather?")]))
        texts = [m.text async for m in session.receive() if m.text]
    assert "".join(texts) == "Sunny and 21 degrees in Paris today."  # TEXT, as the token locks it
    assert server.requests.last.path.endswith("BidiGenerateContentConstrained")
    with pytest.raises(errors.APIError) as spent:
        async with holder.aio.live.connect(model=LIVE_MODEL, config=audio):
            pass
    assert spent.value.code == 1008
