"""The parsed-cassette cache beside a cassette directory, seen by a real google-genai client."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest
from google import genai
from google.genai import types

from mockgem import MockGemServer
from mockgem.sources.cassettes.formats import load_cassette
from mockgem.sources.cassettes.model import Interaction, RecordedRequest, RecordedResponse
from mockgem.sources.cassettes.parsed_cache import CACHE_DIR, SWITCH
from mockgem.sources.cassettes.store import CassetteStore

URI = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent"


@pytest.fixture(autouse=True)
def cache_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SWITCH, "on")  # the suite turns it off so that the shared corpus is never written to


def write_cassette(path: Path, answer: str) -> None:
    prompt = json.dumps({"contents": [{"role": "user", "parts": [{"text": "Weather?"}]}]}).encode()
    reply = json.dumps({"candidates": [{"content": {"parts": [{"text": answer}], "role": "model"}, "finishReason": "STOP"}]}).encode()
    response = RecordedResponse(200, (("content-type", "application/json"),), reply)
    path.unlink(missing_ok=True)
    CassetteStore().append(path, Interaction(RecordedRequest("POST", URI, (("content-type", "application/json"),), prompt), response))


def replayed_text(directory: Path) -> str | None:
    with MockGemServer(cassette_dir=directory) as server:
        client = genai.Client(api_key="k", http_options=types.HttpOptions(base_url=server.url))
        return client.models.generate_content(model="gemini-2.5-flash", contents="Weather?").text


@pytest.fixture
def directory(tmp_path: Path) -> Path:
    write_cassette(tmp_path / "suite" / "weather.yaml", "Sunny")
    return tmp_path


def entry_of(directory: Path) -> Path:
    return directory / CACHE_DIR / "suite" / "weather.yaml.json"


def test_parsed_cache_written_beside_the_cassettes_and_ignored_by_git(directory: Path) -> None:
    assert replayed_text(directory) == "Sunny"
    assert entry_of(directory).is_file()
    assert (directory / CACHE_DIR / ".gitignore").read_text().splitlines()[-1] == "*"


def test_parsed_cache_hit_answers_from_the_entry(directory: Path) -> None:
    replayed_text(directory)
    entry = entry_of(directory)
    # The entry still matches the file's digest, so what it holds is served: proof it was read.
    entry.write_bytes(entry.read_bytes().replace(b"Sunny", b"Cached"))
    assert replayed_text(directory) == "Cached"


def test_parsed_cache_stale_after_an_edit_is_parsed_again(directory: Path) -> None:
    replayed_text(directory)
    write_cassette(directory / "suite" / "weather.yaml", "Rainy")
    assert replayed_text(directory) == "Rainy"
    assert b"Rainy" in entry_of(directory).read_bytes()


@pytest.mark.parametrize("content", [b"", b"{not json", b'{"digest": 1}', b"[]", b'{"digest": "x", "readers": "y"}'])
def test_parsed_cache_corrupted_entry_ignored_and_rewritten(directory: Path, content: bytes) -> None:
    replayed_text(directory)
    entry = entry_of(directory)
    entry.write_bytes(content)
    assert replayed_text(directory) == "Sunny"
    assert orjson.loads(entry.read_bytes())["format"] == "vcrpy"


def test_parsed_cache_entry_with_a_wrong_shape_ignored(directory: Path) -> None:
    replayed_text(directory)
    entry = entry_of(directory)
    document = orjson.loads(entry.read_bytes())
    document["interactions"] = [[["POST"], 7]]
    entry.write_bytes(orjson.dumps(document))
    assert replayed_text(directory) == "Sunny"


def test_parsed_cache_off_writes_nothing(directory: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SWITCH, "off")
    assert replayed_text(directory) == "Sunny"
    assert not (directory / CACHE_DIR).exists()


def test_parsed_cache_read_only_directory_still_replays(directory: Path) -> None:
    (directory / CACHE_DIR).write_text("a file where the cache directory would go")
    assert replayed_text(directory) == "Sunny"


def test_parsed_cache_keeps_every_byte_of_a_body(tmp_path: Path) -> None:
    body = bytes(range(256))
    path = tmp_path / "bytes.yaml"
    CassetteStore().append(path, Interaction(RecordedRequest("POST", URI, (), body), RecordedResponse(200, (("content-type", "application/octet-stream"),), body, "OK", (0.5,))))
    first, second = load_cassette(path, tmp_path), load_cassette(path, tmp_path)
    assert (tmp_path / CACHE_DIR / "bytes.yaml.json").is_file()
    assert second.interactions == first.interactions
    assert second.interactions[0].response.body == body
