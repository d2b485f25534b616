"""@google/genai's live client (Node) against scripted sessions over TLS: `ai.live.connect` with
`NODE_EXTRA_CA_CERTS` trusting mockgem's CA. The package is installed by `npm ci` from the
lockfile in `tests/live/node/`, into a temporary copy (parallel test workers never share it)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mockgem import MockGemServer

NODE_PROJECT = Path(__file__).parent / "node"


@pytest.fixture(scope="session")
def node_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are needed for @google/genai's tests")
    project = tmp_path_factory.mktemp("node-live")
    for name in ("package.json", "package-lock.json", "live.mjs"):
        shutil.copy(NODE_PROJECT / name, project / name)
    installed = subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=project, capture_output=True, text=True, timeout=300)
    if installed.returncode != 0:
        pytest.skip(f"npm ci could not install @google/genai: {installed.stderr[-500:]}")
    return project


def run_node(project: Path, server: MockGemServer, scenario: str) -> list[dict[str, Any]]:
    environment = {**os.environ, "NODE_EXTRA_CA_CERTS": str(server.ca_bundle)}
    done = subprocess.run(["node", "live.mjs", scenario, server.url], cwd=project, env=environment, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def texts(messages: list[dict[str, Any]]) -> str:
    return "".join(part.get("text", "") for m in messages for part in m.get("serverContent", {}).get("modelTurn", {}).get("parts", []))


def test_node_live_text_turn(node_project: Path, live_server: Callable[..., MockGemServer]) -> None:
    server = live_server()
    messages = run_node(node_project, server, "text")
    assert messages[0] == {"setupComplete": {}}
    assert texts(messages) == "Sunny and 21 degrees in Paris today."
    assert messages[-1]["serverContent"] == {"turnComplete": True}
    assert server.requests.last.body == {"setup": {"model": "models/gemini-live-2.5-flash-preview", "generationConfig": {"responseModalities": ["TEXT"]}}}


def test_node_live_tool_call_round_trip(node_project: Path, live_server: Callable[..., MockGemServer]) -> None:
    server = live_server()
    messages = run_node(node_project, server, "tool")
    call = messages[1]["toolCall"]["functionCalls"][0]
    assert (call["name"], call["args"]) == ("turn_on_lights", {"room": "hall"})
    assert texts(messages) == "The hall lights are on."


def test_node_live_ephemeral_token(node_project: Path, live_server: Callable[..., MockGemServer]) -> None:
    server = live_server()
    messages = run_node(node_project, server, "token")
    assert messages[0]["token"].startswith("auth_tokens/")
    assert texts(messages) == "Sunny and 21 degrees in Paris today."  # TEXT, as the token locks it
    assert "access_token" not in server.requests.last.path
