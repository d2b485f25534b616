"""The resource stores' lifetime: opened at startup, closed at shutdown."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

from aiohttp import web

from mockgem.config import Config
from mockgem.protocol.tokens import count_request
from mockgem.resources.batches import BatchStore
from mockgem.resources.caches import CacheStore
from mockgem.resources.file_records import Processing
from mockgem.resources.file_search import FileSearchStores
from mockgem.resources.files import FileStore
from mockgem.resources.interactions import InteractionStore
from mockgem.resources.operations import OperationStore
from mockgem.resources.prediction_jobs import PredictionJobStore
from mockgem.resources.state import DiskState, Limits, open_state
from mockgem.resources.tunings import TuningStore
from mockgem.server.batches import batch_answerer, embed_answerer
from mockgem.server.keys import BATCHES, CACHES, CONFIG, FILE_SEARCH, FILES, INTERACTIONS, OPERATIONS, PREDICTION_JOBS, STATE, TUNINGS


async def resource_stores(app: web.Application) -> AsyncIterator[None]:
    """A `cleanup_ctx`: every resource store over one state, closed at the end."""
    config = app[CONFIG]
    state = open_state(config.state_dir)
    files = FileStore(state, clock=time.time, processing=processing_of(config), limits=Limits(config.max_file_size, config.max_storage))
    app[STATE], app[FILES] = state, files
    app[CACHES] = CacheStore(state, clock=time.time, count_tokens=count_request)
    app[BATCHES] = BatchStore(state, clock=time.time, files=files, answer=batch_answerer(app), duration=config.batch_duration, embed=embed_answerer(app))
    app[PREDICTION_JOBS] = PredictionJobStore(state, clock=time.time, duration=config.batch_duration)
    operations = app[OPERATIONS] = OperationStore(state, clock=time.time, duration=config.operation_duration)
    app[FILE_SEARCH] = FileSearchStores(state, clock=time.time, operations=operations)
    app[TUNINGS] = TuningStore(state, clock=time.time, operations=operations)
    app[INTERACTIONS] = InteractionStore(state, clock=time.time, duration=config.operation_duration)
    yield
    state.close()


def processing_of(config: Config) -> Processing:
    return Processing(config.file_processing, dict(config.file_processing_by_type), frozenset(config.failing_file_types))

