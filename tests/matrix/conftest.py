"""The client matrix: real clients, installed by the tests, driven against mockgem over loopback.

Node clients come from `node/package.json` + `package-lock.json` (`npm ci` into `node/node_modules`);
Python clients whose pins conflict with the suite's each get a venv under `.venvs/` made by uv from
`python/<client>.txt`, kept while that file is unchanged. Each client runs as a script printing
what it saw as JSON; the tests assert on it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mockgem import MockGemServer

HERE = Path(__file__).parent
NODE_DIR = HERE / "node"
PYTHON_DIR = HERE / "python"
VENVS = HERE / ".venvs"
RULES = HERE / "rules.yaml"
INSTALL_TIMEOUT = 900
SCRIPT_TIMEOUT = 300
Results = dict[str, dict[str, Any]]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Installing a client takes longer than the suite's per-test timeout allows."""
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.timeout(INSTALL_TIMEOUT))


@pytest.fixture(scope="session")
def node_clients() -> Path:
    """`node/node_modules` as the lockfile pins it; the tier fails when node or npm is missing."""
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"the Node client matrix needs {' and '.join(missing)} on PATH (Node.js 20 or newer)", pytrace=False)
    stamp = NODE_DIR / "node_modules" / ".mockgem-lock"
    lock = _digest(NODE_DIR / "package-lock.json")
    with _exclusive(NODE_DIR / "node_modules.lock"):
        if not stamp.exists() or stamp.read_text() != lock:
            _run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=NODE_DIR, what="npm ci")
            stamp.write_text(lock)
    return NODE_DIR


@pytest.fixture(scope="session")
def python_client() -> Callable[[str], Path]:
    """The interpreter of the venv for `name` (`python/<name>.txt` pins it), made once."""

    def interpreter(name: str) -> Path:
        requirements = PYTHON_DIR / f"{name}.txt"
        venv = VENVS / name
        python = venv / "bin" / "python"
        stamp = venv / ".mockgem-requirements"
        wanted = _digest(requirements)
        VENVS.mkdir(exist_ok=True)
        with _exclusive(VENVS / f"{name}.lock"):
            if not stamp.exists() or stamp.read_text() != wanted:
                shutil.rmtree(venv, ignore_errors=True)
                _run([sys.executable, "-m", "uv", "venv", "--quiet", "--python", sys.executable, str(venv)], what="uv venv")
                _run([sys.executable, "-m", "uv", "pip", "install", "--quiet", "--native-tls", "--python", str(python), "-r", str(requirements)], what=f"installing {name}")
                stamp.write_text(wanted)
        return python

    return interpreter


@contextlib.contextmanager
def _exclusive(lock: Path) -> Iterator[None]:
    """Held by one test process at a time (pytest-xdist workers install once, one after another)."""
    with lock.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(command: list[str], *, what: str, cwd: Path | None = None) -> None:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=INSTALL_TIMEOUT, check=False)
    if done.returncode != 0:
        pytest.fail(f"{what} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}", pytrace=False)


def run_client(command: list[str], server: MockGemServer, scenarios: list[str] | None = None, **env: str) -> Results:
    """Runs a client script against `server`; what it printed last, as JSON."""
    environment = {**os.environ, "MOCKGEM_URL": server.url, **env}
    environment.pop("GEMINI_API_KEY", None)
    environment.pop("GOOGLE_API_KEY", None)
    if scenarios is not None:
        environment["SCENARIOS"] = ",".join(scenarios)
    done = subprocess.run(command, capture_output=True, text=True, timeout=SCRIPT_TIMEOUT, env=environment, check=False)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        pytest.fail(f"{' '.join(command)} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}", pytrace=False)
    results: Results = json.loads(lines[-1])
    return results


@pytest.fixture(scope="module")
def rules_server() -> Iterator[MockGemServer]:
    with MockGemServer(rules=RULES) as server:
        yield server


def replayed(run: Callable[[MockGemServer], Results], make_server: Callable[..., MockGemServer], cassette: Path) -> tuple[Results, Results, MockGemServer]:
    """`run` recorded through mockgem against a rules upstream, then again against the cassette
    alone (the upstream stopped): the two results and the replaying server."""
    upstream = make_server(rules=RULES)
    recorder = make_server(mode="record", cassette=cassette, upstream=upstream.url)
    recorded = run(recorder)
    recorder.stop()
    upstream.stop()
    replayer = make_server(cassette=cassette)
    return recorded, run(replayer), replayer
