from __future__ import annotations

from pathlib import Path

import pytest

from mockgem.cli import main
from mockgem.sources.cassettes.model import Interaction, RecordedRequest, RecordedResponse
from mockgem.sources.cassettes.store import dump_cassette

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
