"""Our resources against real recordings in ../shared/corpus (read in place; skipped if absent)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from mockgem._types import JSONDict
from mockgem.resources.batches import BatchStore
from mockgem.resources.caches import CacheStore
from mockgem.resources.files import FileStore
from mockgem.resources.state import MemoryState

from .conftest import FakeClock

CORPUS = Path(__file__).parents[3] / "shared" / "corpus"
CHATLAS_FILES = CORPUS / "posit-dev+chatlas/tests/_vcr/test_provider_google_files"
RUBY_LLM = CORPUS / "crmne+ruby_llm/spec/fixtures/vcr_cassettes"


def recorded_bodies(path: Path) -> list[tuple[str, str, Any]]:
    if not path.exists():
        pytest.skip(f"corpus not present: {path}")
    cassette = yaml.safe_load(path.read_text())
    bodies = []
    for interaction in cassette.get("interactions") or cassette["http_interactions"]:
        request, response = interaction["request"], interaction["response"]
        text = response["body"]["string"]
        body = json.loads(text) if text.strip().startswith("{") else None
        bodies.append((request["method"].upper(), request["uri"], body))
    return bodies


def test_uploaded_file_has_the_recorded_keys_in_order(files: FileStore) -> None:
    recorded = recorded_bodies(CHATLAS_FILES / "test_google_file_lifecycle.yaml")[1][2]["file"]
    upload_id = files.start_upload({"file": {"mime_type": "application/pdf"}}, size=1)

    live = files.upload_chunk(upload_id, command="upload, finalize", offset=0, data=b"x").file

    assert live is not None and list(live) == list(recorded)


def test_cache_has_the_recorded_keys_in_order(state: MemoryState, clock: FakeClock) -> None:
    path = (
        RUBY_LLM / "cachedcontent_explicit_caching_round-trip_finds_an_existing_cache_by_name.yml"
    )
    recorded = recorded_bodies(path)[0][2]
    caches = CacheStore(state, clock=clock, count_tokens=lambda _: 9602)

    live = caches.create({"model": "models/gemini-2.5-flash", "contents": [{"parts": [{}]}]})

    assert list(live) == list(recorded)


async def test_batch_has_the_recorded_keys_in_order(
    state: MemoryState, clock: FakeClock, files: FileStore
) -> None:
    path = RUBY_LLM / (
        "batch_with_gemini_gemini-2_5-flash_answers_staged_chats_and_appends_the_answers_to_"
        "their_conversations.yml"
    )
    bodies = recorded_bodies(path)
    create_request = json.loads(
        yaml.safe_load(path.read_text())["http_interactions"][0]["request"]["body"]["string"]
    )

    async def answer(request: JSONDict) -> JSONDict:
        return {"candidates": []}

    batches = BatchStore(state, clock=clock, files=files, answer=answer)
    created = await batches.create("gemini-2.5-flash", create_request)
    done = await batches.get(created["name"])

    assert _shape(created) == _shape(bodies[0][2])
    assert _shape(done) == _shape(bodies[-1][2])
    entry = done["metadata"]["output"]["inlinedResponses"]["inlinedResponses"][0]
    assert entry["metadata"] == {"custom_id": "0"}


def _shape(operation: JSONDict) -> list[Any]:
    """Top-level keys, metadata keys and stats keys, in order."""
    metadata = operation["metadata"]
    return [list(operation), list(metadata), list(metadata["batchStats"])]
