"""The journal and admin API over HTTP, fed by the real google-genai and openai SDKs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import json
import urllib.error
import urllib.parse
import urllib.request
import openai
import pytest
from google import genai
from google.genai import errors, types

from mockgem import MockGemServer
from tests.clients.conftest import genai_client
from tests.conftest import EXAMPLE_RULES

MODEL = "gemini-2.5-flash"
EXAMPLE_CASSETTES = Path(__file__).parent.parent.parent / "mockgem" / "examples" / "cassettes"


def admin(server: MockGemServer, method: str, path: str, *, content: str | None = None, json_body: Any = None,
          params: dict[str, str] | None = None) -> tuple[int, Any]:
    """`(status, JSON body)` of one admin call, over a plain HTTP client."""
    query = f"?{urllib.parse.urlencode(params)}" if params else ""
    data = json.dumps(json_body).encode() if json_body is not None else (content or "").encode() or None
    request = urllib.request.Request(f"{server.url}/_mockgem/{path}{query}", data=data, method=method)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def generate_status(client: genai.Client, contents: str = "weather?") -> int:
    try:
        client.models.generate_content(model=MODEL, contents=contents)
    except errors.APIError as error:
        return error.code
    return 200


def test_journal_keeps_each_sdk_request_and_what_answered_it(server: MockGemServer) -> None:
    client = genai_client(server)
    client.models.generate_content(model=MODEL, contents="weather in Paris?")
    chat = openai.OpenAI(api_key="k", base_url=server.openai_base_url)
    chat.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "json please"}])
    admin(server, "GET", "health")
    status, body = admin(server, "GET", "requests")
    assert status == 200
    native, compat = body["requests"]
    assert native["path"].endswith(f"/models/{MODEL}:generateContent")
    assert native | {"started": 0, "duration_ms": 0, "path": ""} == {
        "number": 1, "started": 0, "duration_ms": 0, "method": "POST", "path": "",
        "status": 200, "surface": "gemini", "action": "generateContent", "model": MODEL,
        "body": {"contents": [{"parts": [{"text": "weather in Paris?"}], "role": "user"}]}, "native_body": None,
        "cassette": None, "answered_by": f"rule 0 in {EXAMPLE_RULES}", "source": "rules", "miss": None, "faults": [], "chunks": [],
            "fallback": None,
    }
    assert compat["surface"] == "openai" and compat["action"] == "chat.completions"
    assert compat["body"]["messages"] == [{"role": "user", "content": "json please"}]
    assert compat["native_body"]["contents"] == [{"role": "user", "parts": [{"text": "json please"}]}]
    assert compat["answered_by"] == f"rule 2 in {EXAMPLE_RULES}"


def test_journal_filters_limits_and_clears(server: MockGemServer) -> None:
    client = genai_client(server)
    client.models.count_tokens(model=MODEL, contents="one")
    client.models.generate_content(model=MODEL, contents="two")
    client.models.generate_content(model="gemini-2.5-pro", contents="three")
    _, body = admin(server, "GET", "requests", params={"action": "generateContent"})
    assert [entry["model"] for entry in body["requests"]] == [MODEL, "gemini-2.5-pro"]
    _, body = admin(server, "GET", "requests", params={"limit": "1"})
    assert [entry["number"] for entry in body["requests"]] == [3]
    assert admin(server, "GET", "requests", params={"limit": "x"})[0] == 400
    _, body = admin(server, "GET", "requests", params={"model": f"models/{MODEL}"})
    assert [entry["number"] for entry in body["requests"]] == [1, 2]
    assert admin(server, "DELETE", "requests") == (200, {})
    assert admin(server, "GET", "requests") == (200, {"requests": []})


def test_journal_refuses_an_unknown_filter(server: MockGemServer) -> None:
    client = genai_client(server)
    client.models.generate_content(model=MODEL, contents="weather?")
    status, body = admin(server, "GET", "requests", params={"status": "200"})
    assert (status, body["error"]["status"]) == (400, "INVALID_ARGUMENT")
    assert body["error"]["message"] == "unknown filter 'status'; valid filters: model, surface, action, source, limit"


def test_journal_keeps_a_miss_with_its_message(make_server: Callable[..., MockGemServer]) -> None:
    server = make_server(cassette_dir=EXAMPLE_CASSETTES)
    client = genai_client(server)
    with pytest.raises(errors.ClientError):
        client.models.generate_content(model=MODEL, contents="never recorded")
    entry = server.requests.last
    assert entry is not None and entry.status == 400 and entry.source is None
    assert entry.miss is not None and "Closest: example.yaml #1" in entry.miss and "never recorded" in entry.miss
    _, stats = admin(server, "GET", "stats")
    assert stats["misses"] == 1 and stats["models"] == {MODEL: {"requests": 1, "hits": 0, "misses": 1, "recorded": 0}}


def test_journal_names_the_faults_and_throttles_applied(make_server: Callable[..., MockGemServer]) -> None:
    server = make_server(rules=EXAMPLE_RULES, quotas=(f"{MODEL}:rpm=1",))
    client = genai_client(server)
    config = types.GenerateContentConfig(http_options=types.HttpOptions(headers={"X-Mockgem-Fault": "latency=1ms"}))
    client.models.generate_content(model=MODEL, contents="hello", config=config)
    with pytest.raises(errors.ClientError):
        client.models.generate_content(model=MODEL, contents="hello again")
    first, second = server.requests
    assert first.faults == ("latency=1ms",)
    assert second.faults == ("quota:rpm",) and second.status == 429


def test_stats_count_hits_and_recordings(make_server: Callable[..., MockGemServer], tmp_path: Path) -> None:
    upstream = make_server(rules=EXAMPLE_RULES)
    recorder = make_server(mode="record", cassette=tmp_path / "c.yaml", upstream=upstream.url)
    recording_client = genai_client(recorder)
    recording_client.models.generate_content(model=MODEL, contents="weather?")
    recorded_stats = admin(recorder, "GET", "stats")[1]
    assert recorded_stats["recorded"] == 1 and recorded_stats["models"][MODEL]["recorded"] == 1
    replayer = make_server(cassette=tmp_path / "c.yaml")
    replaying_client = genai_client(replayer)
    replaying_client.models.generate_content(model=MODEL, contents="weather?")
    stats = admin(replayer, "GET", "stats")[1]
    assert (stats["hits"], stats["recorded"], stats["answeredBy"]) == (1, 0, {"cassettes": 1})
    assert replayer.requests.last is not None and replayer.requests.last.answered_by == "c.yaml #1"


RULES_YAML = """
rules:
  - match: {contains: weather}
    reply: {text: "Raining, posted at run time"}
"""


def test_posted_rules_answer_before_the_startup_rules(server: MockGemServer) -> None:
    client = genai_client(server)
    assert admin(server, "POST", "rules", content=RULES_YAML) == (200, {"loaded": 1, "rules": 8})
    assert client.models.generate_content(model=MODEL, contents="weather?").text == "Raining, posted at run time"
    admin(server, "POST", "rules", json_body={"rules": [], "default": {"text": "new default"}})
    assert client.models.generate_content(model=MODEL, contents="anything").text == "new default"
    assert admin(server, "DELETE", "rules") == (200, {})
    assert client.models.generate_content(model=MODEL, contents="weather?").text == "Sunny, 21 C"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("rules: [{match: {colour: red}, reply: {text: x}}]", "rule 0: key 'match.colour': unknown key"),
        ("rules: [", "not valid JSON or YAML"),
        ("- just a list", "expected a rules document"),
        ("rules: [{reply: {text: x}, fault: [bogus]}]", "rule 0"),
    ],
)
def test_posted_rules_that_do_not_load_get_a_400_naming_the_mistake(server: MockGemServer, body: str, message: str) -> None:
    status, answer = admin(server, "POST", "rules", content=body)
    assert status == 400 and answer["error"]["status"] == "INVALID_ARGUMENT"
    assert message in answer["error"]["message"]


def test_posted_rules_are_numbered_apart_from_the_journal(server: MockGemServer) -> None:
    client = genai_client(server)
    client.models.generate_content(model=MODEL, contents="hello")
    admin(server, "POST", "rules", content=RULES_YAML)
    client.models.generate_content(model=MODEL, contents="weather?")
    status, body = admin(server, "POST", "rules", content="rules: [{match: {colour: red}, reply: {text: x}}]")
    assert status == 400 and body["error"]["message"] == "posted rules #2: rule 0: key 'match.colour': unknown key"
    status, body = admin(server, "POST", "rules", content="{rules: [], bogus: 1}")
    assert status == 400 and body["error"]["message"] == "posted rules #2: key 'bogus': unknown key"
    admin(server, "POST", "rules", content=RULES_YAML)
    client.models.generate_content(model=MODEL, contents="weather?")
    assert [entry.number for entry in server.requests] == [1, 2, 3]
    assert [entry.answered_by for entry in server.requests][1:] == ["rule 0 in posted rules #1", "rule 0 in posted rules #2"]
    server.reset()
    admin(server, "POST", "rules", content=RULES_YAML)
    client.models.generate_content(model=MODEL, contents="weather?")
    assert server.requests.last is not None and server.requests.last.answered_by == "rule 0 in posted rules #1"


def test_posted_rules_answer_before_the_upstream_and_are_not_recorded(make_server: Callable[..., MockGemServer], tmp_path: Path) -> None:
    upstream = make_server(rules=EXAMPLE_RULES)
    recorder = make_server(mode="record", cassette=tmp_path / "c.yaml", upstream=upstream.url)
    assert admin(recorder, "POST", "rules", content=RULES_YAML)[0] == 200
    client = genai_client(recorder)
    assert client.models.generate_content(model=MODEL, contents="weather?").text == "Raining, posted at run time"
    assert client.models.generate_content(model=MODEL, contents="json please").text == '{"name": "x", "items": [1, 2]}'
    assert [entry.source for entry in recorder.requests] == ["rules", "upstream"]
    assert "weather" not in (tmp_path / "c.yaml").read_text()


def test_posted_rules_answer_next_to_cassettes(make_server: Callable[..., MockGemServer]) -> None:
    server = make_server(cassette_dir=EXAMPLE_CASSETTES)
    admin(server, "POST", "rules", content=RULES_YAML)
    client = genai_client(server)
    assert client.models.generate_content(model=MODEL, contents="weather?").text == "Raining, posted at run time"


def test_reset_clears_the_journal_run_time_rules_and_times(server: MockGemServer) -> None:
    client = genai_client(server)
    assert client.models.generate_content(model=MODEL, contents="cut").text == "partial"
    assert client.models.generate_content(model=MODEL, contents="cut").text == "Hello from mockgem."
    admin(server, "POST", "rules", content=RULES_YAML)
    assert admin(server, "POST", "reset") == (200, {})
    assert len(server.requests) == 0 and admin(server, "GET", "stats")[1]["requests"] == 0
    assert client.models.generate_content(model=MODEL, contents="cut").text == "partial"
    assert client.models.generate_content(model=MODEL, contents="weather?").text == "Sunny, 21 C"


@pytest.mark.parametrize("name", ["../escaped", "a/../../escaped", "..\\escaped", "/tmp/escaped", "C:/escaped"])
def test_cassette_names_outside_the_directory_are_refused(make_server: Callable[..., MockGemServer], tmp_path: Path,
                                                          name: str) -> None:
    upstream = make_server(rules=EXAMPLE_RULES)
    recorder = make_server(mode="record", cassette_dir=tmp_path / "cassettes", upstream=upstream.url)
    status, body = admin(recorder, "PUT", "cassette", json_body={"name": name})
    assert (status, body["error"]["status"]) == (400, "INVALID_ARGUMENT") and "cassette directory" in body["error"]["message"]
    client = genai_client(recorder)
    client.models.generate_content(model=MODEL, contents="weather?")
    assert [path.name for path in tmp_path.rglob("*.yaml")] == ["recorded.yaml"]


def test_cassette_name_in_a_subfolder_records_there(make_server: Callable[..., MockGemServer], tmp_path: Path) -> None:
    upstream = make_server(rules=EXAMPLE_RULES)
    recorder = make_server(mode="record", cassette_dir=tmp_path, upstream=upstream.url)
    assert admin(recorder, "PUT", "cassette", json_body={"name": "suite/first"}) == (200, {"active": "suite/first"})
    client = genai_client(recorder)
    client.models.generate_content(model=MODEL, contents="weather?")
    assert (tmp_path / "suite" / "first.yaml").is_file()


@pytest.mark.parametrize(("method", "path"), [("POST", "requests"), ("POST", "stats"), ("PUT", "rules"), ("GET", "reset")])
def test_admin_endpoints_refuse_other_methods(server: MockGemServer, method: str, path: str) -> None:
    assert admin(server, method, path)[0] == 404


async def test_journal_with_the_async_client(server: MockGemServer) -> None:
    client: genai.Client = genai_client(server)
    async for _ in await client.aio.models.generate_content_stream(model=MODEL, contents="long story"):
        pass
    entry = server.requests.last
    assert entry is not None and entry.action == "streamGenerateContent" and entry.status == 200


def test_reset_brings_back_the_faults_the_server_started_with(make_server: Callable[..., MockGemServer]) -> None:
    server = make_server(rules=EXAMPLE_RULES, faults=("latency=1ms",), seed=3)
    admin(server, "PUT", "faults", json_body={"faults": "503", "seed": 9})
    client = genai_client(server)
    assert generate_status(client) == 503
    server.reset()
    assert admin(server, "GET", "faults")[1] == {"faults": ["latency=1ms"], "text": "latency=1ms", "seed": 3}
    assert generate_status(client) == 200


def test_reset_draws_the_seeded_faults_again_from_the_first(make_server: Callable[..., MockGemServer]) -> None:
    server = make_server(rules=EXAMPLE_RULES, faults=("503@0.5",), seed=1)
    client = genai_client(server)
    first_run = [generate_status(client) for _ in range(12)]
    assert set(first_run) == {200, 503}
    admin(server, "POST", "reset")
    assert [generate_status(client) for _ in range(12)] == first_run


def test_reset_forgets_quota_usage_and_throttles(make_server: Callable[..., MockGemServer]) -> None:
    server = make_server(rules=EXAMPLE_RULES, quotas=(f"{MODEL}:rpm=1",))
    client = genai_client(server)
    assert [generate_status(client) for _ in range(2)] == [200, 429]
    admin(server, "PUT", "quotas", json_body={"quotas": [f"{MODEL}:rpm=5"]})
    admin(server, "POST", "reset")
    assert admin(server, "GET", "quotas")[1] == {"quotas": [f"{MODEL}:rpm=1"], "throttled": []}
    assert [generate_status(client) for _ in range(2)] == [200, 429]


def test_admin_rules_get_lists_the_rules_in_force_in_order(server: MockGemServer) -> None:
    admin(server, "POST", "rules", json_body={"rules": [{"match": {"contains": "ping"}, "reply": {"text": "pong"}, "times": 2}]})
    status, body = admin(server, "GET", "rules")
    assert status == 200
    assert body["rules"][0] == {"origin": "rule 0 in posted rules #1", "summary": 'match {"contains": "ping"} -> reply {"text": "pong"}', "remaining": 2}
    assert body["rules"][1]["origin"] == f"rule 0 in {EXAMPLE_RULES}" and body["default"] == '{"text": "Hello from mockgem."}'
