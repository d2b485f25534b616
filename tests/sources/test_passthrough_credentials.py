"""What a forwarded request carries upstream: the key where the real API reads it, for every client."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import openai
import pytest
import yaml
from aiohttp import web

from mockgem import MockGemServer
from tests.clients.conftest import vertex_genai_client
from tests.conftest import EXAMPLE_RULES

ANSWER = {"candidates": [{"content": {"role": "model", "parts": [{"text": "hi"}]}, "finishReason": "STOP"}]}


@pytest.fixture
def seen_headers() -> Iterator[tuple[str, list[dict[str, str]]]]:
    """A stand-in for Google that keeps the headers of each request it gets."""
    seen: list[dict[str, str]] = []

    async def handle(request: web.Request) -> web.Response:
        seen.append({name.lower(): value for name, value in request.headers.items()})
        return web.json_response(ANSWER)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", 0).start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}", seen
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result()
    loop.call_soon_threadsafe(loop.stop)
    thread.join()


def test_an_openai_clients_key_goes_upstream_as_a_google_api_key(seen_headers: tuple[str, list[dict[str, str]]], make_server: Callable[..., MockGemServer]) -> None:
    url, seen = seen_headers
    proxy = make_server(mode="passthrough", upstream=url)
    client = openai.OpenAI(api_key="AIza-the-users-key", base_url=proxy.openai_base_url)
    client.chat.completions.create(model="gemini-2.5-flash", messages=[{"role": "user", "content": "hi"}])
    assert seen[-1]["x-goog-api-key"] == "AIza-the-users-key" and "authorization" not in seen[-1]


def test_openai_model_calls_carry_the_key_and_the_upstreams_refusal(make_server: Callable[..., MockGemServer]) -> None:
    upstream = make_server(rules=EXAMPLE_RULES, api_keys=("good-key",))
    proxy = make_server(mode="passthrough", upstream=upstream.url)
    good = openai.OpenAI(api_key="good-key", base_url=proxy.openai_base_url)
    assert "models/gemini-2.5-flash" in [model.id for model in good.models.list()]
    assert good.models.retrieve("gemini-2.5-flash").id == "models/gemini-2.5-flash"
    bad = openai.OpenAI(api_key="bad-key", base_url=proxy.openai_base_url, max_retries=0)
    with pytest.raises(openai.APIStatusError) as caught:
        bad.models.list()
    assert caught.value.status_code == 400
    # The upstream's own refusal, in the OpenAI-compatible layer's list form.
    assert isinstance(caught.value.body, list) and "API key not valid" in caught.value.body[0]["error"]["message"]


def test_vertex_batch_prediction_jobs_are_forwarded_and_recorded(tmp_path: Path, make_server: Callable[..., MockGemServer]) -> None:
    upstream = make_server()
    cassette = tmp_path / "jobs.yaml"
    recorder = make_server(mode="record", cassette=cassette, upstream=upstream.url)
    client = vertex_genai_client(recorder)
    job = client.batches.create(model="gemini-2.5-flash", src="gs://bucket/in.jsonl")
    assert job.name and "/batchPredictionJobs/" in job.name
    assert client.batches.get(name=job.name).name == job.name
    uris = [item["request"]["uri"] for item in yaml.safe_load(cassette.read_text())["interactions"]]
    assert len(uris) == 2 and all("/projects/test-project/locations/us-central1/batchPredictionJobs" in uri for uri in uris)
