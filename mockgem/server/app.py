"""`create_app(config)`: the aiohttp application, read as a table of contents."""

from __future__ import annotations

from functools import partial

from aiohttp import web

from mockgem.config import Config
from mockgem.faults import parse_faults
from mockgem.server.fault_state import FaultBoard, QuotaDesk
from mockgem.journal import RequestJournal
from mockgem.server.keys import CONFIG, FAULTS, JOURNAL, POSTED_RULES, QUOTAS
from mockgem.server.proxy import install_tunnels
from mockgem.server.render import add_cors_headers, compact_when_asked
from mockgem.server.resource_use import file_labels
from mockgem.server.live import setup_live_routes
from mockgem.server.routes import setup_routes
from mockgem.server.sources import install_sources
from mockgem.server.stores import resource_stores


def create_app(config: Config) -> web.Application:
    # The body limit is enforced by `parse.read_body` with the real API's error.
    app = web.Application(client_max_size=config.max_body + 1)
    app[CONFIG] = config
    app[JOURNAL] = RequestJournal(config.journal_size)
    app[POSTED_RULES] = []
    install_sources(app, config, file_labels=partial(file_labels, app), check_faults=parse_faults)
    app.cleanup_ctx.append(resource_stores)
    app[FAULTS] = FaultBoard(parse_faults(config.faults), config.seed)
    app[QUOTAS] = QuotaDesk(config.quotas)
    setup_live_routes(app)
    setup_routes(app)
    install_tunnels(app)
    app.on_response_prepare.append(add_cors_headers)
    app.on_response_prepare.append(compact_when_asked)
    return app
