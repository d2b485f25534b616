"""Which source answers a Live session, per `--mode` (as `server/sources.py` does for REST).

- replay: a recorded session whose setup matches is replayed; else the `live` rules answer,
  unless cassettes are configured and no live rule fits the setup: then the session is a miss,
  closed with the closest recording named. auto: a matching recording, else the upstream,
  recorded. record: the upstream, recorded. passthrough: the upstream.
- Rules serve the Live models, and any model a live rule names; other models are refused with
  the service's 1008.
"""

from __future__ import annotations

from aiohttp import web

from mockgem.protocol.live.closes import LiveClose, LiveRefusal, model_not_found
from mockgem.protocol.live.setup import LIVE_MODELS, LiveSetup
from mockgem.server.keys import CALL, LIVE, RULES
from mockgem.sources.live.base import Conversation
from mockgem.sources.live.scripted import ScriptedConversation
from mockgem.sources.rules import DEFAULT_REPLY_TEXT

# UNVERIFIED: the service's close for a resumption handle it does not know.
UNKNOWN_HANDLE = LiveClose.of(1008, "Session resumption handle is invalid or has expired.")


async def open_conversation(request: web.Request, setup: LiveSetup) -> Conversation:
    """The conversation for this session; LiveRefusal when none may answer it."""
    return scripted(request, setup)


def scripted(request: web.Request, setup: LiveSetup) -> ScriptedConversation:
    app = request.app
    rules, desk = app[RULES], app[LIVE]
    if setup.model not in LIVE_MODELS and not rules.live.names_model(setup.model):
        raise LiveRefusal(model_not_found(setup.model, request[CALL].version))
    handle = setup.resumed_handle
    resumed = desk.handles.find(handle) if handle else None
    if handle and resumed is None:
        raise LiveRefusal(UNKNOWN_HANDLE)
    default = rules.default.text if rules.default and rules.default.text else DEFAULT_REPLY_TEXT
    return ScriptedConversation(rules.live, setup, desk.handles, default_text=default, resumed=resumed)
