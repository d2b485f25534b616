"""Every piece of application state, under typed keys (no globals)."""

from __future__ import annotations

import random

from aiohttp import web

from mockgem.config import Config
from mockgem.faults import FaultPlan
from mockgem.faults.quotas import Throttle
from mockgem.journal import RequestJournal
from mockgem.protocol.calls import ApiCall, ApiRequest
from mockgem.resources.batches import BatchStore
from mockgem.resources.caches import CacheStore
from mockgem.resources.files import FileStore
from mockgem.resources.names import NameMap
from mockgem.resources.prediction_jobs import PredictionJobStore
from mockgem.resources.state import StateStore
from mockgem.server.fault_state import FaultBoard, QuotaDesk
from mockgem.server.request_keys import RequestKey
from mockgem.sources.base import Answer, Miss, Source
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
CASSETTES = web.AppKey("cassettes", CassetteSource)
# Recorded resource names and the names this run's creates gave them (replay and auto).
NAMES = web.AppKey("names", NameMap)
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

# Per-request values set by the middlewares.
CALL = RequestKey("call", ApiCall)
API_KEY = RequestKey("api_key", str)
FAULT_PLAN = RequestKey("fault_plan", FaultPlan)
FAULT_RNG = RequestKey("fault_rng", random.Random)

# What the journal reads once the response is out, set by the handlers along the way.
CLIENT_REQUEST = RequestKey("client_request", ApiRequest)
ASKED = RequestKey("asked", ApiRequest)
ANSWERED = RequestKey("answered", Answer)
MISSED = RequestKey("missed", Miss)
THROTTLE = RequestKey("throttle", Throttle)
