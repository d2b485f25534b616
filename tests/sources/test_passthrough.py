"""Record through mockgem against a second mockgem as upstream, stop it, replay with real SDKs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from google import genai
from google.genai import types
from openai import OpenAI

from mockgem import MockGemServer

UPSTREAM_RULES = {
    "rules": [{"match": {"contains": "long story"}, "reply": {"text": "Once upon a time a mock answered every client."}, "stream": {"chunks": 4}}],
    "default": {"text": "Hello from the upstream."},
}
PROMPT = "Tell me a long story"


def _genai(server: MockGemServer) -> genai.Client:
    return genai.Client(api_key="secret-test-key", http_options=types.HttpOptions(base_url=server.url))


def _stream_texts(client: genai.Client) -> list[str]:
    return [chunk.text or "" for chunk in client.models.generate_content_stream(model="gemini-2.5-flash", contents=PROMPT)]


@pytest.fixture
def recorded(tmp_path: Path, make_server: Callable[..., MockGemServer]) -> tuple[Path, list[str], str]:
    """A cassette recorded through mockgem from a rules upstream, which is then stopped."""
    upstream = make_server(rules=UPSTREAM_RULES)
    cassette = tmp_path / "cassettes" / "story.yaml"
    recorder = make_server(mode="record", cassette=cassette, upstream=upstream.url)
    client = _genai(recorder)
    chunks = _stream_texts(client)
    whole = client.models.generate_content(model="gemini-2.5-flash", contents="Hi").text or ""
    recorder.stop()
    upstream.stop()
    return cassette, chunks, whole


def test_record_writes_streams_with_chunk_offsets_and_no_key(recorded: tuple[Path, list[str], str]) -> None:
    cassette, chunks, _ = recorded
    text = cassette.read_text()
    document = yaml.safe_load(text)
    assert len(document["interactions"]) == 2
    assert len(document["interactions"][0]["response"]["chunk_offsets"]) == len(chunks) >= 2
    assert "secret-test-key" not in text


def test_replay_serves_google_genai_stream_chunk_by_chunk(recorded: tuple[Path, list[str], str], make_server: Callable[..., MockGemServer]) -> None:
    cassette, chunks, whole = recorded
    replay = make_server(cassette=cassette)
    client = _genai(replay)
    assert _stream_texts(client) == chunks
    assert client.models.generate_content(model="gemini-2.5-flash", contents="Hi").text == whole


def test_replay_answers_openai_sdk_from_native_recording(recorded: tuple[Path, list[str], str], make_server: Callable[..., MockGemServer]) -> None:
    cassette, chunks, whole = recorded
    replay = make_server(cassette=cassette)
    client = OpenAI(api_key="k", base_url=replay.openai_base_url, max_retries=0)
    completion = client.chat.completions.create(model="gemini-2.5-flash", messages=[{"role": "user", "content": "Hi"}])
    assert completion.choices[0].message.content == whole
    stream = client.chat.completions.create(model="gemini-2.5-flash", messages=[{"role": "user", "content": PROMPT}], stream=True)
    pieces = [c.choices[0].delta.content for c in stream if c.choices and c.choices[0].delta.content]
    assert "".join(pieces) == "".join(chunks)
    assert len(pieces) >= 2


def test_replay_miss_is_a_4xx_naming_the_closest_recording(recorded: tuple[Path, list[str], str], make_server: Callable[..., MockGemServer]) -> None:
    cassette, _, _ = recorded
    client = _genai(make_server(cassette=cassette, strict=True))
    with pytest.raises(genai.errors.ClientError) as caught:
        client.models.generate_content(model="gemini-2.5-flash", contents="Hj")
    assert caught.value.code == 400
    message = str(caught.value)
    assert "story.yaml" in message and "Closest" in message and "body.contents[0].parts[0].text" in message


def test_passthrough_mode_relays_without_writing(tmp_path: Path, make_server: Callable[..., MockGemServer]) -> None:
    upstream = make_server(rules=UPSTREAM_RULES)
    proxy = make_server(mode="passthrough", cassette=tmp_path / "none.yaml", upstream=upstream.url)
    assert _stream_texts(_genai(proxy)) == _stream_texts(_genai(upstream))
    assert not (tmp_path / "none.yaml").exists()


def test_auto_mode_replays_recorded_and_forwards_the_rest(tmp_path: Path, make_server: Callable[..., MockGemServer]) -> None:
    upstream = make_server(rules=UPSTREAM_RULES)
    auto = make_server(mode="auto", cassette_dir=tmp_path, upstream=upstream.url)
    client = _genai(auto)
    assert client.models.generate_content(model="gemini-2.5-flash", contents="Hi").text == "Hello from the upstream."
    auto.stop()
    upstream.stop()
    # The next run replays it: a recording made in this run was served already (vcrpy new_episodes).
    again = _genai(make_server(mode="auto", cassette_dir=tmp_path, upstream=upstream.url))
    assert again.models.generate_content(model="gemini-2.5-flash", contents="Hi").text == "Hello from the upstream."
    assert (tmp_path / "recorded.yaml").exists()


def test_record_forwards_the_upstreams_cache_and_files_untouched(tmp_path: Path, make_server: Callable[..., MockGemServer]) -> None:
    upstream = make_server(rules=UPSTREAM_RULES)
    long_text = "A long document to cache. " * 400
    owner = _genai(upstream)
    cache = owner.caches.create(model="gemini-2.5-flash", config=types.CreateCachedContentConfig(contents=[long_text]))
    recorder = make_server(mode="record", cassette=tmp_path / "cache.yaml", upstream=upstream.url)
    config = types.GenerateContentConfig(cached_content=cache.name)
    client = _genai(recorder)
    response = client.models.generate_content(model="gemini-2.5-flash", contents="Summarise it", config=config)
    assert response.text == "Hello from the upstream."
    assert response.usage_metadata.cached_content_token_count > 0
