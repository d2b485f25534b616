"""Every piece of application state, under typed keys (no globals)."""

from __future__ import annotations

from aiohttp import web

from mockgem.config import Config
from mockgem.protocol.calls import ApiCall
from mockgem.sources.base import Source
from mockgem.sources.cassettes.source import CassetteSource

CONFIG = web.AppKey("config", Config)
SOURCE = web.AppKey("source", Source)
CASSETTES = web.AppKey("cassettes", CassetteSource)

# Per-request values set by the middlewares.
CALL = web.RequestKey("call", ApiCall)
API_KEY = web.RequestKey("api_key", str)
