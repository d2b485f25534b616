"""Recording under load: many clients record at once (none lost, none interleaved), and
`mockgem serve --mode record` killed with SIGKILL mid-recording leaves loadable cassettes that
hold every exchange a client was answered (the count answered but not on disk is 0).
The upstream is a second mockgem on loopback. Sizes: `sizes.scale` (more under `make soak`)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from mockgem import MockGemServer
from mockgem.sources.cassettes.formats import load_cassette
from mockgem.sources.cassettes.places import cassette_files
from tests.hardening.sizes import report, scale

MODEL = "gemini-2.5-flash"
GENERATE = f"/v1beta/models/{MODEL}:generateContent"
STREAM = f"/v1beta/models/{MODEL}:streamGenerateContent?alt=sse"
RECORDERS = scale(ci=24, soak=200)
PER_RECORDER = scale(ci=4, soak=10)
KILLS = scale(ci=2, soak=12)
Start = Callable[..., MockGemServer]
# One rule answers every marker the same: what is checked is that each recorded request (its
# marker) has exactly one whole answer, never pieces of another's.
UPSTREAM_RULES = {"rules": [{"match": {"regex": "^m[0-9]+$"}, "reply": {"text": "recorded answer"}, "stream": {"chunks": 3}}]}


def body(marker: str) -> bytes:
    return json.dumps({"contents": [{"role": "user", "parts": [{"text": marker}]}]}).encode()


def markers_on_disk(directory: Path) -> dict[str, list[bytes]]:
    """Each recorded request's marker, with the bodies of the answers recorded for it."""
    found: dict[str, list[bytes]] = {}
    for path in cassette_files(directory):
        for interaction in load_cassette(path, directory).interactions:
            marker = json.loads(interaction.request.body)["contents"][0]["parts"][0]["text"]
            found.setdefault(marker, []).append(interaction.response.body)
    return found


def test_concurrent_recordings_are_all_kept_and_never_interleaved(tmp_path: Path, make_server: Start) -> None:
    upstream = make_server(rules=UPSTREAM_RULES)
    recorder = make_server(mode="record", cassette_dir=tmp_path, upstream=upstream.url)

    def record(number: int) -> int:
        session = requests.Session()
        for round_number in range(PER_RECORDER):
            marker = f"m{number * 100 + round_number}"
            headers = {"x-goog-api-key": "k", "Content-Type": "application/json", "X-Mockgem-Cassette": f"c{number % 5}"}
            path = STREAM if round_number % 2 else GENERATE
            answer = session.post(f"{recorder.url}{path}", data=body(marker), headers=headers, timeout=60)
            assert answer.status_code == 200, answer.text[:300]
        return PER_RECORDER

    started = time.monotonic()
    with ThreadPoolExecutor(RECORDERS) as pool:
        total = sum(pool.map(record, range(RECORDERS)))
    seconds = time.monotonic() - started
    recorder.stop()
    found = markers_on_disk(tmp_path)
    assert len(found) == total and all(len(bodies) == 1 for bodies in found.values())
    for marker, (answer,) in found.items():
        texts = [part["text"] for chunk in _payloads(answer) for candidate in chunk.get("candidates", []) for part in candidate["content"]["parts"]]
        assert "".join(texts) == "recorded answer", marker  # a whole answer of its own, never another's pieces
    report("concurrent recording", clients=RECORDERS, recordings=total, cassettes=5, seconds=round(seconds, 1), lost=0)


def _payloads(answer: bytes) -> list[dict[str, object]]:
    if answer.lstrip().startswith(b"data:"):
        return [json.loads(line[5:]) for line in answer.splitlines() if line.startswith(b"data:")]
    value = json.loads(answer)
    return value if isinstance(value, list) else [value]


@pytest.fixture
def upstream(make_server: Start) -> MockGemServer:
    return make_server(rules={"rules": [{"match": {"regex": "^k[0-9]+$"}, "reply": {"text": "one two three four five six"}, "stream": {"chunks": 6}, "fault": ["latency=20ms"]}]})


def start_recorder(directory: Path, upstream: MockGemServer) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "mockgem", "serve", "--mode", "record", "--port", "0", "--cassette-dir", str(directory), "--upstream", upstream.url],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    assert process.stdout is not None
    return process, process.stdout.readline().split()[-1]


class Clients:
    """Threads asking the recorder with markers until it dies; `answered` are the markers of
    which a client got a whole unary answer or a stream's first event."""

    def __init__(self, url: str, prefix: str, count: int) -> None:
        self.url, self.prefix = url, prefix
        self.answered: set[str] = set()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(count)]
        for thread in self._threads:
            thread.start()

    def _run(self, number: int) -> None:
        session = requests.Session()
        for round_number in range(10_000):
            marker = f"k{self.prefix}{number:03d}{round_number:05d}"
            try:
                self._ask(session, marker, stream=bool(round_number % 2))
            except requests.RequestException:
                return  # the recorder was killed

    def _ask(self, session: requests.Session, marker: str, *, stream: bool) -> None:
        headers = {"x-goog-api-key": "k", "Content-Type": "application/json"}
        with session.post(f"{self.url}{STREAM if stream else GENERATE}", data=body(marker), headers=headers, stream=stream, timeout=30) as answer:
            if answer.status_code != 200:
                return
            if not stream:
                answer.json()
                self._answered(marker)
                return
            for number, _ in enumerate(answer.iter_lines()):
                if number == 0:
                    self._answered(marker)  # the first event arrived: the exchange was answered

    def _answered(self, marker: str) -> None:
        with self._lock:
            self.answered.add(marker)

    def count(self) -> int:
        with self._lock:
            return len(self.answered)

    def join(self) -> None:
        for thread in self._threads:
            thread.join(30)


@pytest.fixture
def directory(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "cassettes"


def test_kill_during_recording_loses_no_answered_exchange(directory: Path, upstream: MockGemServer) -> None:
    answered: set[str] = set()
    started = time.monotonic()
    for kill in range(KILLS):
        process, url = start_recorder(directory, upstream)
        clients = Clients(url, str(kill), count=scale(ci=6, soak=20))
        while clients.count() < scale(ci=30, soak=150) and process.poll() is None:
            time.sleep(0.01)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(30)
        clients.join()
        answered |= clients.answered
        on_disk = markers_on_disk(directory)  # every cassette loads, a torn last item dropped
        assert sorted(answered - set(on_disk)) == []
    seconds = time.monotonic() - started
    report("kill -9 mid-recording", kills=KILLS, answered=len(answered), answered_not_on_disk=0, seconds=round(seconds, 1))
