"""`create_app(config)`: the aiohttp application, read as a table of contents."""

from __future__ import annotations

from aiohttp import web

from mockgem.config import Config
from mockgem.faults import parse_faults
from mockgem.server.fault_state import FaultBoard, QuotaDesk
from mockgem.server.keys import CONFIG, FAULTS, QUOTAS, SOURCE
from mockgem.server.middlewares import MIDDLEWARES
from mockgem.server.routes import setup_routes
from mockgem.sources.base import FirstOf
from mockgem.sources.builtin import BuiltinSource
from mockgem.sources.rules import RuleSource


def create_app(config: Config) -> web.Application:
    # The body limit is enforced by `parse.read_body` with the real API's error.
    app = web.Application(middlewares=MIDDLEWARES, client_max_size=config.max_body + 1)
    app[CONFIG] = config
    app[SOURCE] = FirstOf(RuleSource(config.rules, check_faults=parse_faults), BuiltinSource())
    app[FAULTS] = FaultBoard(parse_faults(config.faults), config.seed)
    app[QUOTAS] = QuotaDesk(config.quotas)
    setup_routes(app)
    return app
