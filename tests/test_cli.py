"""`mockgem serve` as a user runs it: the ready line, a request, a clean stop on SIGTERM."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.conftest import EXAMPLE_RULES


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "mockgem", "serve", "--port", "0", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_serve_prints_ready_line_and_stops_on_sigterm() -> None:
    process = start("--rules", str(EXAMPLE_RULES))
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    assert line.startswith("mockgem listening on http://127.0.0.1:")
    url = line.rsplit(" ", 1)[-1]
    request = urllib.request.Request(
        f"{url}/v1beta/models/gemini-2.5-flash:generateContent?key=k",
        data=json.dumps({"contents": [{"parts": [{"text": "weather"}]}]}).encode(),
        method="POST",
    )
    with urllib.request.urlopen(request) as response:
        assert json.load(response)["candidates"][0]["content"]["parts"][0]["text"] == "Sunny, 21 C"
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0


def test_bad_rules_file_stops_start_with_a_clear_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - reply: {txt: x}\n")
    process = start("--rules", str(bad))
    _, err = process.communicate(timeout=20)
    assert process.returncode == 2
    assert "rule 0: key 'reply.txt': unknown key" in err
