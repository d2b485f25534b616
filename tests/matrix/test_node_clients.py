"""The Node clients against mockgem serving rules, and once each against a replayed cassette."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mockgem import MockGemServer
from tests.matrix.conftest import Results, replayed, run_client

GATEWAY = "node_modules/@portkey-ai/gateway/build/start-server.js"
GATEWAY_START_LIMIT = 30.0
STORY = "Once upon a time a mock server answered every client as the real one would."


def script(node_clients: Path, name: str) -> list[str]:
    return ["node", str(node_clients / f"{name}.mjs")]


@pytest.fixture(scope="module")
def google_genai(node_clients: Path, rules_server: MockGemServer) -> Results:
    return run_client(script(node_clients, "google_genai"), rules_server)


@pytest.fixture(scope="module")
def openai_sdk(node_clients: Path, rules_server: MockGemServer) -> Results:
    return run_client(script(node_clients, "openai_sdk"), rules_server)


@pytest.fixture(scope="module")
def ai_sdk(node_clients: Path, rules_server: MockGemServer) -> Results:
    return run_client(script(node_clients, "ai_sdk"), rules_server)


@pytest.fixture(scope="module")
def portkey_url(node_clients: Path) -> Iterator[str]:
    """Portkey's gateway on a free loopback port, headless, until the module ends."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gateway = subprocess.Popen(["node", GATEWAY, f"--port={port}", "--headless"], cwd=node_clients, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_port(port, gateway)
        yield f"http://127.0.0.1:{port}"
    finally:
        gateway.terminate()
        gateway.wait(timeout=10)


def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + GATEWAY_START_LIMIT
    while time.monotonic() < deadline and process.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"Portkey's gateway did not listen on port {port} (exit code {process.poll()})", pytrace=False)


@pytest.fixture(scope="module")
def portkey(node_clients: Path, rules_server: MockGemServer, portkey_url: str) -> Results:
    return run_client(script(node_clients, "portkey"), rules_server, PORTKEY_URL=portkey_url)


def test_google_genai_generates_streams_and_calls_a_function(google_genai: Results) -> None:
    assert google_genai["generate"] == {"text": "Hello from mockgem."}
    assert google_genai["stream"]["text"] == STORY and google_genai["stream"]["chunks"] > 1
    assert google_genai["function_call"] == {"call": "get_weather", "args": {"city": "Paris"}, "text": "It is sunny in Paris."}


def test_google_genai_files_caches_tokens_and_embeddings(google_genai: Results) -> None:
    files = google_genai["files"]
    assert files["text"] == "The file says hello." and files["state"] == "ACTIVE"
    assert files["uri"].startswith("https://generativelanguage.googleapis.com/")
    assert google_genai["caches"]["cached"] > 0 and google_genai["caches"]["text"] == "Hello from mockgem."
    assert google_genai["count_tokens"]["total"] > 0
    assert google_genai["embed"] == {"count": 2, "size": 8}


def test_google_genai_quota_is_an_api_error(google_genai: Results) -> None:
    assert google_genai["quota"] == {"raised": True, "status": 429}


def test_openai_sdk_chat_stream_tools_embeddings_and_429(openai_sdk: Results) -> None:
    assert openai_sdk["chat"] == {"text": "Hello from mockgem.", "finish": "stop"}
    assert openai_sdk["stream"]["text"] == STORY and openai_sdk["stream"]["chunks"] > 1
    assert openai_sdk["tools"] == {"call": "get_weather", "args": {"city": "Paris"}, "text": "It is sunny in Paris."}
    assert openai_sdk["embeddings"] == {"count": 2, "size": 8, "tokens": 2}
    assert openai_sdk["quota"] == {"raised": True, "status": 429}


def test_ai_sdk_generates_streams_and_runs_a_tool(ai_sdk: Results) -> None:
    assert ai_sdk["generate_text"]["text"] == "Hello from mockgem." and ai_sdk["generate_text"]["finish"] == "stop"
    assert ai_sdk["stream_text"]["text"] == STORY and ai_sdk["stream_text"]["chunks"] > 1
    assert ai_sdk["tools"] == {"calls": [["get_weather", {"city": "Paris"}]], "text": "It is sunny in Paris."}


def test_ai_sdk_google_search_reports_its_sources(ai_sdk: Results) -> None:
    assert ai_sdk["google_search"]["text"] == "The home team won 2-1."
    assert len(ai_sdk["google_search"]["sources"]) == 1


def test_portkey_gateway_chat_and_stream(portkey: Results) -> None:
    assert portkey["chat"]["text"] == "Hello from mockgem." and portkey["chat"]["tokens"] > 0
    # The gateway reads the JSON-array stream (no alt=sse) between its `\r\n`s.
    assert portkey["stream"]["text"] == STORY and portkey["stream"]["chunks"] > 1


def test_portkey_gateway_tool_round_trip_and_reasoning(portkey: Results) -> None:
    # The gateway sends the tool's result as a `function` turn.
    assert portkey["tools"] == {"call": "get_weather", "args": {"city": "Paris"}, "text": "It is sunny in Paris."}
    assert portkey["reasoning"]["text"] == "42" and portkey["reasoning"]["reasoning_tokens"] > 0


@pytest.mark.parametrize(("client", "scenario", "key"), [
    ("google_genai", "generate", "text"), ("openai_sdk", "chat", "text"), ("ai_sdk", "generate_text", "text"),
])
def test_node_client_replays_a_recorded_cassette(
    node_clients: Path, make_server: Callable[..., MockGemServer], tmp_path: Path, client: str, scenario: str, key: str
) -> None:
    recorded, replay, replayer = replayed(
        lambda server: run_client(script(node_clients, client), server, [scenario]), make_server, tmp_path / "cassette.yaml"
    )
    assert replay[scenario][key] == recorded[scenario][key] == "Hello from mockgem."
    assert replayer.requests.last is not None and replayer.requests.last.source == "cassettes"


def test_portkey_gateway_replays_a_recorded_cassette(
    node_clients: Path, portkey_url: str, make_server: Callable[..., MockGemServer], tmp_path: Path
) -> None:
    run = lambda server: run_client(script(node_clients, "portkey"), server, ["stream"], PORTKEY_URL=portkey_url)  # noqa: E731
    recorded, replay, replayer = replayed(run, make_server, tmp_path / "cassette.yaml")
    assert replay["stream"]["text"] == recorded["stream"]["text"] == STORY
    assert replayer.requests.last is not None and replayer.requests.last.source == "cassettes"
