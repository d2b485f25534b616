"""`/_mockgem/faults` and `/_mockgem/quotas`: read, set and clear them while the server runs.

    GET    /_mockgem/faults    {"faults": ["503@0.05"], "seed": 7}
    PUT    /_mockgem/faults    {"faults": "503@0.05, latency=200ms..800ms", "seed": 7}   (seed optional)
    DELETE /_mockgem/faults    no global faults
    GET    /_mockgem/quotas    {"quotas": ["gemini-2.5-flash:rpm=10"], "throttled": [...]}
    PUT    /_mockgem/quotas    {"quotas": ["gemini-2.5-flash:rpm=10"]}   (usage starts afresh)
    DELETE /_mockgem/quotas    no quotas, no throttle history
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from aiohttp import web

from mockgem.errors import ConfigError, InvalidArgument
from mockgem.faults import format_faults, parse_faults
from mockgem.server.admin_bodies import admin_body
from mockgem.server.fault_state import SEED_LIMIT, FaultBoard, QuotaDesk
from mockgem.server.parse import read_admin_body
from mockgem.server.keys import FAULTS, QUOTAS
from mockgem.server.parse import read_admin_body
from mockgem.server.render import render_json

T = TypeVar("T")


async def faults(request: web.Request) -> web.StreamResponse:
    board = request.app[FAULTS]
    if request.method == "PUT":
        body = admin_body(await read_admin_body(request), "PUT /_mockgem/faults", ("faults", "seed"))
        seed = body.get("seed", board.seed)
        if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < SEED_LIMIT:
            raise InvalidArgument(f"seed must be a whole number from 0 to {SEED_LIMIT - 1}, not {seed!r}")
        board.faults = _checked(parse_faults, _texts(body, "faults"))
        board.reseed(seed)
    elif request.method == "DELETE":
        board.faults = ()
    elif request.method != "GET":
        raise web.HTTPMethodNotAllowed(request.method, ["GET", "PUT", "DELETE"])
    return render_json(_faults_state(board))


async def quotas(request: web.Request) -> web.StreamResponse:
    desk = request.app[QUOTAS]
    if request.method == "PUT":
        _checked(desk.replace, _texts(admin_body(await read_admin_body(request), "PUT /_mockgem/quotas", ("quotas",)), "quotas"))
    elif request.method == "DELETE":
        desk.replace(())
        desk.throttled.clear()
    elif request.method != "GET":
        raise web.HTTPMethodNotAllowed(request.method, ["GET", "PUT", "DELETE"])
    return render_json(_quotas_state(desk))


def _faults_state(board: FaultBoard) -> dict[str, Any]:
    return {"faults": [str(fault) for fault in board.faults], "text": format_faults(board.faults), "seed": board.seed}


def _quotas_state(desk: QuotaDesk) -> dict[str, Any]:
    throttled = [
        {"model": t.model, "key": t.key, "metric": t.metric, "limit": t.limit, "retryAfter": t.retry_after, "at": t.at}
        for t in desk.throttled
    ]
    return {"quotas": list(desk.specs), "throttled": throttled}


def _texts(body: dict[str, Any], name: str) -> list[str]:
    value = body.get(name, [])
    texts = [value] if isinstance(value, str) else value
    if not isinstance(texts, list) or not all(isinstance(text, str | int) for text in texts):
        raise InvalidArgument(f"mockgem: `{name}` must be a string or a list of strings")
    return [str(text) for text in texts]


def _checked(parse: Callable[[list[str]], T], texts: list[str]) -> T:
    """`parse(texts)`, its ConfigError turned into the 400 a client can read."""
    try:
        return parse(texts)
    except ConfigError as exc:
        raise InvalidArgument(f"mockgem: {exc}") from None
