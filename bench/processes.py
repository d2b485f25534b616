"""Servers under test as child processes: started, waited for, measured (RSS) and stopped."""

from __future__ import annotations

import http.client
import os
import re
import selectors
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

LISTENING = re.compile(rb"listening on http://([0-9.]+):(\d+)")
START_TIMEOUT = 600.0  # 100,000 recorded interactions take a while to index on a busy machine


class BenchError(RuntimeError):
    """The benchmark could not run (a server did not start, a scenario answered wrongly)."""


@dataclass
class Server:
    """A started server: its process, URL, and the seconds from spawn to listening."""

    name: str
    process: subprocess.Popen[bytes]
    url: str
    port: int
    started_in: float
    log: Path
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss_mb(self) -> float:
        """Resident memory now, from /proc (Linux); 0 where there is no /proc."""
        try:
            status = Path(f"/proc/{self.pid}/status").read_text()
        except OSError:
            return 0.0
        found = re.search(r"VmRSS:\s+(\d+) kB", status)
        return int(found.group(1)) / 1024 if found else 0.0

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


def mockgem_command(*args: str) -> list[str]:
    # --quiet: no access log, which would fill the pipe nobody reads once the server is up.
    return [sys.executable, "-m", "mockgem", "serve", "--quiet", "--host", "127.0.0.1", "--port", "0", *args]


def baseline_command(answers: Path) -> list[str]:
    return [sys.executable, "-m", "bench.baseline", str(answers)]


def start(name: str, command: list[str], workdir: Path) -> Server:
    """Spawn `command` and wait for its `listening on http://HOST:PORT` line."""
    log = workdir / f"{name}.log"
    began = time.perf_counter()
    with log.open("wb") as errors:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, cwd=Path(__file__).parent.parent, env=server_env(workdir))
    host, port = _await_listening(process, log)
    return Server(name, process, f"http://{host}:{port}", port, time.perf_counter() - began, log)


def server_env(workdir: Path) -> dict[str, str]:
    """The servers' environment: bytecode cached (in `workdir`), as a user's Python does; an
    environment with PYTHONDONTWRITEBYTECODE would compile every module at every start."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONUNBUFFERED": "1", "PYTHONPYCACHEPREFIX": str(workdir / "pycache")}


def _await_listening(process: subprocess.Popen[bytes], log: Path) -> tuple[str, int]:
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + START_TIMEOUT
    seen = b""
    while time.monotonic() < deadline:
        if selector.select(timeout=0.5):
            line = process.stdout.readline()
            seen += line
            found = LISTENING.search(line)
            if found:
                return found.group(1).decode(), int(found.group(2))
            if not line and process.poll() is not None:
                break
    process.kill()
    raise BenchError(f"server did not start: {seen.decode(errors='replace')}{log.read_text(errors='replace')[-2000:]}")


def send(port: int, method: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, list[tuple[str, str]], bytes]:
    """One request with the standard library: status, headers and the whole body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()
