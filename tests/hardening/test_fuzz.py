"""A hypothesis fuzz of every endpoint family, the admin API included, over raw sockets.

Each example is one request an attacker or a broken client could send: the right or a wrong
method, a valid body with one value replaced by anything JSON can hold (lone surrogates, huge
numbers, deep nesting), bytes that are no JSON, odd queries (Unicode digits, long numbers) and
headers (fault terms, cassette names, encodings, upload commands). Every answer must be the
API's envelope or a well-formed success, never a 5xx; afterwards a real client is answered and
the server's memory has not grown past a bound. Sizes: `sizes.scale` (more under `make soak`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from google import genai
from google.genai import types
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockgem import MockGemServer
from tests.hardening.sizes import SOAK, scale
from tests.raw_http import RawAnswer, request_bytes, send_raw

MIB = 1024 * 1024
EXAMPLES = scale(ci=400, soak=20_000)
TEXT = {"role": "user", "parts": [{"text": "hi"}]}
GENERATE = {"contents": [TEXT], "generationConfig": {"temperature": 0.5, "maxOutputTokens": 10, "responseMimeType": "text/plain"},
            "tools": [{"functionDeclarations": [{"name": "f", "parameters": {"type": "object", "properties": {"a": {"type": "integer"}}}}]}]}
# (method, path, template body) per endpoint family; {model} and {name} are filled in.
FAMILIES: list[tuple[str, str, Any]] = [
    ("POST", "/v1beta/models/{model}:generateContent", GENERATE),
    ("POST", "/v1beta/models/{model}:streamGenerateContent?alt=sse", GENERATE),
    ("POST", "/v1beta/models/{model}:streamGenerateContent", GENERATE),
    ("POST", "/v1/models/{model}:generateContent", GENERATE),
    ("POST", "/v1beta/models/{model}:countTokens", {"contents": [TEXT]}),
    ("POST", "/v1beta/models/text-embedding-004:embedContent", {"content": TEXT, "taskType": "RETRIEVAL_QUERY"}),
    ("POST", "/v1beta/models/text-embedding-004:batchEmbedContents", {"requests": [{"model": "models/text-embedding-004", "content": TEXT}]}),
    ("GET", "/v1beta/models", None),
    ("GET", "/v1beta/models/{model}", None),
    ("POST", "/v1/projects/p/locations/us-central1/publishers/google/models/{model}:generateContent", GENERATE),
    ("POST", "/v1beta/openai/chat/completions", {"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "hi"}], "stream": False}),
    ("POST", "/v1beta/openai/chat/completions", {"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "hi"}], "stream": True}),
    ("POST", "/v1beta/openai/embeddings", {"model": "text-embedding-004", "input": ["hi"]}),
    ("GET", "/v1beta/openai/models", None),
    ("POST", "/upload/v1beta/files", {"file": {"displayName": "x", "mimeType": "text/plain"}}),
    ("POST", "/upload/v1beta/files?upload_id={name}&upload_protocol=resumable", b"hello"),
    ("GET", "/v1beta/files", None),
    ("GET", "/v1beta/files/{name}", None),
    ("DELETE", "/v1beta/files/{name}", None),
    ("GET", "/v1beta/files/{name}:download?alt=media", None),
    ("POST", "/v1beta/cachedContents", {"model": "models/gemini-2.5-flash", "contents": [{"role": "user", "parts": [{"text": "word " * 1200}]}], "ttl": "60s"}),
    ("GET", "/v1beta/cachedContents", None),
    ("PATCH", "/v1beta/cachedContents/{name}", {"ttl": "30s"}),
    ("POST", "/v1beta/models/{model}:batchGenerateContent", {"batch": {"displayName": "b", "inputConfig": {"requests": {"requests": [{"request": {"contents": [TEXT]}, "metadata": {"key": "k"}}]}}}}),
    ("GET", "/v1beta/batches", None),
    ("POST", "/v1beta/batches/{name}:cancel", None),
    ("GET", "/_mockgem/requests?limit=5", None),
    ("GET", "/_mockgem/stats", None),
    ("GET", "/_mockgem/cassettes", None),
    ("PUT", "/_mockgem/cassette", {"name": "fuzzed"}),
    ("POST", "/_mockgem/rules", {"rules": [{"match": {"contains": "zz", "regex": "z+"}, "reply": {"text": "y"}, "times": 1}]}),
    ("PUT", "/_mockgem/faults", {"faults": "404@0.5", "seed": 3}),
    ("PUT", "/_mockgem/quotas", {"quotas": ["gemini-2.5-flash:rpm=1000"]}),
    ("GET", "/_mockgem/health", None),
]
# Fault terms a client may send: valid ones that answer at once, and broken ones; never those
# meant to break the connection (reset, cut, stall, empty, malformed-at), nor a 5xx on purpose.
FAULT_TERMS = ["404", "429", "429=1s", "block=SAFETY", "finish=MAX_TOKENS", "error-at=1:400", "403@0.5", "latency=1ms",
               "nonsense", "429=" + "9" * 400 + "s", "cut=" + "9" * 5000, "latency=5ms..1ms", "503:x", "", "\u00b2"]
MUTATING_ADMIN = ("/_mockgem/rules", "/_mockgem/faults", "/_mockgem/quotas", "/_mockgem/cassette")


def json_values() -> st.SearchStrategy[Any]:
    """Anything JSON can say, and what it should not: lone surrogates, huge or tiny numbers."""
    text = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=()), max_size=20)
    scalars = st.one_of(st.none(), st.booleans(), text, st.integers(), st.integers(min_value=2**63 - 5, max_value=2**80),
                        st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(["", "0", "²", "١٢", "AIzaSyFuzz", "x" * 300]))
    return st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4), max_leaves=12)


def paths_of(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths_of(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths_of(item, (*prefix, index))
    return found


def replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = replaced(value[path[0]], path[1:], new)  # type: ignore[index]
    return copy


@st.composite
def bodies(draw: st.DrawFn, template: Any) -> bytes:
    kind = draw(st.sampled_from(["valid", "mutated", "mutated", "random json", "bytes", "deep", "surrogate"]))
    if template is None or isinstance(template, bytes):
        return template or b"" if kind == "valid" else draw(st.binary(max_size=64))
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    if kind == "deep":
        depth = draw(st.integers(90, 3000))
        return json.dumps(template)[:-1].encode() + b', "x": ' + b"[" * depth + b"]" * depth + b"}"
    if kind == "surrogate":
        return json.dumps(template).replace('"hi"', '"hi \\ud800"').replace('"x"', '"\\udfff"').encode()
    if kind == "random json":
        return json.dumps(draw(json_values())).encode()
    value = template
    for _ in range(draw(st.integers(0 if kind == "valid" else 1, 3))):
        paths = paths_of(value)
        value = replaced(value, paths[draw(st.integers(0, len(paths) - 1))], draw(json_values()))
    return json.dumps(value).encode()


@st.composite
def requests(draw: st.DrawFn) -> tuple[bytes, str]:
    method, path, template = draw(st.sampled_from(FAMILIES))
    if draw(st.integers(0, 9)) == 0:
        method = draw(st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "FOO"]))
    name = draw(st.sampled_from(["abc", "files/abc", "", "..%2f..", "%ED%A0%80", "x" * 300]))
    target = path.format(model=draw(st.sampled_from(["gemini-2.5-flash", "gemini-3-pro-preview", "text-embedding-004", "nope", "%F0%9F%98%80"])), name=name)
    query = draw(st.lists(st.tuples(st.sampled_from(["pageSize", "pageToken", "alt", "prettyPrint", "key", "limit", "upload_id", "model"]),
                                    st.sampled_from(["10", "-1", "²", "١٠", "9" * 5000, "b2Zmc2V0Ojk5", "sse", "false", "%ZZ", ""])), max_size=2))
    if query:
        target += ("&" if "?" in target else "?") + "&".join(f"{key}={value}" for key, value in query)
    headers = {"x-goog-api-key": "fuzz-key"}
    for header, values in (("X-Mockgem-Fault", FAULT_TERMS), ("X-Mockgem-Cassette", ["a", ".", "README.md", "../x", "linkdir/x", "x\udce9"]),
                           ("Content-Encoding", ["gzip", "br", "deflate", "garbage"]), ("X-Goog-Upload-Command", ["start", "upload, finalize", "query", "bogus"]),
                           ("X-Goog-Upload-Offset", ["0", "²", "9" * 40]), ("Origin", ["http://evil.example", "null"])):
        if draw(st.integers(0, 7)) == 0:
            headers[header] = draw(st.sampled_from(values))
    return request_bytes(method, target, draw(bodies(template)), headers), target


def assert_well_formed(answer: RawAnswer, target: str) -> None:
    assert answer.status < 500, (target, answer.body[:400])
    content_type = answer.header("Content-Type") or ""
    if answer.status >= 400:
        error = answer.error()
        assert (error["code"], isinstance(error["message"], str), isinstance(error["status"], str)) == (answer.status, True, True)
    elif "event-stream" in content_type:
        for line in answer.body.splitlines():
            if line.startswith(b"data:") and line.strip() != b"data: [DONE]":
                assert isinstance(json.loads(line[5:]), dict)
    elif "json" in content_type and answer.body.strip():
        json.loads(answer.body)


def anonymous_memory() -> int:
    status = Path("/proc/self/status")
    if not status.exists():
        return 0
    line = next(line for line in status.read_text().splitlines() if line.startswith("RssAnon:"))
    return int(line.split()[1]) * 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockGemServer]:
    directory = tmp_path_factory.mktemp("cassettes")
    (directory / "linkdir").symlink_to(tmp_path_factory.mktemp("outside"), target_is_directory=True)
    with MockGemServer(rules={"rules": [{"match": {"contains": "hi"}, "reply": {"text": "hello"}}]}, cassette_dir=directory, idle_timeout=5) as running:
        yield running


@pytest.mark.timeout(1800)
def test_fuzz_every_endpoint_family_gets_an_envelope_never_a_5xx(server: MockGemServer) -> None:
    before = anonymous_memory()

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=not SOAK,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
    @given(requests())
    def example(sent: tuple[bytes, str]) -> None:
        data, target = sent
        assert_well_formed(send_raw(server.port, data), target)
        if any(target.startswith(path) for path in MUTATING_ADMIN):
            server.reset()  # a posted rule or fault must not change what the next example tests

    example()
    server.reset()
    client = genai.Client(api_key="k", http_options=types.HttpOptions(base_url=server.url))
    assert client.models.generate_content(model="gemini-2.5-flash", contents="hi").text == "hello"
    assert anonymous_memory() - before < 200 * MIB
