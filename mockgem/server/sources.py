"""Which sources answer, per `--mode`, and the upstream connection's lifetime.

- replay: FirstOf(cassettes, rules when given, builtin). Builtin answers only countTokens,
  embeddings and the models API, so a generate request with no recording is a 4xx miss that
  names the closest recording. Without any cassette configured: rules then builtin, as before.
- record: everything is forwarded and written down. passthrough: forwarded, nothing written.
- auto: FirstOf(cassettes, forward-and-record); the cassettes' miss is not shown, the upstream answers.
Cassettes are asked under recorded resource names (`NameMappedSource`). Outside replay, the
upstream is also under `UPSTREAM`, where files, caches and batches calls are forwarded.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from mockgem.config import Config, RecordMode
from mockgem.resources.names import NameMap
from mockgem.server.keys import CASSETTES, NAMES, SOURCE, UPSTREAM, UPSTREAM_UPLOADS
from mockgem.server.recorded_names import NameMappedSource
from mockgem.server.resource_use import ResourceResolvingSource
from mockgem.sources.base import FirstOf, Source
from mockgem.sources.builtin import BuiltinSource
from mockgem.sources.cassettes.source import CassetteSource, ReplayTiming
from mockgem.sources.passthrough import PassthroughSource, Upstream
from mockgem.sources.rules import FaultCheck, FileLabels, RuleSource


def install_sources(app: web.Application, config: Config, *, file_labels: FileLabels | None = None, check_faults: FaultCheck | None = None) -> None:
    cassettes = CassetteSource.load(file=config.cassette, directory=config.cassette_dir, timing=ReplayTiming.parse(config.replay_timing))
    app[CASSETTES] = cassettes
    app[NAMES] = NameMap()
    mapped = NameMappedSource(cassettes, app[NAMES])
    if config.mode is RecordMode.REPLAY:
        rules = ResourceResolvingSource(app, RuleSource(config.rules, file_labels=file_labels, check_faults=check_faults))
        app[SOURCE] = _replay_source(config, mapped, rules)
        return
    recorder = None if config.mode is RecordMode.PASSTHROUGH else cassettes.record
    upstream = app[UPSTREAM] = PassthroughSource(Upstream(config.upstream, config.upstream_key), recorder)
    app[UPSTREAM_UPLOADS] = {}
    app[SOURCE] = FirstOf(mapped, upstream) if config.mode is RecordMode.AUTO else upstream

    async def upstream_session(_: web.Application) -> AsyncIterator[None]:
        async with upstream.connected():
            yield

    app.cleanup_ctx.append(upstream_session)


def _replay_source(config: Config, cassettes: Source, rules: Source) -> Source:
    if config.cassette is None and config.cassette_dir is None:
        return FirstOf(rules, BuiltinSource())
    scripted: list[Source] = [rules] if config.rules else []
    return FirstOf(cassettes, *scripted, BuiltinSource())
