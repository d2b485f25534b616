"""Memory and time have limits (issue 17, defect 4): uploads go to disk, not RAM; the journal's
misses are inside its byte cap; a silent connection is closed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web
import requests

from mockgem import MockGemServer
from mockgem.journal import JournalEntry, RequestJournal
from tests.raw_http import GENERATE, request_bytes, send_raw

UPLOAD = "/upload/v1beta/files"
MIB = 1024 * 1024


def anonymous_rss(pid: int) -> int:
    """The process's resident memory that no file backs, in bytes (Linux: RssAnon). A mapped or
    cached upload file is the kernel's to drop; this is what the uploads must not grow."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no RssAnon")


class PeakMemory:
    """Samples a process's anonymous memory from a thread until stopped; keeps the highest."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, anonymous_rss(pid), threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, anonymous_rss(self.pid))

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, int]]:
    """`mockgem serve` in its own process, so that its memory is its own."""
    if not Path("/proc/self/status").exists():
        pytest.skip("reads the server's peak memory from /proc")
    process = subprocess.Popen(
        [sys.executable, "-m", "mockgem", "serve", "--port", "0", "--max-file-size", "1GiB"],
        stdout=subprocess.PIPE, text=True, cwd=tmp_path,
    )
    assert process.stdout is not None
    url = process.stdout.readline().split()[-1]
    try:
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(30)


def pieces(total: int) -> Iterator[bytes]:
    piece = os.urandom(MIB)
    for _ in range(total // MIB):
        yield piece


def test_uploads_go_to_disk_not_memory(served: tuple[str, int]) -> None:
    url, pid = served
    size = 96 * MIB
    requests.get(f"{url}/v1beta/files", headers={"x-goog-api-key": "k"}, timeout=30)
    before = anonymous_rss(pid)
    memory = PeakMemory(pid)
    start = requests.post(f"{url}{UPLOAD}", json={"file": {"displayName": "big"}}, timeout=30, headers={
        "x-goog-api-key": "k", "X-Goog-Upload-Protocol": "resumable", "X-Goog-Upload-Command": "start",
        "X-Goog-Upload-Header-Content-Length": str(size)})
    session = start.headers["X-Goog-Upload-URL"]
    done = requests.post(session, data=pieces(size), timeout=120, headers={"X-Goog-Upload-Command": "upload, finalize", "X-Goog-Upload-Offset": "0"})
    assert done.status_code == 200 and done.json()["file"]["sizeBytes"] == str(size)
    raw = requests.post(f"{url}{UPLOAD}?uploadType=media", data=pieces(size), timeout=120,
                        headers={"x-goog-api-key": "k", "X-Goog-Upload-Protocol": "raw", "Content-Type": "application/octet-stream"})
    assert raw.status_code == 200 and raw.json()["file"]["sizeBytes"] == str(size)
    boundary = "b0undary"
    multipart = b"".join([f"--{boundary}\r\nContent-Type: application/json\r\n\r\n{{}}\r\n--{boundary}\r\nContent-Type: application/octet-stream\r\n\r\n".encode(), *pieces(size), f"\r\n--{boundary}--\r\n".encode()])
    whole = requests.post(f"{url}{UPLOAD}", data=iter([multipart[i : i + MIB] for i in range(0, len(multipart), MIB)]), timeout=120, headers={
        "x-goog-api-key": "k", "X-Goog-Upload-Protocol": "multipart", "Content-Type": f"multipart/related; boundary={boundary}"})
    del multipart
    assert whole.status_code == 200 and whole.json()["file"]["sizeBytes"] == str(size)
    # Three uploads of 96 MiB each: the server grows by a few pieces in flight, not by the files.
    assert memory.stop() - before < 48 * MIB


def test_journal_misses_are_inside_its_byte_cap() -> None:
    journal = RequestJournal(limit=1000, byte_limit=10 * MIB)
    body = b'{"text": "' + b"x" * MIB + b'"}'
    for number in range(40):
        journal.add(JournalEntry(number, 0.0, "POST", GENERATE, 400, 0.0, encoded_body=body, miss="no recording"))
    kept = {id(entry): entry.size for entry in [*journal.entries, *journal.misses]}
    assert sum(kept.values()) <= 10 * MIB
    assert journal.misses and journal.misses[-1].number == 39


# aiohttp 3.13 starts its keep-alive timer only between requests, not inside a request's headers.
@pytest.mark.skipif(not hasattr(web, "RequestKey"), reason="aiohttp < 3.14 leaves a connection silent inside its headers open")
def test_silent_connection_is_closed(make_server: object) -> None:
    with MockGemServer(idle_timeout=0.5) as server, socket.create_connection(("127.0.0.1", server.port), timeout=30) as connection:
        connection.sendall(b"POST " + GENERATE.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and nothing more
        assert connection.recv(1024) == b""


def test_body_that_stops_arriving_is_a_408_envelope() -> None:
    with MockGemServer(idle_timeout=0.5) as server:
        head = request_bytes("POST", GENERATE, b"x" * 100)[: -100 + 10]  # Content-Length 100, 10 bytes sent
        answer = send_raw(server.port, head)
        assert answer.status == 408
        assert answer.error()["status"] == "DEADLINE_EXCEEDED"
        entry = server.requests.last
        assert entry is not None and entry.status == 408
