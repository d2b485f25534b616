"""Every frame of a Live session, both ways, with its time since the session began."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Literal

from mockgem._types import JSONDict

Side = Literal["client", "server"]


@dataclass(frozen=True, slots=True)
class LoggedFrame:
    """A frame (`data`: bytes for a binary frame, str for a text one), or a close (`close_code`)."""

    side: Side
    at: float
    data: bytes | str = b""
    close_code: int | None = None
    close_reason: str = ""

    def to_json(self) -> JSONDict:
        entry: JSONDict = {"from": self.side, "at": round(self.at, 4)}
        if self.close_code is not None:
            return entry | {"close": {"code": self.close_code, "reason": self.close_reason}}
        try:
            return entry | {"message": json.loads(self.data)}
        except (ValueError, UnicodeDecodeError):
            return entry | {"bytes": len(self.data)}


class FrameLog:
    def __init__(self, started: float | None = None) -> None:
        self.started = time.monotonic() if started is None else started
        self.frames: list[LoggedFrame] = []

    def add(self, side: Side, data: bytes | str) -> None:
        self.frames.append(LoggedFrame(side, time.monotonic() - self.started, data))

    def add_close(self, side: Side, code: int, reason: str) -> None:
        self.frames.append(LoggedFrame(side, time.monotonic() - self.started, close_code=code, close_reason=reason))

    def to_json(self) -> list[JSONDict]:
        return [frame.to_json() for frame in self.frames]
