"""The settings a server takes, by the same names everywhere: `Config` fields, `MockGemServer`
keywords, `@pytest.mark.mockgem(...)` keywords and `mockgem_<name>` ini options (the command
line spells them `--name-with-dashes`).

`Config` is the definition (types, defaults, checks); `Settings` gives the same names and types
to a type checker for keyword arguments, and a test keeps the two equal. `checked_config` is
where a typo or a bad value becomes one readable line instead of a pydantic traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, TypedDict

from pydantic import ValidationError

from mockgem.config import Config, RecordMode, Seconds
from mockgem.errors import ConfigError

ModeName = Literal["replay", "record", "auto", "passthrough"]


class Settings(TypedDict, total=False):
    """Every `Config` field but `rules` (which `MockGemServer` takes in more shapes)."""

    host: str
    port: int
    api_keys: tuple[str, ...]
    max_body: int
    state_dir: Path | None
    file_processing: float
    file_processing_by_type: dict[str, Seconds]
    failing_file_types: tuple[str, ...]
    batch_duration: float
    operation_duration: float
    max_file_size: int
    max_storage: int
    mode: RecordMode | ModeName
    journal_size: int
    cassette: Path | None
    cassette_dir: Path | None
    replay_timing: str
    upstream: str | None
    upstream_key: str | None
    faults: tuple[str, ...]
    seed: int | None
    quotas: tuple[str, ...]
    redact_headers: tuple[str, ...]
    redact_query: tuple[str, ...]
    redact_paths: tuple[str, ...]
    hash_blobs_over: int | None
    ignore_paths: tuple[str, ...]
    match_version: bool
    rewrite: bool
    tls: bool
    match_on: tuple[str, ...]
    strict: bool
    admin_token: str | None
    idle_timeout: float
    upstream_connect_timeout: float
    upstream_read_timeout: float


SETTING_NAMES = tuple(Config.model_fields)


def unknown_setting(name: str, where: str) -> str:
    """`where: unknown setting 'fualts' (did you mean 'faults'?); valid settings: ...`."""
    close = difflib.get_close_matches(name, SETTING_NAMES, n=1)
    guess = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{where}: unknown setting {name!r}{guess}; valid settings: {', '.join(SETTING_NAMES)}"


def checked_config(settings: Mapping[str, Any], *, base: Config | None = None, where: str = "mockgem") -> Config:
    """`base` (or the defaults) with `settings` on top, checked; ConfigError names each mistake."""
    for name in settings:
        if name not in Config.model_fields:
            raise ConfigError(unknown_setting(name, where))
    values = (base.model_dump() if base is not None else {}) | dict(settings)
    try:
        return Config(**values)
    except ValidationError as exc:
        raise ConfigError(f"{where}: " + "; ".join(_problem(detail) for detail in exc.errors())) from None


def _problem(detail: Any) -> str:
    name = ".".join(str(part) for part in detail["loc"])
    return f"{name}={detail.get('input')!r}: {str(detail['msg']).removeprefix('Value error, ')}"
