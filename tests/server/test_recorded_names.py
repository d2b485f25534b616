"""Record an upload / cache / batch conversation through mockgem, stop the upstream, replay it.

The upstream is a second mockgem serving rules on loopback; replay runs the same client code on
a fresh server, whose new uploads, caches and batches get new names that map to the recorded ones.
"""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from google import genai
from google.genai import types

from mockgem import MockGemServer
from mockgem.protocol.calls import ApiCall, ApiRequest
from mockgem.resources.names import NameMap
from mockgem.server.recorded_names import NameMappedSource
from mockgem.sources.base import Answer, FunctionSource, Miss
from tests.clients.conftest import genai_client

MODEL = "gemini-2.5-flash"
LONG_TEXT = "The mock server keeps context. " * 200
UPSTREAM_RULES = {
    "rules": [
        {"match": {"file": "*"}, "reply": {"text": "The file is about mocks."}},
        {"match": {"contains": "summarise"}, "reply": {"text": "A summary of the cache."}},
        {"match": {"contains": "batched"}, "reply": {"text": "A batched answer."}},
    ],
    "default": {"text": "Hello from the upstream."},
}
BATCH = [{"contents": [{"parts": [{"text": "a batched question"}], "role": "user"}]}]


@dataclass(frozen=True)
class Conversation:
    file_name: str
    about_file: str
    cache_name: str
    about_cache: str
    batch_name: str
    batch_answers: tuple[str, ...]


def converse(client: genai.Client, document: Path) -> Conversation:
    """Upload, ask about the file, cache, ask with the cache, run a batch: as an app would."""
    file = client.files.upload(file=document)
    about_file = client.models.generate_content(model=MODEL, contents=[file, "What is in this file?"])
    cache = client.caches.create(model=MODEL, config=types.CreateCachedContentConfig(contents=[LONG_TEXT], ttl="300s"))
    with_cache = types.GenerateContentConfig(cached_content=cache.name)
    about_cache = client.models.generate_content(model=MODEL, contents="Please summarise it", config=with_cache)
    job = client.batches.create(model=MODEL, src=BATCH)  # type: ignore[arg-type]
    done = wait_until_done(client, job.name or "")
    assert done.name == job.name and done.dest and done.dest.inlined_responses
    answers = tuple(item.response.text or "" for item in done.dest.inlined_responses if item.response)
    return Conversation(file.name or "", about_file.text or "", cache.name or "", about_cache.text or "", job.name or "", answers)


def wait_until_done(client: genai.Client, name: str, timeout: float = 10.0) -> types.BatchJob:
    deadline = time.monotonic() + timeout
    while not (job := client.batches.get(name=name)).done and time.monotonic() < deadline:
        time.sleep(0.05)
    return job


@pytest.fixture
def document(tmp_path: Path) -> Path:
    path = tmp_path / "notes.txt"
    path.write_text("mockgem records and replays the Gemini API.")
    return path


@pytest.fixture
def recorded(tmp_path: Path, document: Path, make_server: Callable[..., MockGemServer]) -> tuple[Path, Conversation]:
    upstream = make_server(rules=UPSTREAM_RULES)
    cassette = tmp_path / "cassettes" / "resources.yaml"
    recorder = make_server(mode="record", cassette=cassette, upstream=upstream.url)
    conversation = converse(genai_client(recorder), document)
    recorder.stop()
    upstream.stop()
    return cassette, conversation


def test_record_forwards_resource_calls_to_the_upstream(recorded: tuple[Path, Conversation]) -> None:
    _, conversation = recorded
    assert conversation.about_file == "The file is about mocks."
    assert conversation.about_cache == "A summary of the cache."
    assert conversation.batch_answers == ("A batched answer.",)


def test_record_writes_every_resource_call_without_the_key(recorded: tuple[Path, Conversation]) -> None:
    cassette, _ = recorded
    text = cassette.read_text()
    uris = [item["request"]["uri"] for item in yaml.safe_load(text)["interactions"]]
    assert any("/files?upload_id=" in uri for uri in uris)
    assert any(uri.endswith("/cachedContents") for uri in uris)
    assert any(":batchGenerateContent" in uri for uri in uris) and any("/batches/" in uri for uri in uris)
    assert "test-key" not in text


def test_replay_maps_new_names_to_the_recorded_ones(recorded: tuple[Path, Conversation], document: Path, make_server: Callable[..., MockGemServer]) -> None:
    cassette, original = recorded
    replayed = converse(genai_client(make_server(cassette=cassette)), document)
    assert (replayed.about_file, replayed.about_cache, replayed.batch_answers) == (original.about_file, original.about_cache, original.batch_answers)
    assert replayed.file_name != original.file_name and replayed.cache_name != original.cache_name
    assert replayed.batch_name != original.batch_name


def test_reset_forgets_the_learned_names(recorded: tuple[Path, Conversation], document: Path, make_server: Callable[..., MockGemServer]) -> None:
    cassette, _ = recorded
    server = make_server(cassette=cassette)
    client = genai_client(server)
    file = client.files.upload(file=document)
    with urllib.request.urlopen(urllib.request.Request(f"{server.url}/_mockgem/reset", data=b"", method="POST")) as response:
        assert response.status == 200
    with pytest.raises(genai.errors.ClientError):
        client.models.generate_content(model=MODEL, contents=[file, "What is in this file?"])
    # Not mapped any more, the live name misses the recording; the file is gone from this run too.
    assert server.requests.last is not None and server.requests.last.source is None


def test_auto_replays_a_recorded_question_about_a_new_upload(tmp_path: Path, document: Path, make_server: Callable[..., MockGemServer]) -> None:
    upstream = make_server(rules=UPSTREAM_RULES)
    cassette = tmp_path / "auto.yaml"
    recorded: list[list[str]] = []
    for _ in range(2):
        client = genai_client(make_server(mode="auto", cassette=cassette, upstream=upstream.url))
        file = client.files.upload(file=document)
        assert client.models.generate_content(model=MODEL, contents=[file, "What is in this file?"]).text == "The file is about mocks."
        recorded.append([item["request"]["uri"] for item in yaml.safe_load(cassette.read_text())["interactions"]])
    assert sum(":generateContent" in uri for uri in recorded[1]) == 1
    # The second run forwards the upload (the upstream needs the file) but does not record it again.
    assert recorded[1] == recorded[0]


async def test_name_mapped_source_asks_under_recorded_names_and_answers_under_live_ones() -> None:
    names = NameMap()
    names.learn("files/rec", "files/live")
    asked: list[ApiRequest] = []

    async def recorded(api: ApiRequest) -> Answer | Miss:
        asked.append(api)
        return Answer(({"name": "files/rec"},), raw=b'{"name": "files/rec"}')

    live = ApiRequest(ApiCall("gemini", "v1beta", "files.get", resource="live"), {"note": "files/live"})
    result = await NameMappedSource(FunctionSource(recorded), names).answer(live)
    assert (asked[0].call.resource, asked[0].body) == ("rec", {"note": "files/rec"})
    assert isinstance(result, Answer) and result.body == {"name": "files/live"} and result.raw == b'{"name": "files/live"}'


def upload_multipart(server: MockGemServer, boundary: str, content: bytes = b"notes about mocks") -> str:
    """A multipart upload over plain HTTP, as older clients send it; returns the file's name."""
    body = (
        f'--{boundary}\r\nContent-Type: application/json\r\n\r\n{{"file": {{"displayName": "notes"}}}}\r\n'
        f"--{boundary}\r\nContent-Type: text/plain\r\n\r\n"
    ).encode() + content + f"\r\n--{boundary}--\r\n".encode()
    headers = {"X-Goog-Upload-Protocol": "multipart", "Content-Type": f"multipart/related; boundary={boundary}", "x-goog-api-key": "k"}
    request = urllib.request.Request(f"{server.url}/upload/v1beta/files", data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request) as response:
        return str(yaml.safe_load(response.read())["file"]["name"])


GOOGLE_FILES = "https://generativelanguage.googleapis.com/v1beta"


def test_a_recorded_multipart_upload_then_question_replays_against_a_new_upload(tmp_path: Path, make_server: Callable[..., MockGemServer]) -> None:
    upstream = make_server(rules=UPSTREAM_RULES)
    cassette = tmp_path / "multipart.yaml"
    recorder = make_server(mode="record", cassette=cassette, upstream=upstream.url)
    recorded_name = upload_multipart(recorder, "first-boundary")
    recording_client = genai_client(recorder)
    question = [types.Part.from_uri(file_uri=f"{GOOGLE_FILES}/{recorded_name}", mime_type="text/plain"), "What is in this file?"]
    assert recording_client.models.generate_content(model=MODEL, contents=question).text == "The file is about mocks."
    upstream.stop()
    replayer = make_server(cassette=cassette)
    live_name = upload_multipart(replayer, "another-boundary")
    assert live_name != recorded_name
    client = genai_client(replayer)
    live_question = [types.Part.from_uri(file_uri=f"{GOOGLE_FILES}/{live_name}", mime_type="text/plain"), "What is in this file?"]
    assert client.models.generate_content(model=MODEL, contents=live_question).text == "The file is about mocks."


@pytest.mark.parametrize("multipart", [False, True])
def test_uploads_over_the_blob_limit_are_recorded_as_their_digest_and_still_replay(tmp_path: Path, make_server: Callable[..., MockGemServer], multipart: bool) -> None:
    data = bytes(range(256)) * 256  # 64 KiB
    document = tmp_path / "data.bin"
    document.write_bytes(data)
    upstream = make_server(rules=UPSTREAM_RULES)
    cassette = tmp_path / "hashed.yaml"
    recorder = make_server(mode="record", cassette=cassette, upstream=upstream.url, hash_blobs_over=1024)

    def upload_then_ask(server: MockGemServer) -> str | None:
        client = genai_client(server)
        if multipart:
            name = upload_multipart(server, f"boundary-{id(server)}", data)
            part = types.Part.from_uri(file_uri=client.files.get(name=name).uri or "", mime_type="text/plain")
        else:
            file = client.files.upload(file=document, config=types.UploadFileConfig(mime_type="application/octet-stream"))
            part = types.Part.from_uri(file_uri=file.uri or "", mime_type="application/octet-stream")
        return client.models.generate_content(model=MODEL, contents=[part, "What is in this file?"]).text

    assert upload_then_ask(recorder) == "The file is about mocks."
    text = cassette.read_text()
    assert "sha256-bytes:" in text and len(text) < len(data)
    upstream.stop()
    assert upload_then_ask(make_server(cassette=cassette)) == "The file is about mocks."
