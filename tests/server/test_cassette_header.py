"""`X-Mockgem-Cassette` names a cassette inside the cassette directory, never a path outside it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from google.genai import errors, types

from mockgem import MockGemServer
from tests.clients.conftest import genai_client
from tests.conftest import EXAMPLE_RULES


@pytest.mark.parametrize("name", ["../escape", "/tmp/escape", "sub/../../escape", "..\\escape", "C:/escape"])
def test_a_cassette_header_outside_the_directory_is_refused(tmp_path: Path, make_server: Callable[..., MockGemServer], name: str) -> None:
    upstream = make_server(rules=EXAMPLE_RULES)
    recorder = make_server(mode="record", cassette_dir=tmp_path / "cassettes", upstream=upstream.url)
    client = genai_client(recorder)
    config = types.GenerateContentConfig(http_options=types.HttpOptions(headers={"X-Mockgem-Cassette": name}))
    with pytest.raises(errors.ClientError) as caught:
        client.models.generate_content(model="gemini-2.5-flash", contents="hi", config=config)
    assert caught.value.code == 400 and "inside the cassette directory" in (caught.value.message or "")
    assert list(tmp_path.rglob("*.yaml")) == []


def test_a_cassette_header_inside_the_directory_records_there(tmp_path: Path, make_server: Callable[..., MockGemServer]) -> None:
    upstream = make_server(rules=EXAMPLE_RULES)
    recorder = make_server(mode="record", cassette_dir=tmp_path, upstream=upstream.url)
    client = genai_client(recorder)
    config = types.GenerateContentConfig(http_options=types.HttpOptions(headers={"X-Mockgem-Cassette": "suite/one"}))
    client.models.generate_content(model="gemini-2.5-flash", contents="hi", config=config)
    assert (tmp_path / "suite" / "one.yaml").exists()
