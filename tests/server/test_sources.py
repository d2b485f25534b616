"""Recording and matching settings reach the cassettes: record through mockgem, replay over sockets."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from google import genai
from google.genai import types

from mockgem import MockGemServer

UPSTREAM_RULES = {
    "rules": [{"match": {"contains": "story"}, "reply": {"text": "Once upon a time a mock answered."}, "stream": {"chunks": 3}}],
    "default": {"text": "Hello from the upstream."},
}
MODEL = "gemini-2.5-flash"
IMAGE = b"\x89PNG" + bytes(range(256)) * 20
PERSONA = types.GenerateContentConfig(system_instruction="secret persona")
Start = Callable[..., MockGemServer]


def _client(server: MockGemServer, *, api_version: str = "v1beta") -> genai.Client:
    options = types.HttpOptions(base_url=server.url, api_version=api_version)
    return genai.Client(api_key="secret-test-key", http_options=options)


def _ask(client: genai.Client, config: types.GenerateContentConfig | None = None) -> tuple[str, list[str]]:
    """A plain answer to an image question, and the chunks of a streamed story."""
    image = types.Part.from_bytes(data=IMAGE, mime_type="image/png")
    whole = client.models.generate_content(model=MODEL, contents=[image, "What is this?"], config=config).text or ""
    chunks = [c.text or "" for c in client.models.generate_content_stream(model=MODEL, contents="Tell me a story", config=config)]
    return whole, chunks


def _record(tmp_path: Path, start: Start, ask: Callable[[genai.Client], Any], **settings: Any) -> tuple[Path, Any]:
    """Records `ask` through mockgem from a second mockgem, then stops both."""
    upstream = start(rules=UPSTREAM_RULES)
    cassette = tmp_path / "recorded.yaml"
    recorder = start(mode="record", cassette=cassette, upstream=upstream.url, **settings)
    answers = ask(_client(recorder))
    recorder.stop()
    upstream.stop()
    return cassette, answers


def test_record_applies_extra_redaction_and_replay_still_matches(tmp_path: Path, make_server: Start) -> None:
    redaction = {"redact_headers": ("Content-Type",), "redact_query": ("alt",), "redact_paths": ("systemInstruction", "responseId"), "hash_blobs_over": 1000}
    cassette, answers = _record(tmp_path, make_server, lambda client: _ask(client, PERSONA), **redaction)
    text = cassette.read_text()
    assert "secret persona" not in text and "alt=sse" not in text and "responseId" in text
    interactions = yaml.safe_load(text)["interactions"]
    for interaction in interactions:
        assert interaction["request"]["headers"] == {} and interaction["response"]["headers"] == {}
    assert '"data": "sha256:' in interactions[0]["request"]["body"] and '"responseId": "<REDACTED>"' in interactions[0]["response"]["body"]["string"]
    assert interactions[1]["response"]["body"]["string"].count('"responseId":"<REDACTED>"') == len(answers[1]) == 3
    replay = make_server(cassette=cassette, ignore_paths=("systemInstruction",))
    assert _ask(_client(replay), PERSONA) == answers


def test_ignore_path_lets_a_request_with_another_value_there_replay(tmp_path: Path, make_server: Start) -> None:
    def ask(client: genai.Client, seed: int = 1) -> str:
        return client.models.generate_content(model=MODEL, contents="Hi", config=types.GenerateContentConfig(seed=seed)).text or ""

    cassette, answer = _record(tmp_path, make_server, ask)
    assert ask(_client(make_server(cassette=cassette, ignore_paths=("generationConfig.seed",))), seed=2) == answer
    with pytest.raises(genai.errors.ClientError) as caught:
        ask(_client(make_server(cassette=cassette, strict=True)), seed=2)
    assert caught.value.code == 400 and "body.generationConfig.seed: 1 -> 2" in str(caught.value)


def test_match_version_tells_v1_from_v1beta(tmp_path: Path, make_server: Start) -> None:
    def ask(client: genai.Client) -> str:
        return client.models.generate_content(model=MODEL, contents="Hi").text or ""

    cassette, answer = _record(tmp_path, make_server, ask)
    assert ask(_client(make_server(cassette=cassette), api_version="v1")) == answer
    strict = make_server(cassette=cassette, match_version=True)
    assert ask(_client(strict, api_version="v1beta")) == answer
    with pytest.raises(genai.errors.ClientError) as caught:
        ask(_client(strict, api_version="v1"))
    assert caught.value.code == 400
