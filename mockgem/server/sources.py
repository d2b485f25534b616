"""Which sources answer, per `--mode`, and the upstream connection's lifetime.

- replay: FirstOf(cassettes, rules when given, builtin). Builtin answers only countTokens,
  embeddings and the models API, so a generate request with no recording is a 4xx miss that
  names the closest recording. Without any cassette configured: rules then builtin, as before.
- record: everything is forwarded and written down. passthrough: forwarded, nothing written.
- auto: FirstOf(cassettes, forward-and-record); the cassettes' miss is not shown, the upstream answers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from mockgem.config import Config, RecordMode
from mockgem.server.keys import CASSETTES, SOURCE
from mockgem.server.resource_use import ResourceResolvingSource
from mockgem.sources.base import FirstOf, Source
from mockgem.sources.builtin import BuiltinSource
from mockgem.sources.cassettes.source import CassetteSource, ReplayTiming
from mockgem.sources.passthrough import PassthroughSource, Upstream
from mockgem.sources.rules import FaultCheck, FileLabels, RuleSource


def install_sources(app: web.Application, config: Config, *, file_labels: FileLabels | None = None, check_faults: FaultCheck | None = None) -> None:
    cassettes = CassetteSource.load(
        file=config.cassette, directory=config.cassette_dir, timing=ReplayTiming.parse(config.replay_timing),
        rules=config.key_rules(), redaction=config.redaction_rules(),
    )
    app[CASSETTES] = cassettes
    if config.mode is RecordMode.REPLAY:
        rules = ResourceResolvingSource(app, RuleSource(config.rules, file_labels=file_labels, check_faults=check_faults))
        app[SOURCE] = _replay_source(config, cassettes, rules)
        return
    recorder = None if config.mode is RecordMode.PASSTHROUGH else cassettes.record
    upstream = PassthroughSource(Upstream(config.upstream, config.upstream_key), recorder)
    app[SOURCE] = FirstOf(cassettes, upstream) if config.mode is RecordMode.AUTO else upstream

    async def upstream_session(_: web.Application) -> AsyncIterator[None]:
        async with upstream.connected():
            yield

    app.cleanup_ctx.append(upstream_session)


def _replay_source(config: Config, cassettes: CassetteSource, rules: Source) -> Source:
    if config.cassette is None and config.cassette_dir is None:
        return FirstOf(rules, BuiltinSource())
    scripted: list[Source] = [rules] if config.rules else []
    return FirstOf(cassettes, *scripted, BuiltinSource())
