"""Every recorded Google interaction of ../shared/corpus, replayed over HTTP, comes back as recorded.

One server loads the whole corpus directory in place; each request names its own cassette with
`X-Mockgem-Cassette`, so one shared server serves per-test cassettes in recorded order. Nothing
is filtered by route, method or surface: every interaction with a Google host is sent, and its
status and body are compared (JSON equal, SSE events equal, every other body byte for byte).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from mockgem import MockGemServer
from mockgem.sources.cassettes.formats import load_cassette
from mockgem.sources.cassettes.model import Interaction, RecordedResponse
from mockgem.sse import parse_sse

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus"
FILES = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "README.md") if CORPUS.is_dir() else []
GOOGLE_HOSTS = ("googleapis.com",)
# Interactions a recorder truncated: the request body it kept is not what was sent, so it cannot be
# sent again. By cassette name and 1-based position, with the reason.
TRUNCATED: dict[tuple[str, int], str] = {}

pytestmark = pytest.mark.skipif(not FILES, reason=f"no corpus at {CORPUS}")


@pytest.fixture(scope="module")
def corpus_server() -> Iterator[MockGemServer]:
    with MockGemServer(cassette_dir=CORPUS) as server:
        yield server


def is_google(interaction: Interaction) -> bool:
    return (urlsplit(interaction.request.uri).hostname or "").endswith(GOOGLE_HOSTS)


def send(server: MockGemServer, interaction: Interaction, cassette: str) -> RecordedResponse:
    """The interaction's request as its client sent it (headers the recorder kept, a test key)."""
    request = interaction.request
    headers = {name: value for name, value in request.headers if name.lower() not in {"host", "content-length", "accept-encoding"}}
    headers |= {"x-goog-api-key": "test", "authorization": "Bearer test", "x-mockgem-cassette": cassette}
    sent = urllib.request.Request(server.url + request.target, data=request.body or None, method=request.method, headers=headers)
    try:
        with urllib.request.urlopen(sent, timeout=10) as response:
            return RecordedResponse(response.status, tuple(response.headers.items()), response.read())
    except urllib.error.HTTPError as error:
        return RecordedResponse(error.code, tuple(error.headers.items()), error.read())


def comparable(response: RecordedResponse) -> Any:
    """What must equal: a JSON body as a value, SSE as its events, anything else as its bytes."""
    body = response.body
    if "text/event-stream" in (response.header("content-type") or "") or body.startswith(b"data:"):
        return list(parse_sse(body))
    if body.lstrip().startswith(b"["):
        return body  # the JSON-array stream: Google's framing, byte for byte
    try:
        return json.loads(body)
    except ValueError:
        return body


def _case(path: Path) -> Any:
    return pytest.param(path, id=path.relative_to(CORPUS).as_posix())


@pytest.mark.parametrize("path", [_case(p) for p in FILES])
def test_corpus_interaction_replays_as_recorded(path: Path, corpus_server: MockGemServer) -> None:
    cassette = load_cassette(path, CORPUS)
    interactions = [(n, i) for n, i in enumerate(cassette.interactions, 1) if is_google(i)]
    if not interactions:
        pytest.skip("no interaction with a Google host in this file")
    for position, interaction in interactions:
        if (cassette.name, position) in TRUNCATED:
            continue
        served = send(corpus_server, interaction, cassette.name)
        where = f"{cassette.name} #{position} {interaction.request.method} {interaction.request.uri}"
        assert served.status == interaction.response.status, f"{where}: {served.body[:400]!r}"
        assert comparable(served) == comparable(interaction.response), where
