"""The Live API's state for one app: ephemeral tokens and the resumption handles given out."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from mockgem.resources.auth_tokens import AuthTokenStore
from mockgem.sources.live.scripted import ResumptionHandles


@dataclass
class LiveDesk:
    tokens: AuthTokenStore = field(default_factory=AuthTokenStore)
    handles: ResumptionHandles = field(default_factory=ResumptionHandles)
    # How often each recorded session was replayed: the least replayed one is chosen first.
    replays: Counter[str] = field(default_factory=Counter)

    def reset(self) -> None:
        self.tokens.clear()
        self.handles.clear()
        self.replays.clear()
