"""Which source answers a Live session, per `--mode` (as `server/sources.py` does for REST).

- replay: a recorded session whose setup matches is replayed. Else the `live` rules answer,
  unless cassettes are configured and no live rule fits the setup: then the session is a miss,
  closed with the closest recording named. auto: a matching recording, else the upstream,
  recorded. record: the upstream, recorded. passthrough: the upstream.
- Rules serve the Live models, and any model a live rule names; other models are refused with
  the service's 1008.
"""

from __future__ import annotations

from dataclasses import replace

from aiohttp import web

from mockgem.config import RecordMode
from mockgem.errors import ApiError
from mockgem.protocol.calls import ApiCall, ApiRequest
from mockgem.protocol.live.closes import LiveClose, LiveRefusal, model_not_found
from mockgem.protocol.live.messages import ClientMessage
from mockgem.protocol.live.setup import LIVE_MODELS, LiveSetup
from mockgem.server.exchange import Exchange
from mockgem.server.keys import CASSETTES, CONFIG, JOURNAL, LIVE, RULES, UPSTREAM
from mockgem.sources.base import Miss
from mockgem.sources.cassettes.model import Interaction, RecordedRequest
from mockgem.sources.live.base import Conversation
from mockgem.sources.live.recorded import ReplayedConversation, SessionMiss, canonical, recorded_sessions, session_miss
from mockgem.sources.live.scripted import ScriptedConversation
from mockgem.sources.live.upstream import SessionRecorder, UpstreamConversation
from mockgem.sources.rules import DEFAULT_REPLY_TEXT

# UNVERIFIED: the service's close for a resumption handle it does not know.
UNKNOWN_HANDLE = LiveClose.of(1008, "Session resumption handle is invalid or has expired.")
_FORWARDED_HEADERS = ("x-goog-api-key", "authorization", "x-goog-user-project")


async def open_conversation(request: web.Request, exchange: Exchange, setup: LiveSetup, first: ClientMessage) -> Conversation:
    """The conversation for this session; LiveRefusal when none may answer it."""
    mode = request.app[CONFIG].mode
    if mode in (RecordMode.REPLAY, RecordMode.AUTO):
        found = replayed(request, exchange, first)
        if isinstance(found, ReplayedConversation):
            return found
        if mode is RecordMode.REPLAY:
            if _rules_answer(request, setup):
                return scripted(request, exchange, setup)
            exchange.miss = Miss(found.message, "cassettes")
            raise LiveRefusal(found.close)
    return await upstream(request, exchange, first, record=mode is not RecordMode.PASSTHROUGH)


def _rules_answer(request: web.Request, setup: LiveSetup) -> bool:
    config = request.app[CONFIG]
    return (config.cassette is None and config.cassette_dir is None) or request.app[RULES].live.fits_setup(setup)


def replayed(request: web.Request, exchange: Exchange, first: ClientMessage) -> ReplayedConversation | SessionMiss:
    """The recorded sessions whose setup is this one's, the least replayed first."""
    cassettes = request.app[CASSETTES]
    scope = cassettes.scope(_as_api(request, exchange, first))
    rules = cassettes.index.rules
    sessions = recorded_sessions(cassettes.index.recordings(scope), rules)
    sent = canonical(first.raw, rules)
    fitting = [session for session in sessions if session.steps and session.steps[0].client == sent]
    searched = [scope] if scope else list(cassettes.index.names)
    if not fitting:
        return session_miss(sessions, sent, 0, searched)
    replays = request.app[LIVE].replays
    fitting.sort(key=lambda session: replays[session.origin])
    replays[fitting[0].origin] += 1
    return ReplayedConversation(fitting, rules, timing=cassettes.timing.factor, searched=searched)


def scripted(request: web.Request, exchange: Exchange, setup: LiveSetup) -> ScriptedConversation:
    app = request.app
    rules, desk = app[RULES], app[LIVE]
    if setup.model not in LIVE_MODELS and not rules.live.names_model(setup.model):
        raise LiveRefusal(model_not_found(setup.model, _call(exchange).version))
    handle = setup.resumed_handle
    resumed = desk.handles.find(handle) if handle else None
    if handle and resumed is None:
        raise LiveRefusal(UNKNOWN_HANDLE)
    default = rules.default.text if rules.default and rules.default.text else DEFAULT_REPLY_TEXT
    vertex = _call(exchange).surface == "vertex"
    return ScriptedConversation(rules.live, setup, desk.handles, default_text=default, resumed=resumed, vertex=vertex)


async def upstream(request: web.Request, exchange: Exchange, first: ClientMessage, *, record: bool) -> UpstreamConversation:
    """The session relayed to `--upstream` (or Google), with the client's credential unless
    `--upstream-key` replaces it."""
    passthrough = request.app[UPSTREAM]
    api = _as_api(request, exchange, first)
    url = passthrough.upstream.live_url(api, request.path, request.query_string)
    sent = {name: value for name, value in request.headers.items() if name.lower() in _FORWARDED_HEADERS}
    headers = passthrough.upstream.headers(api) if passthrough.upstream.key else sent
    try:
        socket = await passthrough.websocket(url, headers)
    except ApiError as exc:
        raise LiveRefusal(LiveClose.of(1011, exc.message)) from None
    recorded = RecordedRequest("GET", url, tuple(headers.items()))
    return UpstreamConversation(socket, recorded, _recorder(request, api) if record else None)


def _recorder(request: web.Request, api: ApiRequest) -> SessionRecorder:
    cassettes, journal = request.app[CASSETTES], request.app[JOURNAL]

    async def record(interaction: Interaction) -> None:
        await cassettes.record(api, interaction)
        journal.count_recorded(api.call.model)

    return record


def _as_api(request: web.Request, exchange: Exchange, first: ClientMessage) -> ApiRequest:
    """The session as an ApiRequest: what cassette scoping and credentials read."""
    model = first.body.get("model") if first.kind == "setup" else None
    call = replace(_call(exchange), model=str(model) if model else None)
    return ApiRequest(call, first.document, first.raw, tuple(request.query.items()), tuple(request.headers.items()))


def _call(exchange: Exchange) -> ApiCall:
    assert exchange.call is not None, "a Live session's path names its method"
    return exchange.call
