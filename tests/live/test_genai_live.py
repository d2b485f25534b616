"""google-genai's `client.aio.live.connect` against scripted sessions, over real TLS sockets."""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest
from google.genai import errors, types

from mockgem import MockGemServer
from tests.live.conftest import LIVE_MODEL, live_client

TEXT = types.LiveConnectConfig(response_modalities=[types.Modality.TEXT])


async def receive_turn(session: object) -> list[types.LiveServerMessage]:
    return [message async for message in session.receive()]  # type: ignore[attr-defined]


async def test_live_text_turn_streams_the_scripted_reply(live_server: Callable[..., MockGemServer]) -> None:
    server = live_server()
    async with live_client(server).aio.live.connect(model=LIVE_MODEL, config=TEXT) as session:
        await session.send_client_content(turns=types.Content(role="user", parts=[types.Part(text="What is the weather?")]))
        messages = await receive_turn(session)
    assert "".join(m.text or "" for m in messages) == "Sunny and 21 degrees in Paris today."
    assert sum(1 for m in messages if m.text) == 3
    assert messages[-1].server_content and messages[-1].server_content.turn_complete
    assert messages[-1].usage_metadata and messages[-1].usage_metadata.response_token_count
    assert any(m.server_content and m.server_content.generation_complete for m in messages)


async def test_live_audio_turn_gets_pcm_whose_length_follows_the_text(live_server: Callable[..., MockGemServer]) -> None:
    server = live_server()
    config = types.LiveConnectConfig(response_modalities=[types.Modality.AUDIO], output_audio_transcription=types.AudioTranscriptionConfig())
    async with live_client(server).aio.live.connect(model=LIVE_MODEL, config=config) as session:
        await session.send_client_content(turns=types.Content(role="user", parts=[types.Part(text="What is the weather?")]))
        messages = await receive_turn(session)
    audio = b"".join(m.data for m in messages if m.data)
    assert len(audio) == len("Sunny and 21 degrees in Paris today.") * 1200 * 2  # 50 ms a character at 24 kHz
    parts = [p for m in messages if m.server_content and m.server_content.model_turn for p in m.server_content.model_turn.parts or []]
    assert {p.inline_data.mime_type for p in parts if p.inline_data} == {"audio/pcm;rate=24000"}
    heard = "".join(m.server_content.output_transcription.text or "" for m in messages if m.server_content and m.server_content.output_transcription)
    assert heard == "Sunny and 21 degrees in Paris today."


async def test_live_spoken_turn_is_answered_at_audio_stream_end(live_server: Callable[..., MockGemServer]) -> None:
    server = live_server()
    config = types.LiveConnectConfig(response_modalities=[types.Modality.TEXT], input_audio_transcription=types.AudioTranscriptionConfig())
    async with live_client(server).aio.live.connect(model=LIVE_MODEL, config=config) as session:
        await session.send_realtime_input(audio=types.Blob(data=bytes(32000), mime_type="audio/pcm;rate=16000"))
        await session.send_realtime_input(audio_stream_end=True)
        messages = await receive_turn(session)
    assert "".join(m.text or "" for m in messages) == "I heard you."
    assert any(m.server_content and m.server_content.input_transcription and m.server_content.input_transcription.text == "hello there" for m in messages)
    assert messages[-1].usage_metadata.prompt_tokens_details[0].modality == types.MediaModality.AUDIO


async def test_live_tool_call_round_trip(live_server: Callable[..., MockGemServer]) -> None:
    server = live_server()
    tools = [types.Tool(function_declarations=[types.FunctionDeclaration(name="turn_on_lights", description="Lights on")])]
    config = types.LiveConnectConfig(response_modalities=[types.Modality.TEXT], tools=tools)
    texts: list[str] = []
    async with live_client(server).aio.live.connect(model=LIVE_MODEL, config=config) as session:
        await session.send_client_content(turns=types.Content(role="user", parts=[types.Part(text="Turn on the lights")]))
        async for message in session.receive():
            if message.tool_call:
                call = message.tool_call.function_calls[0]
                assert (call.name, call.args) == ("turn_on_lights", {"room": "hall"})
                await session.send_tool_response(function_responses=types.FunctionResponse(id=call.id, name=call.name, response={"ok": True}))
            texts.append(message.text or "")
    assert "".join(texts) == "The hall lights are on."
    sent = [frame["message"] for frame in server.requests.last.frames if frame["from"] == "client" and "message" in frame]
    assert sent[-1]["tool_response"]["functionResponses"][0]["response"] == {"ok": True}


async def test_live_session_resumes_from_the_handle_it_was_given(live_server: Callable[..., MockGemServer]) -> None:
    server = live_server()
    client = live_client(server)
    config = types.LiveConnectConfig(response_modalities=[types.Modality.TEXT], session_resumption=types.SessionResumptionConfig())
    async with client.aio.live.connect(model=LIVE_MODEL, config=config) as session:
        await session.send_client_content(turns=types.Content(role="user", parts=[types.Part(text="weather?")]))
        updates = [m.session_resumption_update for m in await receive_turn(session) if m.session_resumption_update]
    assert not updates  # the update follows the turnComplete that ends `receive`
    async with client.aio.live.connect(model=LIVE_MODEL, config=config) as session:
        await session.send_client_content(turns=types.Content(role="user", parts=[types.Part(text="weather?")]))
        await receive_turn(session)
        update = await session._receive()
    assert update.session_resumption_update and update.session_resumption_update.resumable
    resumed = types.LiveConnectConfig(response_modalities=[types.Modality.TEXT], session_resumption=types.SessionResumptionConfig(handle=update.session_resumption_update.new_handle))
    async with client.aio.live.connect(model=LIVE_MODEL, config=resumed) as session:
        await session.send_client_content(turns=types.Content(role="user", parts=[types.Part(text="hello again")]))
        assert "".join(m.text or "" for m in await receive_turn(session)) == "Welcome back."


async def test_live_unknown_resumption_handle_closes_the_session(live_server: Callable[..., MockGemServer]) -> None:
    server = live_server()
    config = types.LiveConnectConfig(response_modalities=[types.Modality.TEXT], session_resumption=types.SessionResumptionConfig(handle="nope"))
    with pytest.raises(errors.APIError) as refused:
        async with live_client(server).aio.live.connect(model=LIVE_MODEL, config=config):
            pass
    assert refused.value.code == 1008


@pytest.mark.parametrize(("model", "api_key", "code", "reason"), [
    ("gemini-2.5-flash", "test-key", 1008, "models/gemini-2.5-flash is not found for API version v1, or is not supported for bidiGenerateContent. Call ListModels to se"),
    (LIVE_MODEL, "wrong-key", 1007, "API key not valid. Please pass a valid API key."),
])
async def test_live_refused_setup_closes_with_the_service_code(live_server: Callable[..., MockGemServer], model: str, api_key: str, code: int, reason: str) -> None:
    server = live_server(api_keys=("test-key",))
    client = live_client(server, api_key=api_key)
    with pytest.raises(errors.APIError) as refused:
        async with client.aio.live.connect(model=model, config=TEXT) as session:
            await session._receive()
    assert refused.value.code == code
    assert reason in str(refused.value)


async def test_live_vertex_session_with_a_bearer_token(live_server: Callable[..., MockGemServer]) -> None:
    from google import genai
    from google.oauth2.credentials import Credentials

    server = live_server()
    client = genai.Client(vertexai=True, project="test-project", location="us-central1", credentials=Credentials(token="fake-token"),
                          http_options=types.HttpOptions(base_url=server.url))
    async with client.aio.live.connect(model=LIVE_MODEL, config=TEXT) as session:
        await session.send_client_content(turns=types.Content(role="user", parts=[types.Part(text="weather?")]))
        messages = await receive_turn(session)
    assert "".join(m.text or "" for m in messages) == "Sunny and 21 degrees in Paris today."
    assert messages[-1].usage_metadata and messages[-1].usage_metadata.response_token_count == 9
    entry = server.requests.last
    assert entry.path == "/ws/google.cloud.aiplatform.v1beta1.LlmBidiService/BidiGenerateContent" and entry.surface == "vertex"
