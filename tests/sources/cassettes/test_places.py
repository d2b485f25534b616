"""Cassettes stay where the loader reads them (issue 17, defects 7 and 11): no symlink leads a
recording, or a load, outside the cassette directory; names the loader would skip are refused;
temporary files of a killed write are removed; `?upload_id=` frees only the upload path."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from google import genai
from google.genai import errors, types

from mockgem import MockGemServer
from mockgem.sources.cassettes.formats import load_cassette
from mockgem.sources.cassettes.model import Interaction, RecordedRequest, RecordedResponse
from mockgem.sources.cassettes.store import CassetteStore
from tests.raw_http import GENERATE, request_bytes, send_raw

MODEL = "gemini-2.5-flash"
Start = Callable[..., MockGemServer]
HOST = "https://generativelanguage.googleapis.com"


def client_with_cassette(server: MockGemServer, name: str | None = None) -> genai.Client:
    headers = {"X-Mockgem-Cassette": name} if name else {}
    return genai.Client(api_key="k", http_options=types.HttpOptions(base_url=server.url, headers=headers, retry_options=types.HttpRetryOptions(attempts=1)))


def recorded_answer(prompt: str, text: str) -> Interaction:
    body = ('{"contents": [{"parts": [{"text": "%s"}], "role": "user"}]}' % prompt).encode()
    answer = ('{"candidates": [{"content": {"role": "model", "parts": [{"text": "%s"}]}}]}' % text).encode()
    request = RecordedRequest("POST", f"{HOST}/v1beta/models/{MODEL}:generateContent", (("content-type", "application/json"),), body)
    return Interaction(request, RecordedResponse(200, (("content-type", "application/json"),), answer))


@pytest.fixture
def recorder(tmp_path: Path, make_server: Start) -> MockGemServer:
    upstream = make_server(rules={"default": {"text": "recorded"}})
    (tmp_path / "cassettes").mkdir()
    return make_server(mode="record", cassette_dir=tmp_path / "cassettes", upstream=upstream.url)


def test_directory_symlink_does_not_lead_a_recording_outside(tmp_path: Path, recorder: MockGemServer) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "cassettes" / "linkdir").symlink_to(outside, target_is_directory=True)
    client = client_with_cassette(recorder, "linkdir/x")
    with pytest.raises(errors.APIError) as caught:
        client.models.generate_content(model=MODEL, contents="hi")
    assert caught.value.code == 400 and "symlink" in (caught.value.message or "")
    assert list(outside.iterdir()) == []


def test_symlinked_file_outside_the_directory_is_not_loaded(tmp_path: Path, make_server: Start) -> None:
    directory, outside = tmp_path / "cassettes", tmp_path / "secret.yaml"
    directory.mkdir()
    CassetteStore().write(outside, [recorded_answer("hi", "from outside")])
    CassetteStore().write(directory / "inside.yaml", [recorded_answer("hello", "from inside")])
    (directory / "link.yaml").symlink_to(outside)
    (directory / "linkdir").symlink_to(tmp_path, target_is_directory=True)
    replay = make_server(cassette_dir=directory)
    client = client_with_cassette(replay)
    assert client.models.generate_content(model=MODEL, contents="hello").text == "from inside"
    with pytest.raises(errors.APIError) as caught:
        client.models.generate_content(model=MODEL, contents="hi")
    assert caught.value.code == 400  # a miss: the file outside was never loaded


@pytest.mark.parametrize("name", [".", "./", "README.md", "notes.txt", ".hidden", "dir/.x", "x/", "a\\.."])
def test_cassette_name_the_loader_would_skip_is_refused(recorder: MockGemServer, name: str, tmp_path: Path) -> None:
    client = client_with_cassette(recorder, name)
    with pytest.raises(errors.APIError) as caught:
        client.models.generate_content(model=MODEL, contents="hi")
    assert caught.value.code == 400
    admin = send_raw(recorder.port, request_bytes("PUT", "/_mockgem/cassette", ('{"name": "%s"}' % name.replace("\\", "\\\\")).encode()))
    assert admin.status == 400
    assert list((tmp_path / "cassettes").iterdir()) == []


def test_cassette_named_without_a_suffix_is_written_where_the_loader_reads_it(recorder: MockGemServer, tmp_path: Path, make_server: Start) -> None:
    client = client_with_cassette(recorder, "suite/notes")
    assert client.models.generate_content(model=MODEL, contents="hi").text == "recorded"
    recorder.stop()
    replay = client_with_cassette(make_server(cassette_dir=tmp_path / "cassettes"), "suite/notes")
    assert replay.models.generate_content(model=MODEL, contents="hi").text == "recorded"


def test_temporary_files_of_a_killed_write_are_removed_at_load(tmp_path: Path, make_server: Start) -> None:
    directory = tmp_path / "cassettes"
    (directory / "sub").mkdir(parents=True)
    stale, fresh = directory / "sub" / ".rec.yaml.k3j9x_a2.tmp", directory / ".rec.yaml.abcd1234.tmp"
    stale.write_text("interactions: [")
    fresh.write_text("interactions: [")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    make_server(cassette_dir=directory)
    assert not stale.exists() and fresh.exists()  # a fresh one may be another server's write in progress


def test_torn_append_leaves_a_loadable_cassette(tmp_path: Path) -> None:
    path, store = tmp_path / "rec.yaml", CassetteStore()
    for n in range(3):
        store.append(path, recorded_answer(f"p{n}", f"a{n}"))
    whole = path.read_bytes()
    lengths = {len(load_cassette(_with(path, whole[:cut])).interactions) for cut in range(len(whole) // 2, len(whole) - 1)}
    assert lengths <= {1, 2} and 2 in lengths


def _with(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "target",
    [GENERATE, GENERATE.replace("generateContent", "streamGenerateContent"), "/v1beta/openai/chat/completions", "/v1beta/files", "/v1beta/files/abc", "/v1beta/cachedContents"],
)
def test_upload_id_frees_only_the_upload_path_from_the_key(make_server: Start, target: str) -> None:
    server = make_server(api_keys=("the-key",), rules={"default": {"text": "x"}})
    method = "GET" if target.startswith("/v1beta/files") else "POST"
    sent = request_bytes(method, f"{target}?upload_id=anything", b'{"contents": [{"parts": [{"text": "hi"}]}]}', {"x-goog-api-key": ""})
    answer = send_raw(server.port, sent.replace(b"x-goog-api-key: \r\n", b""))
    assert answer.status == 403 and "API Key" in answer.error()["message"]
