"""google-genai `files.register_files` and `batches.create_embeddings` over a real socket."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest
from google import genai
from google.genai import errors, types
from google.oauth2.credentials import Credentials

from mockgem import MockGemServer
from tests.clients.conftest import genai_client


@pytest.fixture
def client(server: MockGemServer) -> genai.Client:
    return genai_client(server)


def test_register_files_answers_registered_files(client: genai.Client) -> None:
    files = client.files.register_files(auth=Credentials(token="t"), uris=["gs://bucket/notes.txt", "gs://bucket/cat.png"]).files or []
    assert [(f.display_name, f.mime_type, f.source) for f in files] == [
        ("notes.txt", "text/plain", types.FileSource.REGISTERED), ("cat.png", "image/png", types.FileSource.REGISTERED),
    ]
    assert client.files.get(name=files[0].name or "").source == types.FileSource.REGISTERED


def test_register_refuses_what_is_not_cloud_storage(server: MockGemServer) -> None:
    request = urllib.request.Request(f"{server.url}/v1beta/files:register", data=json.dumps({"uris": ["https://x/y"]}).encode(), headers={"x-goog-api-key": "k"}, method="POST")
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=10)
    assert raised.value.code == 400 and json.loads(raised.value.read())["error"]["status"] == "INVALID_ARGUMENT"


def test_create_embeddings_runs_a_batch_of_embeddings(client: genai.Client) -> None:
    source = {"inlined_requests": {"contents": [{"parts": [{"text": "a"}]}, {"parts": [{"text": "b"}]}], "config": {"output_dimensionality": 8}}}
    job = client.batches.create_embeddings(model="gemini-embedding-001", src=source)  # type: ignore[arg-type]
    assert (job.name or "").startswith("batches/") and job.state == types.JobState.JOB_STATE_PENDING
    deadline = time.monotonic() + 10
    while not (done := client.batches.get(name=job.name or "")).done and time.monotonic() < deadline:
        time.sleep(0.02)
    responses = done.dest.inlined_embed_content_responses if done.dest else None
    vectors = [item.response.embedding.values for item in responses or [] if item.response and item.response.embedding]
    assert [len(values or []) for values in vectors] == [8, 8] and vectors[0] != vectors[1]


def test_create_embeddings_refuses_a_model_that_does_not_embed(client: genai.Client) -> None:
    with pytest.raises(errors.ClientError) as raised:
        client.batches.create_embeddings(model="gemini-2.5-flash", src={"inlined_requests": {"contents": [{"parts": [{"text": "a"}]}]}})  # type: ignore[arg-type]
    assert raised.value.code == 404
