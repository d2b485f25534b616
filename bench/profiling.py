"""Where a replayed request's time goes: py-spy samples the mockgem server while wrk loads it.

The summary names functions with their share of the server's busy samples and the CPU
microseconds per request they stand for (samples / rate / requests served meanwhile).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.fixtures import Request
from bench.load import PythonLoad, WrkLoad
from bench.processes import Server

RATE = 250
_FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>[^():]*)(?::\d+)?\)$")
AREAS = (
    ("mockgem/server/", "mockgem.server"), ("mockgem/sources/", "mockgem.sources"), ("mockgem/protocol/", "mockgem.protocol"),
    ("mockgem/translate/", "mockgem.translate"), ("mockgem/", "mockgem (other)"), ("aiohttp/", "aiohttp"),
    ("multidict/", "aiohttp"), ("yarl/", "aiohttp"), ("asyncio/", "asyncio"), ("json/", "json (stdlib)"),
)


@dataclass
class Profile:
    """Samples by function, inclusive (anywhere in the stack) and self (the leaf)."""

    title: str
    rps: float
    seconds: float
    total: int = 0
    inclusive: Counter[str] = field(default_factory=Counter)
    leaf: Counter[str] = field(default_factory=Counter)
    areas: Counter[str] = field(default_factory=Counter)

    def us_per_request(self, samples: int) -> float:
        served = self.rps * self.seconds
        return samples / RATE / served * 1e6 if served else 0.0

    def share(self, samples: int) -> float:
        return samples / self.total * 100 if self.total else 0.0


def py_spy() -> str | None:
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


def profile(title: str, server: Server, load: WrkLoad | PythonLoad, request: Request, scenario: str,
            seconds: float, workdir: Path) -> Profile | None:
    """Sample `server` for `seconds` under 64 connections; None when py-spy is missing or refused."""
    spy = py_spy()
    if spy is None:
        return None
    raw = workdir / f"profile-{scenario}.txt"
    command = [spy, "record", "-r", str(RATE), "-d", str(round(seconds)), "--format", "raw", "-o", str(raw), "-p", str(server.pid)]
    sampler = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    measured = load.run(server.url, request, scenario, 64, seconds + 1)
    if sampler.wait(seconds + 60) != 0 or not raw.exists():
        return None
    return summarise(title, raw.read_text(), measured.rps, seconds)


def summarise(title: str, raw: str, rps: float, seconds: float) -> Profile:
    result = Profile(title, rps, seconds)
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [_name(frame) for frame in stack.split(";")]
        result.total += int(count)
        for name in set(frames):
            result.inclusive[name] += int(count)
        result.leaf[frames[-1]] += int(count)
        result.areas[area(frames[-1])] += int(count)
    return result


def _name(frame: str) -> str:
    """`function (package/module.py)`: the line number dropped, the path from its package on."""
    found = _FRAME.match(frame.strip())
    if found is None:
        return frame.strip()
    path = found.group("file")
    for marker in ("site-packages/", "/lib/python3", "/issue18/", "/mockgem/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    if path.startswith(".") and "/" in path:
        path = path.split("/", 1)[1]
    return f"{found.group('function')} ({path})"


def area(name: str) -> str:
    where = name.rsplit("(", 1)[-1]
    if "mockgem" not in where and where.startswith(("server/", "sources/", "protocol/", "translate/")):
        where = "mockgem/" + where
    return next((label for prefix, label in AREAS if where.startswith(prefix) or f"/{prefix}" in where), "other (stdlib, C)")
