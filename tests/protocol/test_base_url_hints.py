"""A 404 whose path shows a wrong base URL says which one to use: the pure hint, then real clients."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import openai
import pytest
from google import genai
from google.genai import errors

from mockgem import MockGemServer
from mockgem.protocol.base_url_hints import hint_for

HINTS = [
    ("POST", "/v1beta/v1beta/models/gemini-2.5-flash:generateContent", "must not end in /v1beta"),
    ("POST", "/prefix/v1/v1beta/models/gemini-2.5-flash:generateContent", "must not end in /prefix/v1"),
    ("POST", "/v1/chat/completions", "lives under /v1beta/openai/, not /v1/"),
    ("POST", "/chat/completions", "lives under /v1beta/openai/, not /"),
    ("POST", "/v1/openai/chat/completions", "not /v1/openai/"),
    ("POST", "/v1beta/embeddings", "not /v1beta/"),
    ("POST", "/v1beta/openai/v1beta/openai/chat/completions", "repeats the OpenAI-compatible prefix"),
    ("POST", "/models/gemini-2.5-flash:generateContent", "has no API version"),
    ("GET", "/", "This is mockgem"),
]
NO_HINT = [
    ("POST", "/v1beta/openai/chat/completions"),
    ("POST", "/"),
    ("GET", "/favicon.ico"),
    ("POST", "/v1beta/models/gemini-2.5-flash:unknownMethod"),
]


@pytest.mark.parametrize(("method", "path", "expected"), HINTS)
def test_hint_for_names_the_base_url_to_use(method: str, path: str, expected: str) -> None:
    hint = hint_for(method, path)
    assert hint is not None and expected in hint


@pytest.mark.parametrize(("method", "path"), NO_HINT)
def test_hint_for_stays_silent_when_the_path_suggests_nothing(method: str, path: str) -> None:
    assert hint_for(method, path) is None


def test_hint_reaches_a_google_genai_client_with_a_doubled_version(server: MockGemServer) -> None:
    client = genai.Client(api_key="k", http_options={"base_url": f"{server.url}/v1beta", "api_version": "v1beta"})
    with pytest.raises(errors.ClientError) as raised:
        client.models.generate_content(model="gemini-2.5-flash", contents="hi")
    assert raised.value.code == 404
    assert "Method not found. The path names the API version twice" in str(raised.value)


def test_hint_reaches_an_openai_client_on_the_wrong_base_url(server: MockGemServer) -> None:
    client = openai.OpenAI(api_key="k", base_url=f"{server.url}/v1", max_retries=0)
    with pytest.raises(openai.NotFoundError) as raised:
        client.chat.completions.create(model="gemini-2.5-flash", messages=[{"role": "user", "content": "hi"}])
    assert "http://HOST:PORT/v1beta/openai/" in str(raised.value)


def test_root_path_in_a_browser_says_this_is_mockgem_and_where_the_inspector_is(server: MockGemServer) -> None:
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(f"{server.url}/")
    assert raised.value.code == 404
    assert "This is mockgem, a mock of the Gemini API: open /_mockgem/" in json.load(raised.value)["error"]["message"]
