"""When the journal entry is written: before a stream's last byte, without a status when cut."""

from __future__ import annotations

import gc
from typing import Any

import pytest
from google.genai import errors, types

from mockgem import Config, MockGemServer, create_app
from tests.clients.conftest import genai_client
from tests.conftest import EXAMPLE_RULES

MODEL = "gemini-2.5-flash"
GENERATE = f"/v1beta/models/{MODEL}:generateContent"
STREAM = f"/v1beta/models/{MODEL}:streamGenerateContent"


def test_a_stream_is_in_the_journal_as_soon_as_the_client_has_read_it(server: MockGemServer) -> None:
    client = genai_client(server)
    for _ in range(100):
        server.requests.clear()
        chunks = list(client.models.generate_content_stream(model=MODEL, contents="long story"))
        assert len(chunks) == 5
        entry = server.requests.last
        assert entry is not None and entry.action == "streamGenerateContent" and entry.status == 200


@pytest.mark.parametrize("fault", ["cut=1", "reset"])
def test_an_exchange_cut_short_has_no_status(server: MockGemServer, fault: str) -> None:
    client = genai_client(server)
    config = types.GenerateContentConfig(http_options=types.HttpOptions(headers={"X-Mockgem-Fault": fault}, retry_options=types.HttpRetryOptions(attempts=1)))
    with pytest.raises(Exception) as caught:
        list(client.models.generate_content_stream(model=MODEL, contents="long story", config=config))
    assert not isinstance(caught.value, errors.ClientError)
    entry = server.requests.last
    assert entry is not None and entry.status is None and entry.faults == (fault,)
    assert server.stats["statuses"] == {"aborted": 1}


@pytest.mark.parametrize("path", [GENERATE, f"{STREAM}?alt=sse"])
async def test_a_request_leaves_no_reference_cycles_behind(aiohttp_client: Any, path: str) -> None:
    """Each request's objects are freed at once by reference counting: a cycle through the
    request would leave them all to the cyclic collector, a large cost per request."""
    http = await aiohttp_client(create_app(Config(rules=(EXAMPLE_RULES,))))
    body = {"contents": [{"role": "user", "parts": [{"text": "long story"}]}]}
    for _ in range(5):
        await (await http.post(path, json=body, headers={"x-goog-api-key": "k"})).read()
    gc.collect()
    gc.disable()
    try:
        for _ in range(50):
            await (await http.post(path, json=body, headers={"x-goog-api-key": "k"})).read()
        found = gc.collect()
    finally:
        gc.enable()
    # A cycle through each request left ~50 objects per request; a few stray ones are noise.
    assert found < 100
