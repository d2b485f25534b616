"""Everything mockgem can be told, from the command line, the environment or Python."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_MAX_BODY = 20 * 1024 * 1024


class RecordMode(str, Enum):
    """vcrpy's names: replay never touches the network; auto forwards only what is not recorded."""

    REPLAY = "replay"
    RECORD = "record"
    AUTO = "auto"
    PASSTHROUGH = "passthrough"


class Config(BaseModel):
    """Settings for one mockgem server. Rules may be paths or already-parsed dicts."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    rules: tuple[Path | dict[str, Any], ...] = ()
    api_keys: tuple[str, ...] = ()
    max_body: int = Field(default=DEFAULT_MAX_BODY, gt=0)
    mode: RecordMode = RecordMode.REPLAY
    cassette: Path | None = None
    cassette_dir: Path | None = None
    replay_timing: str = Field(default="instant", pattern=r"^(instant|recorded|scaled:\d+(\.\d+)?)$")
    upstream: str | None = None
    upstream_key: str | None = None
