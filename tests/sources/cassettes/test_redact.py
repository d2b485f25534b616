"""Redaction: secrets never reach a cassette; extra filters; blob hashing that still matches."""

from __future__ import annotations

import base64
import json

import pytest

from mockgem.sources.cassettes.keys import request_key
from mockgem.sources.cassettes.model import Interaction, RecordedRequest, RecordedResponse
from mockgem.sources.cassettes.redact import REDACTED, RedactionRules, find_secrets, redact

API_KEY = "AIza" + "x" * 35
URI = f"https://generativelanguage.googleapis.com/v1beta/models/m:generateContent?alt=sse&key={API_KEY}&%24alt=json%3Benum-encoding%3Dint"
JSON = (("Content-Type", "application/json"),)


def _interaction(
    body: object = None, uri: str = URI, headers: tuple[tuple[str, str], ...] = JSON, response: bytes = b"{}"
) -> Interaction:
    raw = b"" if body is None else body if isinstance(body, bytes) else json.dumps(body).encode()
    return Interaction(RecordedRequest("POST", uri, headers, raw), RecordedResponse(200, JSON, response))


def test_default_secret_headers_are_dropped() -> None:
    secrets = (("X-Goog-Api-Key", API_KEY), ("Authorization", "Bearer ya29.abc"), ("Cookie", "a=b"), ("User-Agent", "sdk"))
    interaction = _interaction(headers=secrets)
    clean = redact(Interaction(interaction.request, RecordedResponse(200, (("Set-Cookie", "s=1"), ("Vary", "Origin")))))
    assert clean.request.headers == (("User-Agent", "sdk"),)
    assert clean.response.headers == (("Vary", "Origin"),)


def test_key_query_parameter_is_removed_and_the_rest_kept_byte_for_byte() -> None:
    clean = redact(_interaction())
    assert clean.request.uri == (
        "https://generativelanguage.googleapis.com/v1beta/models/m:generateContent?alt=sse&%24alt=json%3Benum-encoding%3Dint"
    )


def test_oauth_tokens_are_masked_in_json_and_form_bodies() -> None:
    token_response = json.dumps({"access_token": "ya29.secret", "expires_in": 3599, "token_type": "Bearer"}).encode()
    form = (("Content-Type", "application/x-www-form-urlencoded"),)
    exchange = Interaction(
        RecordedRequest("POST", "https://oauth2.googleapis.com/token", form, b"grant_type=refresh_token&refresh_token=1//0abc&client_id=x"),
        RecordedResponse(200, JSON, token_response),
    )
    clean = redact(exchange)
    assert clean.request.body == b"grant_type=refresh_token&refresh_token=" + REDACTED.encode() + b"&client_id=x"
    assert json.loads(clean.response.body) == {"access_token": REDACTED, "expires_in": 3599, "token_type": "Bearer"}


def test_untouched_json_body_keeps_its_exact_bytes() -> None:
    body = b'{"contents":   [ ]}'
    assert redact(_interaction(body)).request.body == body


def test_extra_header_query_and_json_path_filters() -> None:
    rules = RedactionRules(
        headers=frozenset({"X-Internal"}), query=frozenset({"alt"}), json_paths=("contents[*].parts[*].text",)
    )
    interaction = _interaction({"contents": [{"parts": [{"text": "private"}]}]}, headers=(*JSON, ("x-internal", "1")))
    clean = redact(interaction, rules)
    assert ("x-internal", "1") not in clean.request.headers
    assert "alt=sse" not in clean.request.uri
    assert json.loads(clean.request.body) == {"contents": [{"parts": [{"text": REDACTED}]}]}


def test_large_blobs_become_their_digest_and_still_match() -> None:
    large = base64.b64encode(b"\x00" * 3000).decode()
    small = base64.b64encode(b"tiny").decode()
    body = {"contents": [{"parts": [{"inline_data": {"mime_type": "image/png", "data": large}}, {"inlineData": {"data": small}}]}]}
    interaction = _interaction(body)
    clean = redact(interaction, RedactionRules(blob_limit=1000))
    parts = json.loads(clean.request.body)["contents"][0]["parts"]
    assert parts[0]["inline_data"]["data"].startswith("sha256:") and parts[1]["inlineData"]["data"] == small
    assert len(clean.request.body) < 300
    original, hashed = interaction.request, clean.request
    assert request_key("POST", original.uri, original.body) == request_key("POST", hashed.uri, hashed.body)


def test_bad_json_path_filter_fails_at_once() -> None:
    with pytest.raises(ValueError):
        RedactionRules(json_paths=("",))


def test_find_secrets_reports_leftovers_and_ignores_placeholders() -> None:
    leaky = _interaction(headers=(("x-goog-api-key", API_KEY),), response=b'{"token": "ya29.' + b"a" * 30 + b'"}')
    assert find_secrets(leaky) == [
        "a Google API key in the request URI",
        "a Google API key in the request header x-goog-api-key",
        "an OAuth access token in the response body",
    ]
    placeholder = _interaction(uri="https://x/v1beta/models?key=XXX", headers=(("x-goog-api-key", "<GEMINI_API_KEY>"),))
    assert find_secrets(placeholder) == []
    assert find_secrets(redact(leaky)) == ["an OAuth access token in the response body"]


@pytest.mark.parametrize(
    ("headers", "uri", "found"),
    [
        ((("Cookie", "__cf_bm=FRQJZF_Qvcnar7Y7PjZEGy"),), "https://x/v1", ["an unredacted secret in the request header Cookie"]),
        ((("authorization", "Bearer sk-live-0123456789"),), "https://x/v1", ["an unredacted secret in the request header authorization"]),
        ((("x-goog-api-key", "my-own-key"),), "https://x/v1", ["an unredacted secret in the request header x-goog-api-key"]),
        ((), "https://x/v1?access_token=abc123&alt=sse", ["an unredacted secret in the request query parameter access_token"]),
        ((), "https://x/v1?key=k", ["an unredacted secret in the request query parameter key"]),
    ],
)
def test_find_secrets_reports_a_secret_header_or_query_value_that_is_no_placeholder(
    headers: tuple[tuple[str, str], ...], uri: str, found: list[str]
) -> None:
    assert find_secrets(_interaction(headers=headers, uri=uri)) == found
    assert find_secrets(redact(_interaction(headers=headers, uri=uri))) == []


def test_find_secrets_reports_an_unredacted_response_cookie() -> None:
    interaction = Interaction(RecordedRequest("GET", "https://x/v1"), RecordedResponse(200, (("Set-Cookie", "NID=511=abcdef"),), b"{}"))
    assert find_secrets(interaction) == ["an unredacted secret in the response header Set-Cookie"]


@pytest.mark.parametrize(
    "value",
    ["X-GOOG-API-KEY-XXX", "<GEMINI_API_KEY>", "Bearer <AUTH_TOKEN>", "AUTHORIZATION-XXX", "invalid-key", "COOKIE-XXX",
     REDACTED, "REDACTED", "[FILTERED]", "****", "{{api_key}}", "${GOOGLE_API_KEY}", "dummy", "fake-key", "your-api-key", ""],
)  # fmt: skip
def test_find_secrets_takes_obvious_placeholders_for_what_they_are(value: str) -> None:
    headers = (("x-goog-api-key", value), ("Authorization", value), ("Cookie", value))
    assert find_secrets(_interaction(headers=headers, uri=f"https://x/v1?key={value}")) == []


def test_json_path_filters_and_blob_hashing_reach_every_sse_event() -> None:
    blob = base64.b64encode(b"\x01" * 2000).decode()
    events = [{"responseId": "r1", "candidates": [{"content": {"parts": [{"inlineData": {"data": blob}}]}}]}, {"responseId": "r1"}]
    body = b"".join(b"data: " + json.dumps(event).encode() + b"\r\n\r\n" for event in events) + b"data: [DONE]\n\n"
    streamed = Interaction(RecordedRequest("POST", URI, JSON), RecordedResponse(200, (("Content-Type", "text/event-stream"),), body))
    clean = redact(streamed, RedactionRules(json_paths=("responseId",), blob_limit=1000)).response.body
    lines = clean.split(b"\r\n\r\n")
    first, second = json.loads(lines[0][6:]), json.loads(lines[1][6:])
    assert first["responseId"] == second["responseId"] == REDACTED
    assert first["candidates"][0]["content"]["parts"][0]["inlineData"]["data"].startswith("sha256:")
    assert clean.endswith(b"\r\n\r\ndata: [DONE]\n\n") and len(lines) == 3


def test_untouched_sse_body_keeps_its_exact_bytes() -> None:
    body = b'data: {"a":  1}\r\n\r\ndata: {"b": 2}\n\n'
    streamed = Interaction(RecordedRequest("POST", URI, JSON), RecordedResponse(200, (), body))
    assert redact(streamed, RedactionRules(json_paths=("responseId",))).response.body == body


def test_json_path_filters_reach_every_item_of_a_json_array_stream() -> None:
    body = json.dumps([{"responseId": "a"}, {"responseId": "b", "text": "kept"}]).encode()
    clean = redact(_interaction({}, response=body), RedactionRules(json_paths=("responseId",)))
    assert json.loads(clean.response.body) == [{"responseId": REDACTED}, {"responseId": REDACTED, "text": "kept"}]


@pytest.mark.parametrize(("size", "hashed"), [(999, False), (1000, False), (1001, True)])
def test_blob_limit_counts_decoded_bytes(size: int, hashed: bool) -> None:
    blob = base64.b64encode(b"\x02" * size).decode()
    body = {"contents": [{"parts": [{"inlineData": {"data": blob}}]}]}
    data = json.loads(redact(_interaction(body), RedactionRules(blob_limit=1000)).request.body)["contents"][0]["parts"][0]["inlineData"]["data"]
    assert data.startswith("sha256:") is hashed
