"""Every piece of application state, under typed keys (no globals)."""

from __future__ import annotations

import random

from aiohttp import web

from mockgem.config import Config
from mockgem.faults import FaultPlan
from mockgem.protocol.calls import ApiCall
from mockgem.resources.batches import BatchStore
from mockgem.resources.caches import CacheStore
from mockgem.resources.files import FileStore
from mockgem.resources.names import NameMap
from mockgem.resources.state import StateStore
from mockgem.server.fault_state import FaultBoard, QuotaDesk
from mockgem.sources.base import Source
from mockgem.sources.cassettes.source import CassetteSource
from mockgem.sources.passthrough import PassthroughSource

CONFIG = web.AppKey("config", Config)
SOURCE = web.AppKey("source", Source)
STATE = web.AppKey("state", StateStore)
FILES = web.AppKey("files", FileStore)
CACHES = web.AppKey("caches", CacheStore)
BATCHES = web.AppKey("batches", BatchStore)
CASSETTES = web.AppKey("cassettes", CassetteSource)
# Recorded resource names and the names this run's creates gave them (replay and auto).
NAMES = web.AppKey("names", NameMap)
# Set in record, auto and passthrough: resource calls go there, not to this run's stores.
UPSTREAM = web.AppKey("upstream", PassthroughSource)
# Forwarded resumable uploads: this server's upload_id -> the upstream's session URL.
UPSTREAM_UPLOADS = web.AppKey("upstream_uploads", dict[str, str])
FAULTS = web.AppKey("faults", FaultBoard)
QUOTAS = web.AppKey("quotas", QuotaDesk)

# Per-request values set by the middlewares.
CALL = web.RequestKey("call", ApiCall)
API_KEY = web.RequestKey("api_key", str)
FAULT_PLAN = web.RequestKey("fault_plan", FaultPlan)
FAULT_RNG = web.RequestKey("fault_rng", random.Random)
