"""Shared fixtures: real servers on loopback, real SDK clients pointed at them."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mockgem import MockGemServer

pytest_plugins = ["pytester"]
# Tests read the shared corpus in place: no parsed-cassette cache may be written beside it.
os.environ.setdefault("MOCKGEM_PARSED_CACHE", "off")

EXAMPLE_RULES = Path(__file__).parent.parent / "mockgem" / "examples" / "rules.yaml"
# Beside the checkout (`MOCKGEM_CORPUS` names it where a worktree has none beside it).
CORPUS = Path(os.environ.get("MOCKGEM_CORPUS") or Path(__file__).parent.parent.parent / "shared" / "corpus")


@pytest.fixture
def make_server() -> Iterator[Callable[..., MockGemServer]]:
    """Starts servers with the given settings; stops them after the test."""
    started: list[MockGemServer] = []

    def start(**settings: Any) -> MockGemServer:
        server = MockGemServer(**settings).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def server(make_server: Callable[..., MockGemServer]) -> MockGemServer:
    """A server on the bundled example rules."""
    return make_server(rules=EXAMPLE_RULES)

