"""Everything mockgem can be told, from the command line, the environment or Python."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mockgem.sources.cassettes.jsonpath import parse_path
from mockgem.sources.cassettes.keys import DEFAULT_MATCH_ON, KeyRules, matchers
from mockgem.sources.cassettes.redact import RedactionRules

DEFAULT_MAX_BODY = 20 * 1024 * 1024
# A simulated wait: at most a year, so that every timestamp worked out from it can be written.
Seconds = Annotated[float, Field(ge=0, le=365 * 24 * 3600)]
GIB = 1024**3


class RecordMode(str, Enum):
    """vcrpy's names: replay never touches the network; auto forwards only what is not recorded."""

    REPLAY = "replay"
    RECORD = "record"
    AUTO = "auto"
    PASSTHROUGH = "passthrough"


class Config(BaseModel):
    """Settings for one mockgem server. Rules may be paths or already-parsed dicts.

    `faults` are terms of the fault language (`503@0.05`, `latency=200ms..800ms`) that every
    generate call may get, rolled from `seed` (a random seed when None); `quotas` are `--quota`
    values (`gemini-2.5-flash:rpm=10`). Both are checked when the app is created.
    The `redact_*` and `hash_blobs_over` filters apply to what is recorded; `ignore_paths`,
    `match_version` and `match_on` (vcrpy's matcher names, plus `gemini_body`) to how a request
    finds its recording. In replay a request of a selected cassette that matches no recording gets
    the next unplayed one of its method and path, reported; `strict` makes it a miss instead.
    `idle_timeout` closes a connection that sends nothing for that long (between requests, or
    halfway through one).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    rules: tuple[Path | dict[str, Any], ...] = ()
    api_keys: tuple[str, ...] = ()
    max_body: int = Field(default=DEFAULT_MAX_BODY, gt=0)
    state_dir: Path | None = None
    file_processing: Seconds = 0.0
    file_processing_by_type: dict[str, Seconds] = Field(default_factory=dict)
    failing_file_types: tuple[str, ...] = ()
    batch_duration: Seconds = 0.0
    operation_duration: Seconds = 0.0
    max_file_size: int = Field(default=2 * GIB, gt=0)
    max_storage: int = Field(default=20 * GIB, gt=0)
    mode: RecordMode = RecordMode.REPLAY
    journal_size: int = Field(default=1000, ge=1)
    # Seconds a connection may send nothing: idle between requests, or stalled inside one.
    idle_timeout: float = Field(default=30.0, gt=0, le=3600)
    cassette: Path | None = None
    cassette_dir: Path | None = None
    replay_timing: str = Field(default="instant", pattern=r"^(instant|recorded|scaled:\d+(\.\d+)?)$")
    upstream: str | None = None
    upstream_key: str | None = None
    # Seconds to connect to the upstream, and between two reads of its answer (no total limit).
    upstream_connect_timeout: float = Field(default=30.0, gt=0, le=3600)
    upstream_read_timeout: float = Field(default=300.0, gt=0, le=24 * 3600)
    faults: tuple[str, ...] = ()
    seed: int | None = Field(default=None, ge=0, lt=2**64)
    quotas: tuple[str, ...] = ()
    redact_headers: tuple[str, ...] = ()
    redact_query: tuple[str, ...] = ()
    redact_paths: tuple[str, ...] = ()
    hash_blobs_over: int | None = Field(default=None, ge=0)
    ignore_paths: tuple[str, ...] = ()
    match_version: bool = False
    rewrite: bool = False
    tls: bool = False  # serve HTTPS and WSS with a leaf of the local CA (`mockgem.tls`)
    match_on: tuple[str, ...] = DEFAULT_MATCH_ON
    strict: bool = False
    # Asked of every `/_mockgem/` call when set (`server.admin_guard`).
    admin_token: str | None = Field(default=None, min_length=8)

    @field_validator("redact_paths", "ignore_paths")
    @classmethod
    def _readable_paths(cls, paths: tuple[str, ...]) -> tuple[str, ...]:
        for path in paths:
            parse_path(path)
        return paths

    @field_validator("match_on")
    @classmethod
    def _known_matchers(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        matchers(names)
        return names

    def key_rules(self) -> KeyRules:
        return KeyRules(ignored_paths=self.ignore_paths, match_version=self.match_version, match_on=self.match_on)

    def redaction_rules(self) -> RedactionRules:
        return RedactionRules(
            headers=frozenset(self.redact_headers), query=frozenset(self.redact_query),
            json_paths=self.redact_paths, blob_limit=self.hash_blobs_over,
        )
