"""Attack cassettes and rules (issue 17, defect 3): a billion laughs in a cassette's headers or in
a posted rules body is refused before it takes the memory, a catastrophic regex in a rule runs
in linear time, YAML nested past the parser's depth is a readable refusal, no tag runs code."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from google import genai
from google.genai import types

from mockgem import MockGemServer
from mockgem.errors import CassetteError
from mockgem.sources.cassettes.formats import load_cassette
from tests.raw_http import request_bytes, send_raw

Start = Callable[..., MockGemServer]


def billion_laughs(indent: str = "") -> str:
    """Ten levels of nine aliases each: 9**10 strings once expanded, from under a kilobyte."""
    lines = [f'{indent}a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in "bcdefghij":
        previous = chr(ord(level) - 1)
        lines.append(f"{indent}{level}: &{level} [" + ",".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def bomb_in_headers() -> str:
    return (
        "interactions:\n- request:\n    body: ''\n    headers:\n" + billion_laughs("      ")
        + "    method: GET\n    uri: https://generativelanguage.googleapis.com/v1beta/models\n"
        "  response:\n    body: {string: '{}'}\n    headers: {}\n    status: {code: 200, message: OK}\nversion: 1\n"
    )


def test_billion_laughs_in_cassette_headers_is_refused_when_loaded(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb_in_headers())
    with pytest.raises(CassetteError, match="billion laughs"):
        load_cassette(path)


def test_server_refuses_a_cassette_directory_holding_a_billion_laughs(tmp_path: Path) -> None:
    (tmp_path / "bomb.yaml").write_text(bomb_in_headers())
    with pytest.raises(CassetteError, match="bomb.yaml"):
        MockGemServer(cassette_dir=tmp_path).start()


def test_billion_laughs_posted_as_rules_is_a_400(make_server: Start) -> None:
    server = make_server()
    document = ("rules: []\n" + billion_laughs()).encode()
    assert len(document) < 1024
    answer = send_raw(server.port, request_bytes("POST", "/_mockgem/rules", document, {"Content-Type": "application/yaml"}))
    assert answer.status == 400 and "billion laughs" in answer.error()["message"]
    assert send_raw(server.port, request_bytes("GET", "/_mockgem/health")).status == 200


def test_catastrophic_regex_in_a_posted_rule_answers_in_linear_time(make_server: Start) -> None:
    server = make_server()
    rule = b'{"rules": [{"match": {"regex": "^(a+)+$"}, "reply": {"text": "matched"}}], "default": {"text": "no match"}}'
    assert send_raw(server.port, request_bytes("POST", "/_mockgem/rules", rule)).status == 200
    client = genai.Client(api_key="k", http_options=types.HttpOptions(base_url=server.url))
    # Python's `re` backtracks 2**n ways on this text; RE2 reads it once.
    assert client.models.generate_content(model="gemini-2.5-flash", contents="a" * 5000 + "b").text == "no match"
    assert client.models.generate_content(model="gemini-2.5-flash", contents="a" * 5000).text == "matched"


def test_regex_re2_cannot_run_is_refused_when_posted(make_server: Start) -> None:
    server = make_server()
    rule = b'{"rules": [{"match": {"regex": "(a)\\\\1"}, "reply": {"text": "x"}}]}'
    answer = send_raw(server.port, request_bytes("POST", "/_mockgem/rules", rule))
    assert answer.status == 400 and "RE2" in answer.error()["message"]


def test_yaml_nested_past_the_parser_depth_is_a_cassette_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("interactions:\n" + "- " * 5000 + "x\nversion: 1\n")
    with pytest.raises(CassetteError):
        load_cassette(path)


def test_python_tags_in_a_cassette_are_plain_data(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "tags.yaml"
    path.write_text(bomb_in_headers().replace(billion_laughs("      "), f"      x: !!python/object/apply:os.system ['touch {marker}']\n"))
    load_cassette(path)
    assert not marker.exists()
