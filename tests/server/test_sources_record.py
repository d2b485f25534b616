"""Recording into a cassette that already holds many interactions: each one lands at once, the rest kept."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from mockgem import MockGemServer
from mockgem.sources.cassettes.formats import load_cassette
from mockgem.sources.cassettes.model import Interaction, RecordedRequest, RecordedResponse
from mockgem.sources.cassettes.store import CassetteStore
from tests.clients.conftest import genai_client

MODEL = "gemini-2.5-flash"
HOST = "https://generativelanguage.googleapis.com"
EARLIER = 300
Start = Callable[..., MockGemServer]


def _earlier(number: int) -> Interaction:
    body = json.dumps({"contents": [{"role": "user", "parts": [{"text": f"earlier {number}"}]}]}).encode()
    answer = json.dumps({"candidates": [{"content": {"role": "model", "parts": [{"text": f"answer {number}"}]}}]}).encode()
    request = RecordedRequest("POST", f"{HOST}/v1beta/models/{MODEL}:generateContent", (("content-type", "application/json"),), body)
    return Interaction(request, RecordedResponse(200, (("content-type", "application/json"),), answer))


def test_record_into_a_long_cassette_adds_each_exchange_before_answering(tmp_path: Path, make_server: Start) -> None:
    cassette = tmp_path / "long.yaml"
    CassetteStore().write(cassette, [_earlier(n) for n in range(EARLIER)])
    before = cassette.read_text().removesuffix("version: 1\n")
    upstream = make_server(rules={"default": {"text": "fresh"}})
    client = genai_client(make_server(mode="record", cassette=cassette, upstream=upstream.url))
    for n in range(3):
        assert client.models.generate_content(model=MODEL, contents=f"new {n}").text == "fresh"
        assert len(load_cassette(cassette).interactions) == EARLIER + n + 1
    chunks = [chunk.text for chunk in client.models.generate_content_stream(model=MODEL, contents="a stream")]
    assert "".join(text or "" for text in chunks) == "fresh"
    assert cassette.read_text().startswith(before) and len(load_cassette(cassette).interactions) == EARLIER + 4
    upstream.stop()
    replay = genai_client(make_server(cassette=cassette))
    assert [replay.models.generate_content(model=MODEL, contents=text).text for text in ("earlier 7", "new 2")] == ["answer 7", "fresh"]


def test_rewrite_replaces_a_cassette_with_this_runs_recordings(tmp_path: Path, make_server: Callable[..., MockGemServer]) -> None:
    cassette = tmp_path / "c.yaml"
    old = make_server(rules={"rules": [], "default": {"text": "OLD"}})
    recorder = make_server(mode="record", cassette=cassette, upstream=old.url)
    client = genai_client(recorder)
    client.models.generate_content(model="gemini-2.5-flash", contents="a")
    new = make_server(rules={"rules": [], "default": {"text": "NEW"}})
    rewriter = make_server(mode="record", cassette=cassette, upstream=new.url, rewrite=True)
    rewriting_client = genai_client(rewriter)
    for _ in range(2):
        rewriting_client.models.generate_content(model="gemini-2.5-flash", contents="a")
    text = cassette.read_text()
    assert "OLD" not in text and text.count("NEW") == 2
    replayer = make_server(cassette=cassette)
    replaying_client = genai_client(replayer)
    assert replaying_client.models.generate_content(model="gemini-2.5-flash", contents="a").text == "NEW"
