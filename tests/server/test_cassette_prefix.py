"""A base URL's `/_cassette/NAME/` prefix picks the cassette for that client's requests only.

Two clients of one server replay two cassettes at once (what xdist workers sharing a server
do); a name that is not loaded is an error naming it, by prefix, header or the admin API.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import openai
import pytest
import requests
from google import genai
from google.genai import types

from mockgem import MockGemServer
from mockgem.sources.cassettes.formats import load_cassette
from mockgem.sources.cassettes.model import Interaction, RecordedRequest, RecordedResponse
from mockgem.sources.cassettes.store import CassetteStore
from tests.conftest import EXAMPLE_RULES

MODEL = "gemini-2.5-flash"
GENERATE = f"https://generativelanguage.googleapis.com/v1beta/models/{MODEL}:generateContent"
Start = Callable[..., MockGemServer]


def _write(path: Path, answer: str) -> None:
    body = json.dumps({"contents": [{"parts": [{"text": "Hi"}], "role": "user"}]}).encode()
    reply = {"candidates": [{"content": {"parts": [{"text": answer}], "role": "model"}, "finishReason": "STOP"}]}
    request = RecordedRequest("POST", GENERATE, (("content-type", "application/json"),), body)
    path.parent.mkdir(parents=True, exist_ok=True)
    CassetteStore().write(path, [Interaction(request, RecordedResponse(200, (("content-type", "application/json"),), json.dumps(reply).encode()))])


@pytest.fixture
def shelf(tmp_path: Path) -> Path:
    for name, answer in (("a.yaml", "from a"), ("b.yaml", "from b"), ("suite/c.yaml", "from c")):
        _write(tmp_path / "cassettes" / name, answer)
    return tmp_path / "cassettes"


def _genai(base_url: str, headers: dict[str, str] | None = None) -> genai.Client:
    return genai.Client(api_key="k", http_options=types.HttpOptions(base_url=base_url, headers=headers))


def _ask(client: genai.Client) -> str:
    return client.models.generate_content(model=MODEL, contents="Hi").text or ""


def test_prefix_selects_the_cassette_per_client_on_one_server(shelf: Path, make_server: Start) -> None:
    server = make_server(cassette_dir=shelf)
    first, second, nested = (_genai(server.cassette_url(name)) for name in ("a.yaml", "b", "suite/c.yaml"))
    assert [_ask(first), _ask(second), _ask(first), _ask(nested)] == ["from a", "from b", "from a", "from c"]
    assert [entry.cassette for entry in server.requests] == ["a.yaml", "b", "a.yaml", "suite/c.yaml"]
    assert server.requests.fallbacks == [] and server.requests.misses == []


def test_prefix_serves_the_openai_sdk_from_a_native_recording(shelf: Path, make_server: Start) -> None:
    server = make_server(cassette_dir=shelf)
    client = openai.OpenAI(api_key="k", base_url=f"{server.cassette_url('b.yaml')}/v1beta/openai/")
    completion = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "Hi"}])
    assert completion.choices[0].message.content == "from b"


def test_prefix_naming_no_loaded_cassette_is_an_error_naming_it(shelf: Path, make_server: Start) -> None:
    server = make_server(cassette_dir=shelf)
    with pytest.raises(genai.errors.ClientError) as caught:
        _ask(_genai(server.cassette_url("missing.yaml")))
    assert caught.value.code == 400 and "no cassette 'missing.yaml' is loaded" in str(caught.value)
    assert "a.yaml" in str(caught.value) and server.requests.misses[-1].cassette == "missing.yaml"


def test_header_naming_no_loaded_cassette_is_an_error_naming_it(shelf: Path, make_server: Start) -> None:
    server = make_server(cassette_dir=shelf)
    with pytest.raises(genai.errors.ClientError) as caught:
        _ask(_genai(server.url, {"X-Mockgem-Cassette": "nope"}))
    assert "no cassette 'nope' is loaded" in str(caught.value)


def test_selecting_no_loaded_cassette_by_the_admin_api_is_a_404_naming_it(shelf: Path, make_server: Start) -> None:
    server = make_server(cassette_dir=shelf)
    refused = requests.put(f"{server.url}/_mockgem/cassette", json={"name": "nope"}, timeout=10)
    assert refused.status_code == 404 and "no cassette 'nope' is loaded" in refused.json()["error"]["message"]
    assert requests.put(f"{server.url}/_mockgem/cassette", json={"name": "b"}, timeout=10).json() == {"active": "b.yaml"}


def test_prefix_records_into_the_cassette_it_names(tmp_path: Path, make_server: Start) -> None:
    upstream = make_server(rules=EXAMPLE_RULES)
    recorder = make_server(mode="record", cassette_dir=tmp_path, upstream=upstream.url)
    client = _genai(recorder.cassette_url("suite/new"))
    client.models.generate_content(model=MODEL, contents="weather in Paris?")
    assert [i.request.uri.rsplit("/", 1)[-1] for i in load_cassette(tmp_path / "suite" / "new.yaml").interactions] == [f"{MODEL}:generateContent"]


def test_prefix_is_kept_by_the_upload_session_url(shelf: Path, make_server: Start) -> None:
    server = make_server(cassette_dir=shelf)
    client = _genai(server.cassette_url("a.yaml"))
    uploaded = client.files.upload(file=io.BytesIO(b"some text"), config=types.UploadFileConfig(mime_type="text/plain"))
    assert uploaded.name and {entry.cassette for entry in server.requests} == {"a.yaml"}
