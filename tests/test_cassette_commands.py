from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from google import genai
from google.genai import types

from mockgem import MockGemServer
from mockgem.cli import main
from mockgem.sources.cassettes.formats import load_cassette
from mockgem.sources.cassettes.model import Interaction, RecordedRequest, RecordedResponse
from mockgem.sources.cassettes.redact import REDACTED
from mockgem.sources.cassettes.store import dump_cassette
from tests.conftest import CORPUS

GENERATE = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent"

LEAKY = Interaction(
    RecordedRequest("POST", "https://generativelanguage.googleapis.com/v1beta/models/m:generateContent?key=AIzaSyA1234567890abcdefghijklmnopqrstuv", (("x-goog-api-key", "AIzaSyA1234567890abcdefghijklmnopqrstuv"),), b"{}"),
    RecordedResponse(200, (), b"{}"),
)


def test_cassette_check_finds_a_leftover_key_then_redact_clears_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "leaky.yaml"
    path.write_text(dump_cassette([LEAKY]))
    assert main(["cassette", "check", str(path)]) == 1
    assert "leaky.yaml #1" in capsys.readouterr().err
    assert main(["cassette", "redact", str(path)]) == 0
    assert main(["cassette", "check", str(path)]) == 0


def test_cassette_ls_lists_interactions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(dump_cassette([LEAKY]))
    assert main(["cassette", "ls", str(path)]) == 0
    assert "#1: POST https://generativelanguage" in capsys.readouterr().out


def test_cassette_check_names_an_unreadable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("interactions: 3\n")
    assert main(["cassette", "check", str(path)]) == 1
    assert "bad.yaml" in capsys.readouterr().err


MALFORMED = [
    ("vcrpy.yaml", "interactions:\n- x\n", "interactions[0]: interaction #1 is not a mapping"),
    ("vcrpy.json", '{"interactions": [5]}', "interactions[0]: interaction #1 is not a mapping"),
    ("pydantic-ai.yaml", "interactions:\n- [x]\n- request: {parsed_body: {}}\n", "interactions[0]: interaction #1 is not a mapping"),
    ("vcr.yml", "http_interactions:\n- x\n", "http_interactions[0]: interaction #1 is not a mapping"),
    ("entries.har", '{"log": {"entries": ["x"]}}', "log.entries[0]: interaction #1 is not a mapping"),
    ("side.har", '{"log": {"entries": [{"request": "x", "response": {}}]}}', "log.entries[0]: `request` is missing or not a mapping"),
]


@pytest.mark.parametrize(("name", "content", "problem"), MALFORMED)
def test_cassette_check_reports_a_malformed_interaction_in_one_line(
    tmp_path: Path, name: str, content: str, problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / name
    path.write_text(content)
    assert main(["cassette", "check", str(path)]) == 1
    assert capsys.readouterr().err == f"mockgem: {path}: {problem}\n"


UPSTREAM_RULES = {
    "rules": [{"match": {"contains": "story"}, "reply": {"text": "Once upon a time a mock answered every client."}, "stream": {"chunks": 3}}],
    "default": {"text": "Hello from the upstream."},
}


@pytest.fixture
def recorded(tmp_path: Path, make_server: Callable[..., MockGemServer]) -> Path:
    """A cassette mockgem recorded from a second mockgem: one stream, then one plain answer."""
    upstream = make_server(rules=UPSTREAM_RULES)
    cassette = tmp_path / "story.yaml"
    recorder = make_server(mode="record", cassette=cassette, upstream=upstream.url)
    client = genai.Client(api_key="secret-test-key", http_options=types.HttpOptions(base_url=recorder.url))
    list(client.models.generate_content_stream(model="gemini-2.5-flash", contents="Tell me a story"))
    client.models.generate_content(model="gemini-2.5-flash", contents="Hi")
    recorder.stop()
    return cassette


def test_cassette_check_passes_what_mockgem_recorded_with_a_real_looking_key(recorded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cassette", "check", str(recorded)]) == 0
    assert capsys.readouterr().err == ""


def test_cassette_show_prints_each_recorded_chunk_with_its_offset(recorded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cassette", "show", str(recorded)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{recorded}: 2 interactions (vcrpy)\n\n#1 POST http")
    assert ":streamGenerateContent?alt=sse\nrequest body:\n" in out and '"text": "Tell me a story"' in out
    assert "response: 200 OK, text/event-stream, stream of 3 chunks\n" in out
    assert re.search(r"\nchunk 1/3 \+\d+\.\d\ds\n  \{\n", out) and "\nchunk 3/3 +" in out
    assert "\n#2 POST " in out and '"text": "Hello from the upstream."' in out


def test_cassette_show_index_prints_one_interaction(recorded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cassette", "show", str(recorded), "--index", "2"]) == 0
    out = capsys.readouterr().out
    assert "\n#2 POST " in out and "#1 " not in out and "chunk" not in out


@pytest.mark.parametrize("index", ["0", "3", "-1"])
def test_cassette_show_index_out_of_range_names_the_file(recorded: Path, index: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cassette", "show", str(recorded), "--index", index]) == 1
    assert capsys.readouterr().err == f"mockgem: {recorded}: no interaction #{index}; the file has 2 (1 to 2)\n"


@pytest.mark.parametrize(
    ("content", "problem"),
    [("interactions: 3\n", "not a cassette"), ("interactions:\n- {request: [1\n", "not a readable cassette"), (None, "cannot read the cassette")],
)
def test_cassette_show_unreadable_file_is_one_line_naming_it(tmp_path: Path, content: str | None, problem: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.yaml"
    if content is not None:
        path.write_text(content)
    assert main(["cassette", "show", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"mockgem: {path}: ") and problem in captured.err and captured.err.count("\n") == 1


def test_cassette_redact_applies_extra_filters(tmp_path: Path) -> None:
    blob = base64.b64encode(b"\x00" * 5000).decode()
    body = {"contents": [{"parts": [{"text": "hi"}, {"inlineData": {"mimeType": "image/png", "data": blob}}]}], "systemInstruction": {"parts": [{"text": "internal"}]}}
    interaction = Interaction(
        RecordedRequest("POST", f"{GENERATE}?user=alice&alt=sse", (("X-Team-Token", "t0ken"), ("Content-Type", "application/json")), json.dumps(body).encode()),
        RecordedResponse(200, (("Content-Type", "application/json"),), b'{"responseId": "r-1"}'),
    )
    path = tmp_path / "c.yaml"
    path.write_text(dump_cassette([interaction]))
    flags = ["--redact-header", "x-team-token", "--redact-query", "user", "--redact-path", "systemInstruction", "--redact-path", "responseId", "--hash-blobs-over", "4000"]
    assert main(["cassette", "redact", *flags, str(path)]) == 0
    text = path.read_text()
    assert "t0ken" not in text and "alice" not in text and "internal" not in text and "r-1" not in text and blob not in text
    clean = load_cassette(path).interactions[0]
    assert clean.request.uri == f"{GENERATE}?alt=sse"
    assert json.loads(clean.request.body)["contents"][0]["parts"][1]["inlineData"]["data"].startswith("sha256:")
    assert json.loads(clean.response.body) == {"responseId": REDACTED}


def test_cassette_redact_refuses_a_bad_json_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["cassette", "redact", "--redact-path", "a..b", str(tmp_path / "c.yaml")])
    assert caught.value.code == 2 and "cannot read JSON path 'a..b'" in capsys.readouterr().err


CORPUS_FILES = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "README.md") if CORPUS.is_dir() else []


@pytest.mark.skipif(not CORPUS_FILES, reason=f"no corpus at {CORPUS}")
def test_cassette_show_reads_every_corpus_file(capsys: pytest.CaptureFixture[str]) -> None:
    for path in CORPUS_FILES:
        assert main(["cassette", "show", str(path)]) == 0, capsys.readouterr().err
        out = capsys.readouterr().out
        count = len(load_cassette(path).interactions)
        assert out.count("\nresponse: ") == count and f"\n#{count} " in out, path
        assert not re.search(r"[?&]key=(?!<REDACTED>)", out), path


def leaky_directory(tmp_path: Path) -> Path:
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "leaky.yaml").write_text(dump_cassette([LEAKY]))
    (tmp_path / "clean.yaml").write_text(dump_cassette([]))
    (tmp_path / "data.json").write_text('{"users": []}')
    return tmp_path


def test_cassette_ls_takes_a_directory_and_skips_what_is_no_cassette(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cassette", "ls", str(leaky_directory(tmp_path))]) == 0
    out, err = capsys.readouterr()
    assert "leaky.yaml #1: POST https://generativelanguage" in out
    assert f"mockgem: skipped {tmp_path / 'data.json'}: not a cassette" in err


def test_cassette_check_of_a_directory_prints_a_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cassette", "check", str(leaky_directory(tmp_path))]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == "checked 2 cassettes, 1 interaction: 2 leftover secrets found"


def test_cassette_redact_dry_run_writes_nothing_and_says_what_would_change(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = leaky_directory(tmp_path)
    before = (directory / "nested" / "leaky.yaml").read_text()
    assert main(["cassette", "redact", "--dry-run", str(directory)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert f"{directory / 'nested' / 'leaky.yaml'}: would redact 1 of 1 interaction" in out
    assert out[-1] == "would change 1 of 2 cassettes (dry run: nothing written)"
    assert (directory / "nested" / "leaky.yaml").read_text() == before


def test_cassette_redact_prints_a_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = leaky_directory(tmp_path)
    assert main(["cassette", "redact", str(directory)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "changed 1 of 2 cassettes"
    assert main(["cassette", "check", str(directory)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "checked 2 cassettes, 1 interaction: no leftover secret"
