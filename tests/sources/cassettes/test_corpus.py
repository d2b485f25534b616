"""Every file in ../shared/corpus loads, and each interaction decodes (read in place, never copied)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from mockgem.sources.cassettes.formats import load_cassette
from mockgem.sources.cassettes.index import CassetteIndex, Recorded
from mockgem.sources.cassettes.model import Interaction

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus"
FILES = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "README.md") if CORPUS.is_dir() else []
_EVENT_END = re.compile(rb"\r\n\r\n|\n\n|\r\r")

pytestmark = pytest.mark.skipif(not FILES, reason=f"no corpus at {CORPUS}")


def _sse_payloads(body: bytes) -> list[Any]:
    """JSON data of each SSE event (stand-in until mockgem.sse is merged in)."""
    payloads = []
    for event in _EVENT_END.split(body):
        data = b"\n".join(line[5:].strip() for line in event.splitlines() if line.startswith(b"data:"))
        if data and data != b"[DONE]":
            payloads.append(json.loads(data))
    return payloads


def _decoded(interaction: Interaction) -> list[Any]:
    """The JSON chunks of the response: one for a plain body, several for a stream."""
    response = interaction.response
    body = response.body
    if not body.strip():
        return []
    content_type = (response.header("content-type") or "").lower()
    if "text/event-stream" in content_type or body.lstrip().startswith(b"data:"):
        return _sse_payloads(body)
    if "json" in content_type or body.lstrip()[:1] in (b"{", b"["):
        value = json.loads(body)
        return value if isinstance(value, list) else [value]
    return [body]  # a file download, an HTML error page...


@pytest.mark.parametrize("path", FILES, ids=[p.relative_to(CORPUS).as_posix() for p in FILES])
def test_corpus_file_loads_and_every_interaction_decodes(path: Path) -> None:
    cassette = load_cassette(path, CORPUS)
    assert cassette.interactions, "a corpus cassette holds at least one interaction"
    for interaction in cassette.interactions:
        assert 100 <= interaction.response.status <= 599
        chunks = _decoded(interaction)
        if "streamGenerateContent" in interaction.request.uri and interaction.response.status == 200:
            assert chunks and all(isinstance(chunk, dict) for chunk in chunks)


def test_corpus_replays_each_recorded_request_to_its_own_recording() -> None:
    cassettes = [load_cassette(path, CORPUS) for path in FILES]
    index = CassetteIndex(cassettes)
    for cassette in cassettes:
        for interaction in cassette.interactions:
            request = interaction.request
            found = index.lookup(request.method, request.target, request.body, cassette=cassette.name)
            assert isinstance(found, Recorded), found.message
            assert found.interaction == interaction, f"{found.origin} served for {request.uri}"
