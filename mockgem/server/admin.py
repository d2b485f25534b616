"""mockgem's own API under `/_mockgem/`: health, cassettes, the journal, stats, rules, reset."""

from __future__ import annotations

from collections.abc import Mapping
import yaml
from aiohttp import web

from mockgem._version import __version__
from mockgem.config import RecordMode
from mockgem.errors import ConfigError, InvalidArgument, NotFound
from mockgem.journal import JournalEntry
from mockgem.protocol.json_text import ascii_int
from mockgem.server.admin_bodies import admin_body
from mockgem.server.parse import read_admin_body
from mockgem.server.keys import CASSETTES, CONFIG, FAULTS, JOURNAL, LIVE, POSTED_RULES, QUOTAS, RULES, STATE
from mockgem.server.render import render_json
from mockgem.sources.cassettes.places import inside_name
from mockgem.sources.cassettes.safe_yaml import load_yaml
from mockgem.sources.rules import RuleSource, rule_summary, reply_summary

_FILTERS = ("model", "surface", "action", "source")
MAX_LIMIT = 2**31 - 1


async def health(request: web.Request) -> web.StreamResponse:
    return render_json({"status": "ok", "version": __version__, "mode": request.app[CONFIG].mode.value})


async def list_cassettes(request: web.Request) -> web.StreamResponse:
    """`GET /_mockgem/cassettes`: what is loaded, how many interactions each, and the active one."""
    cassettes = request.app[CASSETTES]
    loaded = [{"name": name, "interactions": cassettes.index.count(name)} for name in cassettes.index.names]
    return render_json({"cassettes": loaded, "active": cassettes.active})


async def select_cassette(request: web.Request) -> web.StreamResponse:
    """`PUT /_mockgem/cassette` with `{"name": NAME}`: replay from and record into NAME from now on."""
    _only(request, "PUT")
    name = admin_body(await read_admin_body(request), "PUT /_mockgem/cassette", ("name",)).get("name")
    if not isinstance(name, str) or not name:
        raise InvalidArgument('expected {"name": "<cassette name>"}')
    cassettes = request.app[CASSETTES]
    unknown = cassettes.unknown(name) if request.app[CONFIG].mode is RecordMode.REPLAY else None
    if unknown is not None:
        raise NotFound(f"mockgem: {unknown}")
    return render_json({"active": cassettes.select(inside_name(name, "cassette name"))})


async def requests(request: web.Request) -> web.StreamResponse:
    """`GET /_mockgem/requests[?model=&surface=&action=&source=&limit=N]`, or `DELETE` to clear it."""
    journal = request.app[JOURNAL]
    if _only(request, "GET", "DELETE") == "DELETE":
        journal.clear()
        return render_json({})
    entries = journal.filter(**_filters(request.query))
    return render_json({"requests": [entry.to_json() for entry in _latest(entries, request.query.get("limit"))]})


def _filters(query: Mapping[str, str]) -> dict[str, str]:
    """The journal filters asked for: a misspelt one is a 400, never silently ignored."""
    unknown = sorted(set(query) - {*_FILTERS, "limit"})
    if unknown:
        raise InvalidArgument(f"unknown filter {unknown[0]!r}; valid filters: {', '.join(_FILTERS)}, limit")
    return {name: query[name] for name in _FILTERS if name in query}


def _latest(entries: list[JournalEntry], limit: str | None) -> list[JournalEntry]:
    if limit is None:
        return entries
    count = ascii_int(limit, low=0, high=MAX_LIMIT)
    if count is None:
        raise InvalidArgument(f"limit: expected a whole number from 0 to {MAX_LIMIT}, got {limit[:40]!r}")
    return entries[-count:] if count else []


async def stats(request: web.Request) -> web.StreamResponse:
    """`GET /_mockgem/stats`: requests, hits, misses and recordings since the last clear, per model."""
    _only(request, "GET")
    return render_json(request.app[JOURNAL].stats())


async def rules(request: web.Request) -> web.StreamResponse:
    """`GET /_mockgem/rules`: the rules in force, in the order they are tried.

    `POST /_mockgem/rules` with a rules document (JSON or YAML): they answer first from now on,
    in every mode (a fitting rule answers before any recording or upstream).

    `DELETE` forgets every rule loaded this way and restarts each rule's `times`.
    """
    method = _only(request, "GET", "POST", "DELETE")
    scripted = request.app[RULES]
    if method == "GET":
        return render_json(rules_in_force(scripted))
    if method == "DELETE":
        scripted.reset()
        return render_json({})
    document = _rules_document(await read_admin_body(request))
    posted = request.app[POSTED_RULES]
    name = f"posted rules #{len(posted) + 1}"
    try:
        added = scripted.load(document, name=name)
    except ConfigError as error:
        raise InvalidArgument(str(error)) from None
    posted.append(name)
    return render_json({"loaded": added, "rules": len(scripted.rules)})


def rules_in_force(scripted: RuleSource) -> dict[str, object]:
    rules = [{"origin": loaded.origin, "summary": rule_summary(loaded.rule), "remaining": loaded.remaining} for loaded in scripted.rules]
    return {"rules": rules, "default": reply_summary(scripted.default) if scripted.default else None}


def _rules_document(body: bytes) -> dict[str, object]:
    """A rules file's content, as JSON or YAML (JSON is YAML); only the safe loader is used."""
    try:
        document = load_yaml(body, strict=True) if body.strip() else None
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InvalidArgument(f"rules: not valid JSON or YAML: {exc}") from None
    if not isinstance(document, dict):
        raise InvalidArgument('rules: expected a rules document, e.g. {"rules": [{"match": {...}, "reply": {...}}]}')
    return document


async def reset(request: web.Request) -> web.StreamResponse:
    """`POST /_mockgem/reset`: a clean slate for the next test.

    Forgets every file, cached content and batch, the journal and its
    stats, the rules loaded at run time (each rule's `times` counts again) and where each
    recording's replay order was; the faults, seed and quotas go back to the server's settings,
    with no quota usage or throttle history, and the seeded fault draws start again.
    """
    _only(request, "POST")
    reset_app(request.app)
    return render_json({})


def reset_app(app: web.Application) -> None:
    app[STATE].reset()
    app[JOURNAL].clear()
    app[CASSETTES].index.reset()
    app[FAULTS].restart()
    app[QUOTAS].restart()
    app[POSTED_RULES].clear()
    app[RULES].reset()
    app[LIVE].reset()


def _only(request: web.Request, *methods: str) -> str:
    if request.method not in methods:
        raise NotFound("Method not found.")
    return request.method
