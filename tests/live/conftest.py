"""Live API servers: mockgem with TLS (google-genai always dials `wss://`), a CA made once per run."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from google import genai
from google.genai import types

from mockgem import MockGemServer

LIVE_MODEL = "gemini-live-2.5-flash-preview"
LIVE_RULES: dict[str, Any] = {
    "live": [
        {"match": {"contains": "weather"}, "reply": {"text": "Sunny and 21 degrees in Paris today.", "chunks": 3}},
        {"match": {"contains": "lights", "tool": "turn_on_lights"},
         "reply": {"function_calls": [{"name": "turn_on_lights", "args": {"room": "hall"}}]}},
        {"match": {"tool_response": "turn_on_lights"}, "reply": {"text": "The hall lights are on."}},
        {"match": {"resumed": True}, "reply": {"text": "Welcome back."}},
        {"match": {"audio": True}, "reply": {"text": "I heard you.", "input_transcription": "hello there"}},
        {"match": {"contains": "long story"}, "reply": {"text": "Once upon a time there was a mock server", "chunks": 8, "frame_delay": 5}},
        {"match": {"contains": "drop"}, "reply": {"text": "one two three four", "chunks": 4}, "fault": ["cut=2"]},
    ]
}


@pytest.fixture(scope="session")
def ca_state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mockgem-state")


@pytest.fixture
def live_server(ca_state: Path) -> Iterator[Callable[..., MockGemServer]]:
    started: list[MockGemServer] = []

    def start(**settings: Any) -> MockGemServer:
        server = MockGemServer(**{"tls": True, "state_dir": ca_state, "rules": LIVE_RULES, **settings}).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def live_client(server: MockGemServer, api_key: str = "test-key", api_version: str | None = None) -> genai.Client:
    """A client made after the server started, so that it trusts mockgem's CA (SSL_CERT_FILE)."""
    return genai.Client(api_key=api_key, http_options=types.HttpOptions(base_url=server.url, api_version=api_version))
