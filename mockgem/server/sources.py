"""Which sources answer, per `--mode`, and the upstream connection's lifetime.

- replay: FirstOf(cassettes, rules, builtin). Builtin answers only countTokens, embeddings and
  the models API, and next to cassettes the rules answer only what a rule (or their `default`)
  fits, so a generate request with no recording is a 4xx miss that names the closest recording.
  Without any cassette configured: rules (with a placeholder reply) then builtin.
- record: everything is forwarded and written down. passthrough: forwarded, nothing written.
- auto: FirstOf(cassettes, forward-and-record); the cassettes' miss is not shown, the upstream answers.
Cassettes are asked under recorded resource names (`NameMappedSource`). Outside replay, the
upstream is also under `UPSTREAM`, where files, caches and batches calls are forwarded.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from mockgem.config import Config, RecordMode
from mockgem.journal import RequestJournal
from mockgem.protocol.calls import ApiRequest
from mockgem.resources.names import NameMap
from mockgem.server.keys import CASSETTES, JOURNAL, NAMES, RULES, SOURCE, UPSTREAM, UPSTREAM_UPLOADS
from mockgem.server.recorded_names import NameMappedSource
from mockgem.server.resource_use import ResourceResolvingSource
from mockgem.sources.base import FirstOf
from mockgem.sources.builtin import BuiltinSource
from mockgem.sources.cassettes.source import CassetteSource, ReplayTiming
from mockgem.sources.cassettes.model import Interaction
from mockgem.sources.passthrough import PassthroughSource, Recorder, Upstream
from mockgem.sources.rules import FaultCheck, FileLabels, RuleSource


def install_sources(app: web.Application, config: Config, *, file_labels: FileLabels | None = None, check_faults: FaultCheck | None = None) -> None:
    cassettes = CassetteSource.load(
        file=config.cassette, directory=config.cassette_dir, timing=ReplayTiming.parse(config.replay_timing),
        rules=config.key_rules(), redaction=config.redaction_rules(),
    )
    app[CASSETTES] = cassettes
    app[NAMES] = NameMap()
    mapped = NameMappedSource(cassettes, app[NAMES])
    if config.mode is RecordMode.REPLAY:
        uses_cassettes = config.cassette is not None or config.cassette_dir is not None
        rules = RuleSource(config.rules, file_labels=file_labels, check_faults=check_faults, placeholder=not uses_cassettes)
        app[RULES] = rules
        scripted = ResourceResolvingSource(app, rules)
        app[SOURCE] = FirstOf(mapped, scripted, BuiltinSource()) if uses_cassettes else FirstOf(scripted, BuiltinSource())
        return
    recorder = None if config.mode is RecordMode.PASSTHROUGH else _counted(cassettes.record, app[JOURNAL])
    upstream = app[UPSTREAM] = PassthroughSource(Upstream(config.upstream, config.upstream_key), recorder)
    app[UPSTREAM_UPLOADS] = {}
    app[SOURCE] = FirstOf(mapped, upstream) if config.mode is RecordMode.AUTO else upstream

    async def upstream_session(_: web.Application) -> AsyncIterator[None]:
        async with upstream.connected():
            yield

    app.cleanup_ctx.append(upstream_session)


def _counted(record: Recorder, journal: RequestJournal) -> Recorder:
    """`record`, counted in the journal's stats."""

    async def counted(request: ApiRequest, interaction: Interaction) -> None:
        await record(request, interaction)
        journal.count_recorded()

    return counted
