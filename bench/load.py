"""Load generators: Debian's `wrk` (installed with apt-get when missing), else a Python one.

Both report requests per second and latency percentiles for one server, one request, a fixed
number of connections and seconds.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import statistics
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bench.fixtures import Request
from bench.processes import BenchError

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}
_LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Load:
    """One run's result: requests per second, p50 and p99 in milliseconds, failed requests."""

    rps: float
    p50_ms: float
    p99_ms: float
    errors: int = 0


def ensure_wrk(install: bool) -> str | None:
    """The path of `wrk`; when missing and `install`, apt-get installs it (as root, or with sudo)."""
    found = shutil.which("wrk")
    if found or not install or shutil.which("apt-get") is None:
        return found
    command = ["apt-get", "install", "-y", "-qq", "-o", "DPkg::Lock::Timeout=120", "wrk"]
    if os.geteuid() != 0:
        if shutil.which("sudo") is None:
            return None
        command = ["sudo", "-n", *command]
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return shutil.which("wrk")


class WrkLoad:
    """Runs `wrk -t1 -cN -dS --latency` with a Lua script that sends the request's bytes."""

    name = "wrk"

    def __init__(self, wrk: str, workdir: Path) -> None:
        self.wrk = wrk
        self.workdir = workdir

    def run(self, url: str, request: Request, scenario: str, connections: int, seconds: float) -> Load:
        script = self._script(request, scenario)
        command = [self.wrk, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency", "-s", str(script), url + request.path]
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=seconds + 60)
        if done.returncode != 0:
            raise BenchError(f"wrk failed: {done.stderr or done.stdout}")
        return parse_wrk(done.stdout)

    def _script(self, request: Request, scenario: str) -> Path:
        body = self.workdir / f"{scenario}.body"
        body.write_bytes(request.body)
        lines = [f'wrk.method = "{request.method}"']
        if request.body:
            lines.append(f'local f = io.open("{body}", "rb"); wrk.body = f:read("*a"); f:close()')
        lines += [f'wrk.headers["{name}"] = "{value}"' for name, value in request.all_headers(scenario).items()]
        script = self.workdir / f"{scenario}.lua"
        script.write_text("\n".join(lines) + "\n")
        return script


def parse_wrk(output: str) -> Load:
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if rate is None:
        raise BenchError(f"wrk printed no rate: {output}")
    latency = {int(p): float(v) * _UNITS[unit] for p, v, unit in _LATENCY.findall(output)}
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = sum(int(n) for n in socket.groups()) if socket else 0
    return Load(float(rate.group(1)), latency.get(50, 0.0), latency.get(99, 0.0), errors)


class PythonLoad:
    """aiohttp clients on one loop: slower than wrk, so ratios read lower than they are."""

    name = "python (aiohttp client; wrk missing)"

    def run(self, url: str, request: Request, scenario: str, connections: int, seconds: float) -> Load:
        return asyncio.run(self._run(url + request.path, request, scenario, connections, seconds))

    async def _run(self, url: str, request: Request, scenario: str, connections: int, seconds: float) -> Load:
        latencies: list[float] = []
        errors = 0
        deadline = time.perf_counter() + seconds
        connector = aiohttp.TCPConnector(limit=connections)
        async with aiohttp.ClientSession(connector=connector, headers=request.all_headers(scenario)) as session:

            async def client() -> None:
                nonlocal errors
                while (began := time.perf_counter()) < deadline:
                    try:
                        async with session.request(request.method, url, data=request.body or None) as response:
                            await response.read()
                    except aiohttp.ClientError:
                        errors += 1
                    latencies.append(time.perf_counter() - began)

            started = time.perf_counter()
            await asyncio.gather(*(client() for _ in range(connections)))
            elapsed = time.perf_counter() - started
        cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
        return Load(len(latencies) / elapsed, cuts[49] * 1e3, cuts[98] * 1e3, errors)


def load_generator(workdir: Path, *, install: bool) -> WrkLoad | PythonLoad:
    wrk = ensure_wrk(install)
    return WrkLoad(wrk, workdir) if wrk else PythonLoad()
