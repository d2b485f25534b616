"""Everything mockgem can be told, from the command line, the environment or Python."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_MAX_BODY = 20 * 1024 * 1024


class Config(BaseModel):
    """Settings for one mockgem server. Rules may be paths or already-parsed dicts.

    `faults` are terms of the fault language (`503@0.05`, `latency=200ms..800ms`) that every
    generate call may get, rolled from `seed` (a random seed when None); `quotas` are `--quota`
    values (`gemini-2.5-flash:rpm=10`). Both are checked when the app is created.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    rules: tuple[Path | dict[str, Any], ...] = ()
    api_keys: tuple[str, ...] = ()
    max_body: int = Field(default=DEFAULT_MAX_BODY, gt=0)
    faults: tuple[str, ...] = ()
    seed: int | None = None
    quotas: tuple[str, ...] = ()
