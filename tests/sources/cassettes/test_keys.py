"""Match keys: equal for requests the API would answer alike, different otherwise."""

from __future__ import annotations

import base64
import json

import pytest

from mockgem.sources.cassettes.keys import KeyRules, blob_digest, describe_request, request_key

NATIVE = "/v1beta/models/gemini-2.5-flash:generateContent"
BODY = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}], "generationConfig": {"temperature": 0.5}}


def _key(body: object, target: str = NATIVE, method: str = "POST", rules: KeyRules | None = None) -> object:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return request_key(method, target, raw, rules)


@pytest.mark.parametrize(
    "variant",
    [
        {"generation_config": {"temperature": 0.5}, "contents": [{"parts": [{"text": "hi"}], "role": "user"}]},
        {"contents": [{"role": "user", "parts": [{"text": "hi"}]}], "generationConfig": {"temperature": 0.5}},
        {"contents": [{"parts": [{"text": "hi"}]}], "generationConfig": {"temperature": 0.5}},
    ],
)
def test_key_ignores_casing_and_key_order(variant: dict[str, object]) -> None:
    assert _key(variant) == _key(BODY)


def test_key_tells_a_model_turn_from_a_user_turn() -> None:
    assert _key({"contents": [{"role": "model", "parts": [{"text": "hi"}]}]}) != _key({"contents": [{"parts": [{"text": "hi"}]}]})


@pytest.mark.parametrize(
    "target",
    [
        "https://generativelanguage.googleapis.com/v1/models/gemini-2.5-flash:generateContent",
        "http://127.0.0.1:8080/v1alpha/models/gemini-2.5-flash:generateContent?key=abc&alt=json",
        "/prefix/v1beta/models/gemini-2.5-flash:generateContent?%24alt=json%3Benum-encoding%3Dint",
    ],
)
def test_key_ignores_host_version_and_delivery_parameters(target: str) -> None:
    assert _key(BODY, target) == _key(BODY)


def test_key_keeps_version_when_asked() -> None:
    rules = KeyRules(match_version=True)
    assert _key(BODY, "/v1/models/gemini-2.5-flash:generateContent", rules=rules) != _key(BODY, rules=rules)


def test_key_ignores_vertex_project_and_location() -> None:
    first = "/v1/projects/a/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent"
    second = "/v1/projects/b/locations/global/publishers/google/models/gemini-2.5-flash:generateContent"
    assert _key(BODY, first) == _key(BODY, second) != _key(BODY)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("/v1beta/models/gemini-2.5-flash:generateContent", "/v1beta/models/gemini-2.5-pro:generateContent"),
        ("/v1beta/models/gemini-2.5-flash:generateContent", "/v1beta/models/gemini-2.5-flash:countTokens"),
        ("/v1beta/files?pageToken=a", "/v1beta/files?pageToken=b"),
        ("/v1beta/oddity/one", "/v1beta/oddity/two"),
    ],
)
def test_key_tells_endpoints_and_meaningful_query_apart(first: str, second: str) -> None:
    assert _key(BODY, first) != _key(BODY, second)


def test_key_differs_on_content_and_method() -> None:
    assert _key({**BODY, "contents": []}) != _key(BODY)
    assert _key(b"", "/v1beta/files", "GET") != _key(b"", "/v1beta/files", "POST")


def test_key_treats_whole_floats_as_integers() -> None:
    assert _key({"generationConfig": {"temperature": 1.0}}) == _key({"generationConfig": {"temperature": 1}})


def test_key_ignores_configured_json_paths_in_either_casing() -> None:
    rules = KeyRules(ignored_paths=("$.generation_config.seed", "contents[*].parts[*].thoughtSignature"))
    first = {**BODY, "generationConfig": {"seed": 1}, "contents": [{"parts": [{"text": "a", "thoughtSignature": "x"}]}]}
    second = {**BODY, "generationConfig": {"seed": 2}, "contents": [{"parts": [{"text": "a", "thoughtSignature": "y"}]}]}
    assert _key(first, rules=rules) == _key(second, rules=rules)
    assert _key(first) != _key(second)


def test_bad_ignored_path_fails_when_rules_are_made() -> None:
    with pytest.raises(ValueError, match="cannot read JSON path"):
        KeyRules(ignored_paths=("a[x]",))


def test_key_treats_blob_and_its_digest_as_equal() -> None:
    blob = base64.b64encode(b"\x89PNG" * 1000).decode()
    original = {"contents": [{"parts": [{"inline_data": {"mime_type": "image/png", "data": blob}}]}]}
    hashed = {"contents": [{"parts": [{"inlineData": {"mimeType": "image/png", "data": blob_digest(blob)}}]}]}
    urlsafe = {"contents": [{"parts": [{"inlineData": {"mimeType": "image/png", "data": blob.replace("+", "-").replace("/", "_")}}]}]}
    assert _key(original) == _key(hashed) == _key(urlsafe)
    other = {"contents": [{"parts": [{"inlineData": {"mimeType": "image/png", "data": base64.b64encode(b"x").decode()}}]}]}
    assert _key(other) != _key(original)


def test_non_json_bodies_hash_their_bytes_and_ignore_the_multipart_boundary() -> None:
    def multipart(boundary: bytes, content: bytes) -> bytes:
        return b"--%s\r\nContent-Type: text/plain\r\n\r\n%s\r\n--%s--\r\n" % (boundary, content, boundary)

    assert _key(multipart(b"aaa111", b"data")) == _key(multipart(b"bbb222", b"data"))
    assert _key(multipart(b"aaa111", b"data")) != _key(multipart(b"aaa111", b"other"))
    assert _key(b"\x00\x01binary") != _key(b"\x00\x02binary")


def test_shape_names_the_endpoint_readably() -> None:
    shape = describe_request("post", NATIVE + "?alt=sse", b'{"a": 1}')
    assert shape.method == "POST" and shape.endpoint_text == "gemini-2.5-flash:generateContent (gemini)"
    assert shape.body == {"a": 1} and shape.body_is_json


@pytest.mark.parametrize(
    ("method", "target", "text"),
    [
        ("GET", "/v1beta/files/abc", "files.get abc (gemini)"),
        ("GET", "/v1/some/where", "/some/where"),
    ],
)
def test_shape_endpoint_text(method: str, target: str, text: str) -> None:
    assert describe_request(method, target, b"").endpoint_text == text


def test_ignoring_a_field_drops_the_parent_it_leaves_empty() -> None:
    rules = KeyRules(ignored_paths=("generationConfig.responseModalities",))
    today = {"contents": [{"parts": [{"text": "hi"}]}], "generationConfig": {"responseModalities": ["TEXT"]}}
    assert _key(today, rules=rules) == _key({"contents": [{"parts": [{"text": "hi"}]}]}, rules=rules)
    kept = {"contents": [{"parts": [{"text": "hi"}]}], "generationConfig": {}}  # what was sent empty stays
    assert _key(kept, rules=rules) != _key({"contents": [{"parts": [{"text": "hi"}]}]}, rules=rules)


@pytest.mark.parametrize(
    ("path", "equal"),
    [("*", True), ("contents[*].parts[*].text", True), ("tools.*.name", False), ("contents[0]", True)],
)
def test_ignored_paths_take_wildcards(path: str, equal: bool) -> None:
    rules = KeyRules(ignored_paths=(path,))
    assert (_key({"contents": [{"parts": [{"text": "a"}]}]}, rules=rules) == _key({"contents": [{"parts": [{"text": "b"}]}]}, rules=rules)) is equal


@pytest.mark.parametrize(
    ("match_on", "other", "equal"),
    [
        (("method", "path"), ("POST", NATIVE, {"contents": [{"parts": [{"text": "other"}]}]}), True),
        (("method", "path", "query"), ("POST", NATIVE + "?foo=1", BODY), False),
        (("path", "gemini_body"), ("POST", NATIVE + "?foo=1", BODY), True),
        (("method", "host", "path", "gemini_body"), ("POST", "https://elsewhere.example" + NATIVE, BODY), False),
        (("method", "path", "gemini_body"), ("POST", "https://elsewhere.example" + NATIVE, BODY), True),
        (("uri",), ("POST", "http://generativelanguage.googleapis.com" + NATIVE, BODY), False),
        (("uri",), ("POST", "https://generativelanguage.googleapis.com:443" + NATIVE, BODY), True),
    ],
)
def test_match_on_names_what_the_key_holds(match_on: tuple[str, ...], other: tuple[str, str, object], equal: bool) -> None:
    rules = KeyRules(match_on=match_on)
    method, target, body = other
    google = "https://generativelanguage.googleapis.com" + NATIVE
    assert (_key(BODY, google, rules=rules) == _key(body, target, method, rules=rules)) is equal


def test_match_on_refuses_a_matcher_it_does_not_know() -> None:
    with pytest.raises(ValueError, match="unknown matcher 'bodyy'; known matchers: method, scheme"):
        KeyRules(match_on=("bodyy",))
