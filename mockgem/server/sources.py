"""Which sources answer, per `--mode`, and the upstream connection's lifetime.

In every mode a rule that fits a request answers it first: a scripted answer (a 503 to test a
retry) is never replaced by a recording, nor sent upstream and recorded.
- replay: FirstOf(fitting rules, cassettes, the rules' `default`, builtin). Builtin answers only
  countTokens, embeddings and the models API, so a generate request with no recording and no
  rule is a 4xx miss that names the closest recording. Without any cassette configured: the
  rules (with a placeholder reply when nothing fits) then builtin.
- record: fitting rules, then everything is forwarded and written down. passthrough: forwarded,
  nothing written. auto: FirstOf(fitting rules, cassettes, forward-and-record).
A request the real API would refuse passes the fitting rules by and reaches the cassettes (it was
answered when it was recorded) and the upstream (which gives its own error); the simulators
after them refuse it (the rules' fallback and `Checked` around builtin). Outside replay, the upstream is also under `UPSTREAM`, where
files, caches and batches calls are forwarded.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiohttp import web

from mockgem.config import Config, RecordMode
from mockgem.errors import ConfigError
from mockgem.journal import RequestJournal
from mockgem.protocol.calls import ApiRequest
from mockgem.server.keys import CASSETTES, JOURNAL, RULES, SOURCE, UPSTREAM, UPSTREAM_UPLOADS
from mockgem.server.resource_use import ResourceResolvingSource
from mockgem.sources.base import Checked, FirstOf, Source
from mockgem.sources.builtin import BuiltinSource
from mockgem.sources.cassettes.source import CassetteSource, ReplayTiming
from mockgem.sources.cassettes.model import Interaction
from mockgem.sources.passthrough import PassthroughSource, Recording, Upstream
from mockgem.sources.rules import Fallback, FaultCheck, FileLabels, RuleSource


def install_sources(app: web.Application, config: Config, *, file_labels: FileLabels | None = None, check_faults: FaultCheck | None = None) -> None:
    cassettes = app[CASSETTES] = load_cassettes(config)
    rules = app[RULES] = RuleSource(config.rules, file_labels=file_labels, check_faults=check_faults)
    scripted_first = ResourceResolvingSource(app, rules.answering(Fallback.NONE), strict=False)
    if config.mode is not RecordMode.REPLAY:
        _install_upstream(app, config, FirstOf(scripted_first, cassettes) if config.mode is RecordMode.AUTO else scripted_first)
    elif config.cassette is None and config.cassette_dir is None:
        app[SOURCE] = FirstOf(ResourceResolvingSource(app, rules), Checked(BuiltinSource()))
    else:
        fallback = ResourceResolvingSource(app, rules.answering(Fallback.DEFAULT))
        app[SOURCE] = FirstOf(scripted_first, cassettes, fallback, Checked(BuiltinSource()))


def load_cassettes(config: Config) -> CassetteSource:
    """The cassettes, set up for the mode: auto records what was asked more often than recorded,
    record with `--rewrite` replaces each cassette's old content."""
    directory = config.cassette_dir
    if config.mode is RecordMode.REPLAY and directory is not None and not directory.is_dir():
        raise ConfigError(f"--cassette-dir {directory}: no such directory (replay reads cassettes from it)")
    return CassetteSource.load(
        file=config.cassette, directory=directory, timing=ReplayTiming.parse(config.replay_timing),
        rules=config.key_rules(), redaction=config.redaction_rules(), repeat_last=config.mode is not RecordMode.AUTO,
        rewrite=config.rewrite and config.mode is RecordMode.RECORD, fallback=config.mode is RecordMode.REPLAY and not config.strict,
    )


def _install_upstream(app: web.Application, config: Config, first: Source) -> None:
    """`first` (fitting rules, in auto the cassettes too), then the upstream, recording unless passthrough."""
    recorder = None if config.mode is RecordMode.PASSTHROUGH else CountedRecorder(app[CASSETTES], app[JOURNAL])
    where = Upstream(config.upstream, config.upstream_key, connect_timeout=config.upstream_connect_timeout, read_timeout=config.upstream_read_timeout)
    upstream = app[UPSTREAM] = PassthroughSource(where, recorder)
    app[UPSTREAM_UPLOADS] = {}
    app[SOURCE] = FirstOf(first, upstream)

    async def upstream_session(_: web.Application) -> AsyncIterator[None]:
        async with upstream.connected():
            yield

    app.cleanup_ctx.append(upstream_session)


@dataclass(frozen=True)
class CountedRecorder:
    """The cassettes' recorder, each recording counted in the journal's stats once written whole."""

    cassettes: CassetteSource
    journal: RequestJournal

    async def record(self, request: ApiRequest, interaction: Interaction) -> None:
        await self.cassettes.record(request, interaction)
        self.journal.count_recorded(request.call.model)

    async def begin(self, request: ApiRequest, interaction: Interaction) -> Recording:
        return _CountedRecording(await self.cassettes.begin(request, interaction), self.journal, request.call.model)


@dataclass(frozen=True)
class _CountedRecording:
    recording: Recording
    journal: RequestJournal
    model: str | None

    async def complete(self, interaction: Interaction) -> None:
        await self.recording.complete(interaction)
        self.journal.count_recorded(self.model)

    async def discard(self) -> None:
        await self.recording.discard()
