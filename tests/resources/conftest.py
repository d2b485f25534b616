from __future__ import annotations

import pytest

from mockgem.resources.files import FileStore
from mockgem.resources.state import MemoryState

START = 1_800_000_000.0
GOOGLE = "https://generativelanguage.googleapis.com"


class FakeClock:
    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def state() -> MemoryState:
    return MemoryState()


@pytest.fixture
def files(state: MemoryState, clock: FakeClock) -> FileStore:
    return FileStore(state, clock=clock)
