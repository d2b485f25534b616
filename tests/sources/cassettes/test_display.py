"""`cassette show` text: streams chunk by chunk, blobs shortened, keys masked, every file format."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from pathlib import Path

import pytest

from mockgem.sources.cassettes.display import format_body, format_cassette_heading, format_interaction, format_size, mask_query
from mockgem.sources.cassettes.formats import load_cassette
from mockgem.sources.cassettes.model import Interaction, RecordedRequest, RecordedResponse
from mockgem.sources.cassettes.store import dump_cassette
from tests.sources.cassettes.conftest import WriteFile

GENERATE = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent"
STREAM = GENERATE.replace(":generateContent", ":streamGenerateContent")
JSON_TYPE = (("Content-Type", "application/json"),)
SSE_TYPE = (("Content-Type", "text/event-stream"),)
ANSWER = {"candidates": [{"content": {"parts": [{"text": "Paris"}], "role": "model"}}]}


def _chunk(text: str) -> dict[str, object]:
    return {"candidates": [{"content": {"parts": [{"text": text}], "role": "model"}}]}


def _interaction(uri: str, request: bytes, response: RecordedResponse) -> Interaction:
    return Interaction(RecordedRequest("POST", uri, JSON_TYPE, request), response)


def test_sse_stream_is_shown_chunk_by_chunk_with_offsets() -> None:
    body = b"".join(b"data: " + json.dumps(_chunk(t)).encode() + b"\r\n\r\n" for t in ("Once", " upon", " a time"))
    response = RecordedResponse(200, SSE_TYPE, body, "OK", chunk_offsets=(0.12, 0.3, 1.5))
    text = format_interaction(_interaction(STREAM + "?alt=sse", b'{"contents": []}', response), 2)
    assert text.startswith(f"#2 POST {STREAM}?alt=sse\nrequest body:\n  {{\n    \"contents\": []\n  }}\n")
    assert "response: 200 OK, text/event-stream, stream of 3 chunks\nchunk 1/3 +0.12s\n  {\n" in text
    assert "chunk 2/3 +0.30s" in text and "chunk 3/3 +1.50s" in text
    assert '          "text": " a time"' in text


def test_json_array_stream_without_offsets_has_numbered_chunks_only() -> None:
    body = ("[" + ",\r\n".join(json.dumps(_chunk(t), indent=2) for t in ("a", "b")) + "]").encode()
    text = format_interaction(_interaction(STREAM, b"{}", RecordedResponse(200, JSON_TYPE, body)), 1)
    assert "response: 200 OK, application/json, stream of 2 chunks\nchunk 1/2\n" in text
    assert "\nchunk 2/2\n" in text


def test_plain_json_answer_is_pretty_printed_and_an_empty_request_body_left_out() -> None:
    interaction = Interaction(RecordedRequest("GET", GENERATE), RecordedResponse(404, JSON_TYPE, b'{"error": {"code": 404}}'))
    assert format_interaction(interaction, 1) == (
        f"#1 GET {GENERATE}\nresponse: 404 Not Found, application/json\n"
        '  {\n    "error": {\n      "code": 404\n    }\n  }'
    )


def test_large_base64_blob_is_shortened_to_size_and_digest() -> None:
    raw = bytes(range(256)) * 5000
    blob = base64.b64encode(raw).decode()
    request = json.dumps({"contents": [{"parts": [{"inlineData": {"mimeType": "image/png", "data": blob}}]}]}).encode()
    text = format_interaction(_interaction(GENERATE, request, RecordedResponse(200, JSON_TYPE, b"{}")), 1)
    assert f'"data": "<1.3 MB base64, sha256:{hashlib.sha256(raw).hexdigest()}>"' in text
    assert blob[:100] not in text


@pytest.mark.parametrize(
    ("uri", "shown"),
    [
        (f"{GENERATE}?key=AIzaLeft&alt=sse", f"{GENERATE}?key=<REDACTED>&alt=sse"),
        (f"{GENERATE}?alt=sse&access_token=ya29.x", f"{GENERATE}?alt=sse&access_token=<REDACTED>"),
        (f"{GENERATE}?alt=sse", f"{GENERATE}?alt=sse"),
        (GENERATE, GENERATE),
    ],
)
def test_mask_query_hides_secret_parameters(uri: str, shown: str) -> None:
    assert mask_query(uri) == shown


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        (b'{"values": [0.5, -1, 2.25, 3, 4e-05]}', '{\n  "values": "<5 numbers: 0.5, -1, 2.25, 3, ...>"\n}'),
        (b'{"values": [1, 2]}', '{\n  "values": [\n    1,\n    2\n  ]\n}'),
        (b"grant_type=refresh_token", "grant_type=refresh_token"),
        (b"\xff\xfe\x00binary", "<9 B of binary data>"),
        (b"x" * 2005, "x" * 2000 + "... (5 more characters)"),
    ],
)
def test_format_body(body: bytes, shown: str) -> None:
    assert format_body(body) == shown


@pytest.mark.parametrize(("count", "shown"), [(12, "12 B"), (4096, "4.1 kB"), (1_234_567, "1.2 MB"), (3 * 10**9, "3.0 GB")])
def test_format_size(count: int, shown: str) -> None:
    assert format_size(count) == shown


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


ANSWER_TEXT = json.dumps(ANSWER)
REQUEST_TEXT = '{"contents": [{"parts": [{"text": "Capital of France?"}]}]}'
VCRPY = f"""interactions:
- request: {{body: '{REQUEST_TEXT}', headers: {{}}, method: POST, uri: '{GENERATE}?key=AIzaOld'}}
  response:
    body: {{string: !!binary "{_b64(gzip.compress(ANSWER_TEXT.encode()))}"}}
    headers: {{Content-Encoding: [gzip], Content-Type: [application/json]}}
    status: {{code: 200, message: OK}}
version: 1
"""
PYDANTIC_AI = f"""interactions:
- request: {{method: POST, uri: '{GENERATE}', parsed_body: {{contents: [{{parts: [{{text: Capital of France?}}]}}]}}}}
  response: {{status: {{code: 200, message: OK}}, parsed_body: {ANSWER_TEXT}}}
version: 1
"""
RUBY_VCR = f"""---
http_interactions:
- request: {{method: post, uri: '{GENERATE}', body: {{encoding: UTF-8, string: '{REQUEST_TEXT}'}}, headers: {{}}}}
  response:
    status: {{code: 200, message: OK}}
    headers: {{Content-Type: [application/json]}}
    body: {{encoding: ASCII-8BIT, string: !binary "{_b64(ANSWER_TEXT.encode())}"}}
recorded_with: VCR 6.4.0
"""
R_VCR = f"""http_interactions:
- request: {{method: post, uri: '{GENERATE}', body: {{encoding: '', string: '{REQUEST_TEXT}'}}, headers: {{}}}}
  response: {{status: 200, headers: {{status: HTTP/1.1 200 OK}}, body: {{encoding: UTF-8, string: '{ANSWER_TEXT}'}}}}
"""
VCRPY_JSON = json.dumps({"version": 1, "interactions": [{
    "request": {"method": "POST", "uri": GENERATE, "body": REQUEST_TEXT, "headers": {}},
    "response": {"status": {"code": 200, "message": "OK"}, "headers": {}, "body": {"string": ANSWER_TEXT}},
}]})
HAR = json.dumps({"log": {"version": "1.2", "entries": [{
    "request": {"method": "POST", "url": GENERATE, "headers": [], "postData": {"mimeType": "application/json", "text": REQUEST_TEXT}},
    "response": {"status": 200, "statusText": "OK", "headers": [], "content": {"text": _b64(ANSWER_TEXT.encode()), "encoding": "base64"}},
}]}})
_HTTPRR_REQUEST = f"POST {GENERATE} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(REQUEST_TEXT)}\r\n\r\n{REQUEST_TEXT}".encode()
_HTTPRR_RESPONSE = f"HTTP/1.1 200 OK\r\nContent-Length: {len(ANSWER_TEXT)}\r\n\r\n{ANSWER_TEXT}".encode()
HTTPRR = b"httprr trace v1\n%d %d\n" % (len(_HTTPRR_REQUEST), len(_HTTPRR_RESPONSE)) + _HTTPRR_REQUEST + _HTTPRR_RESPONSE


@pytest.mark.parametrize(
    ("name", "content", "file_format"),
    [
        ("vcrpy.yaml", VCRPY, "vcrpy"),
        ("vcrpy.json", VCRPY_JSON, "vcrpy"),
        ("pydantic.yaml", PYDANTIC_AI, "pydantic-ai"),
        ("ruby.yml", RUBY_VCR, "vcr"),
        ("r.yml", R_VCR, "vcr"),
        ("browser.har", HAR, "har"),
        ("trace.httprr", HTTPRR, "httprr"),
    ],
)
def test_every_format_is_shown_the_same_way(write_file: WriteFile, name: str, content: str | bytes, file_format: str) -> None:
    cassette = load_cassette(write_file(name, content))
    assert format_cassette_heading(cassette) == f"{cassette.path}: 1 interaction ({file_format})"
    text = format_interaction(cassette.interactions[0], 1)
    assert text.startswith(f"#1 POST {GENERATE}")
    assert '"text": "Capital of France?"' in text and '"text": "Paris"' in text
    assert "response: 200 OK" in text and "AIzaOld" not in text


def test_heading_counts_interactions(tmp_path: Path) -> None:
    path = tmp_path / "two.yaml"
    answer = RecordedResponse(200, JSON_TYPE, b"{}")
    path.write_text(dump_cassette([_interaction(GENERATE, b"{}", answer)] * 2))
    assert format_cassette_heading(load_cassette(path)) == f"{path}: 2 interactions (vcrpy)"
