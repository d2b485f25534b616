"""Readers: every supported recorder's file loads into the same interactions."""

from __future__ import annotations

import base64
import gzip
import json
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import brotli  # type: ignore[import-untyped]
import pytest

from mockgem.errors import CassetteError
from mockgem.sources.cassettes.formats import load_cassette
from mockgem.sources.cassettes.model import Interaction

WriteFile = Callable[[str, "str | bytes"], Path]
GENERATE = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent"
ANSWER = b'{"candidates": [{"content": {"parts": [{"text": "Paris"}], "role": "model"}}]}'
MODELS = b'{"models": []}'


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _only(path: Path) -> Interaction:
    cassette = load_cassette(path, path.parent)
    assert len(cassette.interactions) == 1
    return cassette.interactions[0]


VCRPY_PLAIN = f"""
interactions:
- request:
    body: '{{"contents": [{{"parts": [{{"text": "Capital of France?"}}]}}]}}'
    headers:
      content-type: [application/json]
      x-goog-api-key: ['<GEMINI_API_KEY>']
    method: POST
    uri: {GENERATE}
  response:
    body:
      string: '{ANSWER.decode()}'
    headers:
      Content-Type: [application/json; charset=UTF-8]
      Vary: [Origin, X-Origin]
    status: {{code: 200, message: OK}}
version: 1
"""


def test_vcrpy_yaml_plain_bodies_and_repeated_headers(write_file: WriteFile) -> None:
    interaction = _only(write_file("plain.yaml", VCRPY_PLAIN))
    assert interaction.request.method == "POST" and interaction.request.uri == GENERATE
    assert json.loads(interaction.request.body)["contents"][0]["parts"][0]["text"] == "Capital of France?"
    assert interaction.response.status == 200 and interaction.response.reason == "OK"
    assert interaction.response.body == ANSWER
    assert ("Vary", "Origin") in interaction.response.headers and ("Vary", "X-Origin") in interaction.response.headers


@pytest.mark.parametrize(
    ("coding", "encode"),
    [("gzip", gzipped), ("deflate", zlib.compress), ("deflate", lambda d: zlib.compress(d)[2:-4]), ("br", brotli.compress)],
)
def test_vcrpy_yaml_binary_body_with_content_encoding_is_decoded(write_file: WriteFile, coding: str, encode: object) -> None:
    assert callable(encode)
    text = f"""
interactions:
- request: {{body: null, headers: {{}}, method: GET, uri: 'https://generativelanguage.googleapis.com/v1beta/models'}}
  response:
    body:
      string: !!binary |
        {_b64(encode(ANSWER))}
    headers:
      Content-Encoding: [{coding}]
      Content-Length: ['999']
      Content-Type: [application/json]
    status: {{code: 200, message: OK}}
version: 1
"""
    response = _only(write_file("zipped.yaml", text)).response
    assert response.body == ANSWER
    assert response.header("content-encoding") is None and response.header("content-length") is None
    assert response.header("content-type") == "application/json"


def test_vcrpy_yaml_body_already_decoded_under_a_stale_encoding_header_is_kept(write_file: WriteFile) -> None:
    text = VCRPY_PLAIN.replace("Vary: [Origin, X-Origin]", "Content-Encoding: [gzip]")
    assert _only(write_file("stale.yaml", text)).response.body == ANSWER


def test_vcrpy_yaml_python_tags_load_as_data_and_never_run(write_file: WriteFile, tmp_path: Path) -> None:
    witness = tmp_path / "tag-was-executed"
    text = f"""
interactions:
- request:
    body: !!python/object/apply:os.system ["touch {witness}"]
    headers:
      ? !!python/object/apply:multidict._multidict.istr
      - Content-Type
      : - application/json
    method: POST
    uri: {GENERATE}
  response:
    body: {{string: !!python/str 'ok'}}
    headers: !!python/object/new:collections.OrderedDict {{}}
    status: {{code: 200, message: !ruby/object:Message OK}}
version: 1
"""
    interaction = _only(write_file("tags.yaml", text))
    assert not witness.exists()
    assert interaction.request.headers == (("Content-Type", "application/json"),)
    assert interaction.request.body == f"touch {witness}".encode()
    assert interaction.response.body == b"ok"


def test_vcrpy_json_serializer(write_file: WriteFile) -> None:
    document = {
        "version": 1,
        "interactions": [
            {
                "request": {"method": "POST", "uri": GENERATE, "body": '{"contents": []}', "headers": {}},
                "response": {"status": {"code": 429, "message": "Too Many Requests"}, "headers": {}, "body": {"string": "{}"}},
            }
        ],
    }
    path = write_file("cassette.json", json.dumps(document))
    cassette = load_cassette(path, path.parent)
    assert cassette.format == "vcrpy" and cassette.interactions[0].response.status == 429


def test_pydantic_ai_parsed_body_becomes_json_bytes(write_file: WriteFile) -> None:
    text = f"""
interactions:
- request:
    headers: {{content-type: [application/json]}}
    method: POST
    parsed_body:
      contents:
      - parts: [{{text: What is the capital of France?}}]
        role: user
    uri: {GENERATE}
  response:
    headers: {{content-type: [application/json; charset=UTF-8]}}
    parsed_body:
      candidates:
      - content:
          parts:
          - text: |
              The capital of France is **Paris**.
          role: model
    status: {{code: 200, message: OK}}
version: 1
"""
    path = write_file("pydantic.yaml", text)
    cassette = load_cassette(path, path.parent)
    interaction = cassette.interactions[0]
    assert cassette.format == "pydantic-ai"
    assert json.loads(interaction.request.body)["contents"][0]["role"] == "user"
    assert json.loads(interaction.response.body)["candidates"][0]["content"]["parts"][0]["text"].startswith("The capital")


def test_ruby_vcr_binary_and_base64_string_bodies(write_file: WriteFile) -> None:
    text = f"""---
http_interactions:
- request:
    method: post
    uri: {GENERATE}
    body:
      encoding: UTF-8
      string: '{{"contents":[]}}'
    headers:
      X-Goog-Api-Key: ["<GEMINI_API_KEY>"]
  response:
    status: {{code: 200, message: OK}}
    headers:
      Content-Type: [application/json; charset=UTF-8]
    body:
      encoding: ASCII-8BIT
      string: !binary |-
        {_b64(ANSWER)}
  recorded_at: Wed, 19 Aug 2026 14:36:01 GMT
- request:
    method: get
    uri: https://generativelanguage.googleapis.com/v1beta/models
    body: {{encoding: US-ASCII, string: ''}}
    headers: {{}}
  response:
    status: {{code: 200, message: OK}}
    headers: {{Content-Encoding: [gzip]}}
    body:
      encoding: ASCII-8BIT
      base64_string: {_b64(gzipped(MODELS))}
  recorded_at: Wed, 19 Aug 2026 14:36:02 GMT
recorded_with: VCR 6.4.0
"""
    path = write_file("ruby.yml", text)
    cassette = load_cassette(path, path.parent)
    first, second = cassette.interactions
    assert cassette.format == "vcr"
    assert first.request.method == "POST" and first.response.body == ANSWER
    assert second.request.method == "GET" and second.response.body == MODELS


def test_r_vcr_plain_status_and_flat_headers(write_file: WriteFile) -> None:
    text = f"""
http_interactions:
- request:
    method: post
    uri: {GENERATE}
    body: {{encoding: '', string: '{{"contents":[]}}'}}
    headers:
      Accept: application/json
      Content-Type: application/json
  response:
    status: 200
    headers:
      status: HTTP/1.1 200 OK
      content-type: application/json; charset=UTF-8
    body:
      encoding: UTF-8
      file: no
      string: '{ANSWER.decode()}'
  recorded_at: 2025-01-01 10:00:00 GMT
  recorded_with: vcr/1.6.0, webmockr/1.0.0
"""
    interaction = _only(write_file("r.yml", text))
    assert interaction.response.status == 200
    assert interaction.request.headers == (("Accept", "application/json"), ("Content-Type", "application/json"))
    assert interaction.response.headers == (("content-type", "application/json; charset=UTF-8"),)


def test_r_vcr_status_code_mapping(write_file: WriteFile) -> None:
    text = VCRPY_PLAIN.replace("interactions:", "http_interactions:").replace(
        "status: {code: 200, message: OK}", "status: {status_code: '404', message: Not Found}"
    )
    assert _only(write_file("r-old.yml", text)).response.status == 404


def _har(entries: list[Any]) -> str:
    return json.dumps({"log": {"version": "1.2", "creator": {"name": "test", "version": "1"}, "entries": entries}})


def test_har_entries_with_post_data_base64_and_pseudo_headers(write_file: WriteFile) -> None:
    entry = {
        "request": {
            "method": "POST",
            "url": GENERATE + "?key=x",
            "headers": [{"name": ":authority", "value": "x"}, {"name": "content-type", "value": "application/json"}],
            "postData": {"mimeType": "application/json", "text": '{"contents": []}'},
        },
        "response": {
            "status": 200,
            "statusText": "OK",
            "headers": [{"name": "content-encoding", "value": "gzip"}],
            "content": {"mimeType": "application/json", "text": _b64(ANSWER), "encoding": "base64"},
        },
    }
    path = write_file("browser.har", _har([entry]))
    cassette = load_cassette(path, path.parent)
    interaction = cassette.interactions[0]
    assert cassette.format == "har"
    assert interaction.request.headers == (("content-type", "application/json"),)
    assert interaction.request.body == b'{"contents": []}'
    assert interaction.response.body == ANSWER and interaction.response.headers == ()


def test_har_polly_chunks_of_an_encoded_body(write_file: WriteFile) -> None:
    packed = gzipped(ANSWER)
    chunks = json.dumps([_b64(packed[:10]), _b64(packed[10:])])
    entry = {
        "request": {"method": "GET", "url": GENERATE, "headers": [], "postData": {"params": [{"name": "a", "value": "b c"}]}},
        "response": {
            "status": 200,
            "headers": [{"name": "content-encoding", "value": "gzip"}],
            "content": {"text": chunks, "encoding": "base64"},
        },
    }
    interaction = _only(write_file("polly.har", _har([entry])))
    assert interaction.response.body == ANSWER and interaction.request.body == b"a=b+c"


def _httprr(*records: tuple[bytes, bytes]) -> bytes:
    body = b"".join(b"%d %d\n" % (len(req), len(resp)) + req + resp for req, resp in records)
    return b"httprr trace v1\n" + body


HTTPRR_REQUEST = (
    b"POST " + GENERATE.encode() + b" HTTP/1.1\r\nHost: generativelanguage.googleapis.com\r\n"
    b"Content-Length: 16\r\nContent-Type: application/json\r\n\r\n" + b'{"contents": []}'
)


def test_httprr_trace_with_chunked_gzip_response(write_file: WriteFile) -> None:
    packed = gzipped(ANSWER)
    chunked = b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (10, packed[:10], len(packed) - 10, packed[10:])
    response = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n" + chunked
    relative = b"GET /v1beta/models HTTP/1.1\r\nHost: generativelanguage.googleapis.com\r\n\r\n"
    plain = b"HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n{}"
    path = write_file("trace.httprr", _httprr((HTTPRR_REQUEST, response), (relative, plain)))
    cassette = load_cassette(path, path.parent)
    first, second = cassette.interactions
    assert cassette.format == "httprr"
    assert first.request.uri == GENERATE and first.request.body == b'{"contents": []}'
    assert first.response.body == ANSWER and first.response.headers == ()
    assert second.request.uri == "https://generativelanguage.googleapis.com/v1beta/models"
    assert (second.response.status, second.response.reason, second.response.body) == (404, "Not Found", b"{}")


def test_gzip_compressed_trace_file_loads(write_file: WriteFile) -> None:
    plain = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"
    path = write_file("trace.httprr.gz", gzipped(_httprr((HTTPRR_REQUEST, plain))))
    assert _only(path).response.body == b"{}"


def test_cassette_name_is_relative_to_the_root(write_file: WriteFile, tmp_path: Path) -> None:
    path = write_file("nested/dir/plain.yaml", VCRPY_PLAIN)
    assert load_cassette(path, tmp_path).name == "nested/dir/plain.yaml"


@pytest.mark.parametrize(
    ("name", "content", "place"),
    [
        ("syntax.yaml", "interactions:\n- request: [\n", "line 3"),
        ("empty.yaml", "", "not a cassette"),
        ("list.yaml", "- a\n- b\n", "not a cassette"),
        ("nostatus.yaml", VCRPY_PLAIN.replace("    status: {code: 200, message: OK}\n", ""), "interactions[0].response: missing `status`"),
        ("badstatus.yaml", VCRPY_PLAIN.replace("code: 200", "code: lots"), "interactions[0].response: the status"),
        ("norequest.yml", "http_interactions:\n- response: {}\n", "http_interactions[0]: `request` is missing or not a mapping"),
        ("string.yml", "http_interactions:\n- 5\n", "http_interactions[0]: interaction #1 is not a mapping"),
        ("string.yaml", "interactions:\n- x\n", "interactions[0]: interaction #1 is not a mapping"),
        ("pydantic.json", '{"interactions": [["x"], {"request": {"parsed_body": {}}}]}', "interactions[0]: interaction #1 is not a mapping"),
        ("noside.yaml", "interactions:\n- request: x\n  response: {}\n", "interactions[0]: `request` is missing or not a mapping"),
        ("string.har", _har(["x"]), "log.entries[0]: interaction #1 is not a mapping"),
        ("noside.har", _har([{"request": {"url": "x"}, "response": "x"}]), "log.entries[0]: `response` is missing or not a mapping"),
        ("badgzip.yaml", VCRPY_PLAIN.replace("Vary: [Origin, X-Origin]", "Content-Encoding: [gzip]").replace(
            f"string: '{ANSWER.decode()}'", "string: !!binary H4sIAAAAAAAA"), "interactions[0].response: the gzip body"),
        ("bad.har", _har([{"request": {"url": "x"}, "response": {}}]), "log.entries[0]: missing `method`"),
        ("sizes.httprr", b"httprr trace v1\n12 x\n", "record 1: expected a `N1 N2` size line"),
        ("short.httprr", b"httprr trace v1\n100 100\nGET", "record 1: the sizes 100 + 100 run past"),
        ("broken.gz", b"\x1f\x8b\x08garbage", "does not inflate"),
    ],
)
def test_garbage_raises_cassette_error_naming_file_and_place(
    write_file: WriteFile, name: str, content: str | bytes, place: str
) -> None:
    path = write_file(name, content)
    with pytest.raises(CassetteError) as caught:
        load_cassette(path, path.parent)
    assert str(path) in str(caught.value) and place in str(caught.value)


def test_missing_file_raises_cassette_error(tmp_path: Path) -> None:
    with pytest.raises(CassetteError, match="cannot read"):
        load_cassette(tmp_path / "absent.yaml", tmp_path)
