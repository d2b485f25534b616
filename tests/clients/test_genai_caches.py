"""google-genai `client.caches` against mockgem over a real socket, and generate with a cache."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable

import pytest
from google import genai
from google.genai import errors, types

from mockgem import MockGemServer
from tests.clients.conftest import genai_client

MODEL = "gemini-2.5-flash"
LONG_TEXT = "The mock server keeps context. " * 200  # about 1500 tokens, over Flash's 1024


def create_cache(client: genai.Client, **config: object) -> types.CachedContent:
    settings = {"contents": [LONG_TEXT], "ttl": "300s", **config}
    return client.caches.create(model=MODEL, config=types.CreateCachedContentConfig(**settings))  # type: ignore[arg-type]


def test_create_reports_tokens_and_expiry(client: genai.Client) -> None:
    cache = create_cache(client, display_name="ctx")
    assert cache.name and cache.name.startswith("cachedContents/")
    assert (cache.model, cache.display_name) == (f"models/{MODEL}", "ctx")
    assert cache.usage_metadata and (cache.usage_metadata.total_token_count or 0) >= 1024
    assert cache.expire_time and cache.create_time
    assert (cache.expire_time - cache.create_time).total_seconds() == pytest.approx(300)


def test_create_refuses_too_few_tokens(client: genai.Client) -> None:
    with pytest.raises(errors.ClientError) as caught:
        create_cache(client, contents=["short"])
    assert caught.value.code == 400 and "min_total_token_count=1024" in (caught.value.message or "")


def test_get_and_list_return_the_cache(client: genai.Client) -> None:
    names = [create_cache(client).name for _ in range(3)]
    assert client.caches.get(name=names[0] or "").name == names[0]
    listed = [cache.name for cache in client.caches.list(config=types.ListCachedContentsConfig(page_size=2))]
    assert listed == list(reversed(names))


@pytest.mark.parametrize("field", ["ttl", "expire_time"])
def test_update_moves_the_expiry(client: genai.Client, field: str) -> None:
    cache = create_cache(client)
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=2)
    update = {"ttl": "7200s"} if field == "ttl" else {"expire_time": later}
    updated = client.caches.update(name=cache.name or "", config=types.UpdateCachedContentConfig(**update))  # type: ignore[arg-type]
    assert updated.expire_time and cache.expire_time and updated.expire_time > cache.expire_time


def test_delete_then_get_is_refused(client: genai.Client) -> None:
    cache = create_cache(client)
    client.caches.delete(name=cache.name or "")
    with pytest.raises(errors.ClientError) as caught:
        client.caches.get(name=cache.name or "")
    assert caught.value.code == 403


def test_generate_with_a_cache_reports_cached_tokens(client: genai.Client) -> None:
    cache = create_cache(client)
    config = types.GenerateContentConfig(cached_content=cache.name)
    response = client.models.generate_content(model=MODEL, contents="and the weather?", config=config)
    assert response.text == "Sunny, 21 C"
    usage = response.usage_metadata
    assert usage and cache.usage_metadata
    assert usage.cached_content_token_count == cache.usage_metadata.total_token_count
    assert (usage.prompt_token_count or 0) > (usage.cached_content_token_count or 0) > 0


def test_rules_see_the_cached_contents(make_server: Callable[..., MockGemServer]) -> None:
    rules = {"rules": [{"match": {"file": "report.pdf"}, "reply": {"text": "About the report."}}]}
    client = genai_client(make_server(rules=rules))
    pdf = client.files.upload(file=io.BytesIO(b"%PDF"), config=types.UploadFileConfig(mime_type="application/pdf", display_name="report.pdf"))
    cache = create_cache(client, contents=[types.Content(role="user", parts=[types.Part.from_uri(file_uri=pdf.uri or "", mime_type="application/pdf"), types.Part(text=LONG_TEXT)])])
    config = types.GenerateContentConfig(cached_content=cache.name)
    assert client.models.generate_content(model=MODEL, contents="what is it?", config=config).text == "About the report."
    assert client.models.generate_content(model=MODEL, contents="what is it?").text != "About the report."


def test_generate_with_a_deleted_cache_is_refused(client: genai.Client) -> None:
    cache = create_cache(client)
    client.caches.delete(name=cache.name or "")
    with pytest.raises(errors.ClientError) as caught:
        client.models.generate_content(model=MODEL, contents="hi", config=types.GenerateContentConfig(cached_content=cache.name))
    assert caught.value.code == 403 and "CachedContent not found" in (caught.value.message or "")


def test_vertex_caches_carry_the_project_path_and_serve_generate(vertex_client: genai.Client, server: MockGemServer) -> None:
    cache = create_cache(vertex_client)
    parent = "projects/test-project/locations/us-central1"
    assert cache.name and cache.name.startswith(f"{parent}/cachedContents/") and cache.name.rpartition("/")[2].isdigit()
    assert cache.model == f"{parent}/publishers/google/models/{MODEL}"
    assert vertex_client.caches.get(name=cache.name).name == cache.name
    config = types.GenerateContentConfig(cached_content=cache.name)
    answer = vertex_client.models.generate_content(model=MODEL, contents="weather?", config=config)
    assert answer.text == "Sunny, 21 C"
    assert answer.usage_metadata and answer.usage_metadata.cached_content_token_count == cache.usage_metadata.total_token_count  # type: ignore[union-attr]
    vertex_client.caches.delete(name=cache.name)
    assert [listed.name for listed in vertex_client.caches.list()] == []
