"""Every recorded Google interaction of ../shared/corpus, replayed over HTTP, equals its recording.

One server loads the whole corpus directory in place; each request names its own cassette with
`X-Mockgem-Cassette`, so one shared server serves per-test cassettes in recorded order.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mockgem import MockGemServer
from mockgem.protocol.calls import parse_call
from mockgem.sources.cassettes.formats import load_cassette
from mockgem.sources.cassettes.model import Interaction, RecordedResponse
from mockgem.sources.cassettes.source import decode_payloads

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus"
FILES = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "README.md") if CORPUS.is_dir() else []
# The methods this server answers from cassettes (files, caches and batches have their own handlers).
REPLAYED = {"generateContent", "streamGenerateContent", "countTokens", "embedContent", "batchEmbedContents", "predict", "models.list", "models.get"}

# Recorded requests the real API accepted but protocol/validation.py rejects (fix belongs there):
# a single object for the repeated `tools`, newer fields (modelArmorConfig, toolCall/toolResponse parts).

pytestmark = pytest.mark.skipif(not FILES, reason=f"no corpus at {CORPUS}")


@pytest.fixture(scope="module")
def corpus_server() -> Iterator[MockGemServer]:
    with MockGemServer(cassette_dir=CORPUS) as server:
        yield server


def replayable(interaction: Interaction) -> bool:
    """A Google method answered from cassettes, a JSON response, and a request that can be re-sent."""
    request = interaction.request
    if request.body.strip() and not _is_json(request.body):
        return False  # some recorders truncate large request bodies: they cannot be sent again
    call = parse_call(request.method, request.target.partition("?")[0])
    return call is not None and call.surface != "openai" and call.action in REPLAYED and bool(decode_payloads(interaction.response))


def _is_json(body: bytes) -> bool:
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


def send(server: MockGemServer, interaction: Interaction, cassette: str) -> tuple[int, RecordedResponse]:
    request = interaction.request
    headers = {"content-type": "application/json", "x-goog-api-key": "test", "authorization": "Bearer test", "x-mockgem-cassette": cassette}
    sent = urllib.request.Request(server.url + request.target, data=request.body or None, method=request.method, headers=headers)
    try:
        with urllib.request.urlopen(sent, timeout=10) as response:
            return response.status, RecordedResponse(response.status, tuple(response.headers.items()), response.read())
    except urllib.error.HTTPError as error:
        return error.code, RecordedResponse(error.code, tuple(error.headers.items()), error.read())


def decoded(response: RecordedResponse) -> list[Any]:
    return [payload for payload in decode_payloads(response)]


def _case(path: Path) -> Any:
    return pytest.param(path, id=path.relative_to(CORPUS).as_posix())


@pytest.mark.parametrize("path", [_case(p) for p in FILES])
def test_corpus_interaction_replays_as_recorded(path: Path, corpus_server: MockGemServer) -> None:
    cassette = load_cassette(path, CORPUS)
    interactions = [i for i in cassette.interactions if replayable(i)]
    if not interactions:
        pytest.skip("no replayable Google interaction in this file")
    for position, interaction in enumerate(interactions, 1):
        status, served = send(corpus_server, interaction, cassette.name)
        where = f"{cassette.name} #{position} {interaction.request.method} {interaction.request.uri}"
        assert status == interaction.response.status, f"{where}: {served.body[:400]!r}"
        assert decoded(served) == decoded(interaction.response), where
