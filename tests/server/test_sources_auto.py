"""auto: replay what is recorded, once each, and forward and record what is not (vcrpy's new_episodes).

The upstream is a second mockgem serving rules on loopback; clients are the google-genai SDK.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml
from google.genai import types

from mockgem import MockGemServer
from tests.clients.conftest import genai_client

MODEL = "gemini-2.5-flash"
ROLLS = {
    "rules": [
        {"match": {"contains": "roll"}, "reply": {"text": "first"}, "times": 1},
        {"match": {"contains": "roll"}, "reply": {"text": "second"}},
    ],
    "default": {"text": "plain"},
}
Start = Callable[..., MockGemServer]


def _roll(server: MockGemServer, times: int) -> list[str]:
    client = genai_client(server)
    return [client.models.generate_content(model=MODEL, contents="roll").text or "" for _ in range(times)]


def _recorded_uris(cassette: Path) -> list[str]:
    return [item["request"]["uri"] for item in yaml.safe_load(cassette.read_text())["interactions"]]


def test_auto_replays_a_recording_of_this_run_to_a_later_identical_request(tmp_path: Path, make_server: Start) -> None:
    upstream = make_server(rules=ROLLS)
    auto = make_server(mode="auto", cassette_dir=tmp_path, upstream=upstream.url)
    assert _roll(auto, 1) == ["first"]
    upstream.stop()  # the same question again needs no upstream: this run's recording answers it
    assert _roll(auto, 2) == ["first", "first"]
    assert [entry.source for entry in auto.requests] == ["upstream", "cassettes", "cassettes"]
    auto.stop()
    assert len(_recorded_uris(tmp_path / "recorded.yaml")) == 1


def test_auto_replays_each_earlier_recording_once_then_forwards(tmp_path: Path, make_server: Start) -> None:
    upstream = make_server(rules=ROLLS)
    first_run = make_server(mode="auto", cassette_dir=tmp_path, upstream=upstream.url)
    assert _roll(first_run, 1) == ["first"]
    first_run.stop()
    second_run = make_server(mode="auto", cassette_dir=tmp_path, upstream=upstream.url)
    assert _roll(second_run, 2) == ["first", "second"]  # the recording, then the upstream's next answer
    assert [entry.source for entry in second_run.requests] == ["cassettes", "upstream"]
    second_run.stop()
    assert len(_recorded_uris(tmp_path / "recorded.yaml")) == 2


def test_auto_replays_a_recorded_cache_and_its_use_once_the_upstream_is_gone(tmp_path: Path, make_server: Start) -> None:
    upstream = make_server(rules={"default": {"text": "summary"}})
    auto = make_server(mode="auto", cassette_dir=tmp_path, upstream=upstream.url)
    client = genai_client(auto)
    cache = client.caches.create(model=MODEL, config=types.CreateCachedContentConfig(contents=["context " * 2000], ttl="300s"))
    with_cache = types.GenerateContentConfig(cached_content=cache.name)
    assert client.models.generate_content(model=MODEL, contents="summarise", config=with_cache).text == "summary"
    upstream.stop()
    assert client.models.generate_content(model=MODEL, contents="summarise", config=with_cache).text == "summary"
    assert [entry.source for entry in auto.requests] == ["upstream", "upstream", "cassettes"]
