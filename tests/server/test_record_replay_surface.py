"""Record then replay, per family of the google-genai surface: Imagen and Veo, computeTokens,
File Search, tuning, the Interactions API, registered files and embedding batches.

The upstream is a second mockgem on loopback; the recording server forwards and writes every call;
after both stop, a fresh server replays the same client code from the cassette alone, its own new
resources' names mapped to the recorded ones.
"""

from __future__ import annotations

import io
import json
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from google import genai
from google.genai import types
from google.oauth2.credentials import Credentials

from mockgem import MockGemServer
from tests.clients.conftest import genai_client, vertex_genai_client

Start = Callable[..., MockGemServer]
Family = Callable[[MockGemServer], Any]
RULES = {"rules": [{"match": {"contains": "weather"}, "reply": {"text": "Sunny, 21 C"}}], "default": {"text": "From the upstream."}}


def media(server: MockGemServer) -> Any:
    client = vertex_genai_client(server)
    images = client.models.generate_images(model="imagen-4.0-generate-001", prompt="a cat", config=types.GenerateImagesConfig(number_of_images=2))
    operation = client.models.generate_videos(model="veo-3.0-generate-001", source=types.GenerateVideosSource(prompt="a dog"), config=types.GenerateVideosConfig(duration_seconds=1))
    done = client.operations.get(operation)
    videos = done.result.generated_videos if done.result else None
    tokens = client.models.compute_tokens(model="gemini-2.5-flash", contents="hello world").tokens_info
    return ([image.image.image_bytes for image in images.generated_images or [] if image.image], operation.name, done.done,
            [video.video.video_bytes for video in videos or [] if video.video], tokens)


def gemini_video(server: MockGemServer) -> Any:
    def call(path: str, body: object | None = None) -> Any:
        request = urllib.request.Request(f"{server.url}{path}", data=json.dumps(body).encode() if body is not None else None, headers={"x-goog-api-key": "k", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    started = call("/v1beta/models/veo-3.0-generate-001:predictLongRunning", {"instances": [{"prompt": "a clip"}]})
    done = call(f"/v1beta/{started['name']}")
    return started["name"], done["done"], len(done["response"]["generateVideoResponse"]["generatedSamples"])


def file_search(server: MockGemServer) -> Any:
    client = genai_client(server)
    store = client.file_search_stores.create(config={"display_name": "Recorded store"})
    uploaded = client.file_search_stores.upload_to_file_search_store(file_search_store_name=store.name or "", file=io.BytesIO(b"Paris is in France."), config={"mime_type": "text/plain", "display_name": "paris"})  # type: ignore[arg-type]
    file = client.files.upload(file=io.BytesIO(b"Lyon too."), config=types.UploadFileConfig(mime_type="text/plain", display_name="lyon.txt"))
    imported = client.file_search_stores.import_file(file_search_store_name=store.name or "", file_name=file.name or "")
    documents = sorted(d.display_name or "" for d in client.file_search_stores.documents.list(parent=store.name or ""))
    fetched = client.file_search_stores.get(name=store.name or "")
    client.file_search_stores.delete(name=store.name or "", config={"force": True})
    document = (uploaded.response.document_name or "") if uploaded.response else ""
    return documents, document.startswith(f"{store.name}/documents/"), fetched.display_name, bool(imported.name)


def tuning(server: MockGemServer) -> Any:
    client = genai_client(server)
    dataset = types.TuningDataset(examples=[types.TuningExample(text_input="a", output="b")])
    job = client.tunings.tune(base_model="models/gemini-1.5-flash-001-tuning", training_dataset=dataset, config=types.CreateTuningJobConfig(tuned_model_display_name="Recorded tutor"))
    tuned = client.tunings.get(name=job.name or "")
    updated = client.models.update(model=job.name or "", config=types.UpdateModelConfig(description="tuned once"))
    client.models.delete(model=job.name or "")
    vertex = vertex_genai_client(server)
    vertex_job = vertex.tunings.tune(base_model="gemini-2.5-flash", training_dataset=types.TuningDataset(gcs_uri="gs://b/t.jsonl"), config=types.CreateTuningJobConfig(tuned_model_display_name="v"))
    return tuned.state, tuned.tuned_model.model == job.name if tuned.tuned_model else None, updated.description, vertex.tunings.get(name=vertex_job.name or "").state


def interactions(server: MockGemServer) -> Any:
    client = genai_client(server)
    first = client.interactions.create(model="gemini-2.5-flash", input="hello")
    second = client.interactions.create(model="gemini-2.5-flash", input="the weather?", previous_interaction_id=first.id)
    fetched = client.interactions.get(second.id or "")
    streamed = "".join(e.delta.text for e in client.interactions.create(model="gemini-2.5-flash", input="stream the weather", stream=True) if e.event_type == "step.delta")  # type: ignore[union-attr]
    return first.id, first.output_text, second.output_text, fetched.output_text, streamed


def registered_and_embeddings(server: MockGemServer) -> Any:
    client = genai_client(server)
    files = client.files.register_files(auth=Credentials(token="t"), uris=["gs://bucket/a.txt"]).files or []
    job = client.batches.create_embeddings(model="gemini-embedding-001", src={"inlined_requests": {"contents": [{"parts": [{"text": "a"}]}]}})  # type: ignore[arg-type]
    deadline = time.monotonic() + 10
    while not (done := client.batches.get(name=job.name or "")).done and time.monotonic() < deadline:
        time.sleep(0.02)
    responses = done.dest.inlined_embed_content_responses if done.dest else None
    vectors = [item.response.embedding.values for item in responses or [] if item.response and item.response.embedding]
    return [f.display_name for f in files], vectors


FAMILIES: dict[str, Family] = {
    "media": media, "gemini_video": gemini_video, "file_search": file_search, "tuning": tuning,
    "interactions": interactions, "registered_and_embeddings": registered_and_embeddings,
}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_a_recorded_family_replays_without_the_upstream(tmp_path: Path, make_server: Start, family: str) -> None:
    cassette = tmp_path / f"{family}.yaml"
    upstream = make_server(rules=RULES)
    recorder = make_server(mode="record", cassette=cassette, upstream=upstream.url)
    recorded = FAMILIES[family](recorder)
    recorder.stop()
    upstream.stop()
    assert yaml.safe_load(cassette.read_text())["interactions"] and "test-key" not in cassette.read_text()
    replayer = make_server(cassette=cassette)
    assert FAMILIES[family](replayer) == recorded
    assert any(entry.source == "cassettes" for entry in replayer.requests)
