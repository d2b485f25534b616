"""A request refused by a quota or a header fault is refused before any source is asked."""

from __future__ import annotations

from collections.abc import Callable

import urllib.request

import pytest
from google import genai
from google.genai import errors, types

from mockgem import MockGemServer

RULES = {"rules": [{"match": {"contains": "hi"}, "reply": {"text": "once"}, "times": 1}], "default": {"text": "later"}}


def client_for(server: MockGemServer, headers: dict[str, str] | None = None) -> genai.Client:
    return genai.Client(api_key="k", http_options=types.HttpOptions(base_url=server.url, headers=headers or {}))


def test_header_fault_does_not_use_up_a_rule(make_server: Callable[..., MockGemServer]) -> None:
    server = make_server(rules=RULES)
    faulty = client_for(server, {"X-Mockgem-Fault": "503"})
    with pytest.raises(errors.ServerError):
        faulty.models.generate_content(model="gemini-2.5-flash", contents="hi")
    assert client_for(server).models.generate_content(model="gemini-2.5-flash", contents="hi").text == "once"


def test_throttled_request_does_not_use_up_a_rule(make_server: Callable[..., MockGemServer]) -> None:
    server = make_server(rules=RULES, quotas=("gemini-2.5-flash:rpm=1",))
    client = client_for(server)
    assert client.models.generate_content(model="gemini-2.5-flash", contents="warm up").text == "later"
    with pytest.raises(errors.ClientError) as caught:
        client.models.generate_content(model="gemini-2.5-flash", contents="hi")
    assert caught.value.code == 429
    urllib.request.urlopen(urllib.request.Request(f"{server.url}/_mockgem/quotas", method="DELETE")).close()
    assert client.models.generate_content(model="gemini-2.5-flash", contents="hi").text == "once"
