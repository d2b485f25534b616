"""Every piece of application state, under typed keys (no globals)."""

from __future__ import annotations

from aiohttp import web

from mockgem.config import Config
from mockgem.journal import RequestJournal
from mockgem.resources.batches import BatchStore
from mockgem.resources.caches import CacheStore
from mockgem.resources.file_search import FileSearchStores
from mockgem.resources.files import FileStore
from mockgem.resources.interactions import InteractionStore
from mockgem.resources.operations import OperationStore
from mockgem.resources.prediction_jobs import PredictionJobStore
from mockgem.resources.state import StateStore
from mockgem.resources.tunings import TuningStore
from mockgem.server.fault_state import FaultBoard, QuotaDesk
from mockgem.server.live_desk import LiveDesk
from mockgem.sources.base import Source
from mockgem.sources.cassettes.source import CassetteSource
from mockgem.sources.rules import RuleSource
from mockgem.sources.passthrough import PassthroughSource

CONFIG = web.AppKey("config", Config)
SOURCE = web.AppKey("source", Source)
STATE = web.AppKey("state", StateStore)
FILES = web.AppKey("files", FileStore)
CACHES = web.AppKey("caches", CacheStore)
BATCHES = web.AppKey("batches", BatchStore)
PREDICTION_JOBS = web.AppKey("prediction_jobs", PredictionJobStore)
OPERATIONS = web.AppKey("operations", OperationStore)
FILE_SEARCH = web.AppKey("file_search", FileSearchStores)
TUNINGS = web.AppKey("tunings", TuningStore)
INTERACTIONS = web.AppKey("interactions", InteractionStore)
CASSETTES = web.AppKey("cassettes", CassetteSource)
# Set in record, auto and passthrough: resource calls go there, not to this run's stores.
UPSTREAM = web.AppKey("upstream", PassthroughSource)
# Forwarded resumable uploads: this server's upload_id -> the upstream's session URL.
UPSTREAM_UPLOADS = web.AppKey("upstream_uploads", dict[str, str])
FAULTS = web.AppKey("faults", FaultBoard)
QUOTAS = web.AppKey("quotas", QuotaDesk)
JOURNAL = web.AppKey("journal", RequestJournal)
# The scripted rules, when the mode asks them (replay): `POST /_mockgem/rules` adds to them.
RULES = web.AppKey("rules", RuleSource)
# The names the rules documents posted since the last reset were loaded under: `posted rules #1`...
POSTED_RULES = web.AppKey("posted_rules", list[str])
# The Live API's state: ephemeral tokens, resumption handles, recorded sessions (`server/live.py`).
LIVE = web.AppKey("live", LiveDesk)
