"""`MockGemServer` from sync and async code: its URLs, journal, reset, rules and cassettes."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import openai
import pytest
from google import genai
from google.genai import errors, types

from mockgem import Config, MockGemServer
from mockgem.errors import ConfigError, MockGemError
from tests.clients.conftest import genai_client
from tests.conftest import EXAMPLE_RULES

MODEL = "gemini-2.5-flash"


def test_server_answers_both_sdks_and_journals_them() -> None:
    with MockGemServer(rules=EXAMPLE_RULES) as server:
        client = genai_client(server)
        config = types.GenerateContentConfig(temperature=0.3, system_instruction="be brief")
        assert client.models.generate_content(model=MODEL, contents="weather?", config=config).text == "Sunny, 21 C"
        chat = openai.OpenAI(api_key="k", base_url=server.openai_base_url)
        chat.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "hello"}])
        native, compat = server.requests
        assert native.genai_contents()[0].parts[0].text == "weather?"
        assert native.genai_config().temperature == 0.3
        assert native.genai_config().system_instruction.parts[0].text == "be brief"
        assert server.requests.filter(surface="openai") == [compat]
        assert compat.genai_contents()[0].parts[0].text == "hello"
        assert server.stats["answeredBy"] == {"rules": 2}


def test_rules_given_as_a_dict_and_loaded_at_run_time() -> None:
    with MockGemServer(rules={"rules": [{"match": {"contains": "ping"}, "reply": {"text": "pong"}}]}) as server:
        client = genai_client(server)
        assert client.models.generate_content(model=MODEL, contents="ping").text == "pong"
        assert server.load_rules({"rules": [{"match": {"contains": "ping"}, "reply": {"text": "PONG"}}]}) == 1
        assert client.models.generate_content(model=MODEL, contents="ping").text == "PONG"
        server.reset()
        assert len(server.requests) == 0
        assert client.models.generate_content(model=MODEL, contents="ping").text == "pong"


def test_rules_given_as_a_list_of_paths_and_dicts(tmp_path: Path) -> None:
    extra = tmp_path / "extra.yaml"
    extra.write_text("rules:\n  - match: {contains: extra}\n    reply: {text: from the file}\n")
    with MockGemServer(rules=[extra, EXAMPLE_RULES]) as server:
        client = genai_client(server)
        assert client.models.generate_content(model=MODEL, contents="extra").text == "from the file"
        assert client.models.generate_content(model=MODEL, contents="weather").text == "Sunny, 21 C"


def test_use_cassette_switches_replay_and_recording(tmp_path: Path) -> None:
    with MockGemServer(rules=EXAMPLE_RULES) as upstream:
        with MockGemServer(mode="record", cassette_dir=tmp_path, upstream=upstream.url) as recorder:
            recorder.use_cassette("first")
            recording_client = genai_client(recorder)
            recording_client.models.generate_content(model=MODEL, contents="weather?")
            recorder.use_cassette(tmp_path / "elsewhere" / "second.yaml")
            recording_client.models.generate_content(model=MODEL, contents="json please")
    assert (tmp_path / "first.yaml").exists() and (tmp_path / "elsewhere" / "second.yaml").exists()
    with MockGemServer(cassette_dir=tmp_path) as replayer:
        client = genai_client(replayer)
        replayer.use_cassette("first")
        assert client.models.generate_content(model=MODEL, contents="weather?").text == "Sunny, 21 C"
        with pytest.raises(errors.ClientError):
            client.models.generate_content(model=MODEL, contents="json please")
        assert replayer.requests.last is not None and "first.yaml" in (replayer.requests.last.miss or "")


def test_a_stopped_server_says_so() -> None:
    server = MockGemServer()
    with pytest.raises(MockGemError, match="not running"):
        server.reset()
    with pytest.raises(MockGemError, match="not running"):
        _ = server.requests


def test_rules_answer_first_in_passthrough_mode(tmp_path: Path) -> None:
    with MockGemServer(mode="passthrough", upstream="http://127.0.0.1:9", cassette=tmp_path / "x.yaml") as server:
        server.load_rules({"rules": [{"match": {"contains": "ping"}, "reply": {"text": "pong"}}]})
        client = genai_client(server)
        assert client.models.generate_content(model=MODEL, contents="ping").text == "pong"
        with pytest.raises(errors.ServerError):
            client.models.generate_content(model=MODEL, contents="the unreachable upstream answers this")


async def test_async_with_serves_the_async_client() -> None:
    async with MockGemServer(rules=EXAMPLE_RULES) as server:
        client: genai.Client = genai_client(server)
        answer = await client.aio.models.generate_content(model=MODEL, contents="weather?")
        assert answer.text == "Sunny, 21 C"
        assert server.requests.last is not None and server.requests.last.source == "rules"


def test_use_cassette_loads_a_file_outside_the_cassette_directory(tmp_path: Path) -> None:
    outside = tmp_path / "outside" / "test_one.yaml"
    with MockGemServer(rules=EXAMPLE_RULES) as upstream:
        with MockGemServer(mode="record", cassette=tmp_path / "dir" / "default.yaml", upstream=upstream.url) as recorder:
            recorder.use_cassette(outside)
            recording_client = genai_client(recorder)
            recording_client.models.generate_content(model=MODEL, contents="weather?")
    with MockGemServer(cassette=tmp_path / "dir" / "default.yaml") as replayer:
        assert replayer.use_cassette(outside) == outside.as_posix()
        client = genai_client(replayer)
        assert client.models.generate_content(model=MODEL, contents="weather?").text == "Sunny, 21 C"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_server_listens_on_the_port_it_is_given() -> None:
    port = free_port()
    with MockGemServer(port=port, rules=EXAMPLE_RULES) as server:
        assert server.url == f"http://127.0.0.1:{port}"
        client = genai_client(server)
        assert client.models.generate_content(model=MODEL, contents="weather?").text == "Sunny, 21 C"


def test_a_start_that_fails_leaves_the_server_stopped() -> None:
    with MockGemServer() as busy:
        server = MockGemServer(Config(port=busy.port))
        with pytest.raises(OSError):
            server.start()
        stopping = threading.Thread(target=server.stop, daemon=True)
        stopping.start()
        stopping.join(timeout=5)
        assert not stopping.is_alive()
        with pytest.raises(MockGemError, match="not running"):
            _ = server.requests
    assert server.start() is server
    server.stop()


def test_a_second_start_is_refused_and_a_stopped_server_starts_again() -> None:
    server = MockGemServer(rules=EXAMPLE_RULES).start()
    try:
        threads = set(threading.enumerate())
        with pytest.raises(MockGemError, match="already running"):
            server.start()
        assert set(threading.enumerate()) == threads
    finally:
        server.stop()
    server.stop()
    with server:
        client = genai_client(server)
        assert client.models.generate_content(model=MODEL, contents="weather?").text == "Sunny, 21 C"


def test_rules_given_as_a_tuple(tmp_path: Path) -> None:
    extra = tmp_path / "extra.yaml"
    extra.write_text("rules:\n  - match: {contains: extra}\n    reply: {text: from the file}\n")
    with MockGemServer(rules=(str(extra), EXAMPLE_RULES)) as server:
        client = genai_client(server)
        assert client.models.generate_content(model=MODEL, contents="extra").text == "from the file"
        assert client.models.generate_content(model=MODEL, contents="weather").text == "Sunny, 21 C"


def test_replay_from_a_missing_cassette_directory_does_not_start(tmp_path: Path) -> None:
    server = MockGemServer(cassette_dir=tmp_path / "missing")
    with pytest.raises(ConfigError, match="no such directory"):
        server.start()
    server.stop()  # stopped already: nothing to do
