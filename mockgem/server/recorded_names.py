"""Recorded resource names mapped to this run's, wherever cassettes answer (replay and auto).

A recording names the files, caches and batches of the run that made it. After this run creates
one, `learn_created` finds the recorded create (the same request, under recorded names) and
pairs the names found at the same places in the two answers. `NameMappedSource` then looks
each request up under its recorded names and hands the recorded answer back under the live ones.
In replay, `recorded_first` answers a resource read from the recording when it holds one, so a
batch's recorded states and results come back as the upstream gave them.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Awaitable, Callable

from aiohttp import web

from mockgem._types import JSONDict
from mockgem.errors import ApiError
from mockgem.protocol.calls import ApiRequest
from mockgem.resources.names import NameMap
from mockgem.server.keys import ANSWERED, CALL, CASSETTES, NAMES
from mockgem.server.parse import read_body
from mockgem.server.render import GOOGLE_HEADERS, render_json
from mockgem.sources.base import Answer, Miss, Source

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# Calls that only read or remove: answered from the recording in replay when it holds them.
RECORDED_FIRST = frozenset({"get", "list", "download", "delete", "cancel"})
# Recorded too, but this run's store must also forget the resource.
_REMOVING = frozenset({"delete", "cancel"})


class NameMappedSource:
    """Asks `inner` under the recorded names; its answer comes back under this run's names."""

    def __init__(self, inner: Source, names: NameMap) -> None:
        self._inner = inner
        self._names = names

    async def answer(self, api: ApiRequest) -> Answer | Miss:
        if not self._names:
            return await self._inner.answer(api)
        result = await self._inner.answer(to_recorded(self._names, api))
        return result if isinstance(result, Miss) else to_live(self._names, result)


def to_recorded(names: NameMap, api: ApiRequest) -> ApiRequest:
    """`api` with live names in its body and resource replaced by the recorded ones (bytes kept)."""
    call = api.call
    if call.resource:
        collection = call.action.partition(".")[0]
        recorded = names.to_recorded(f"{collection}/{call.resource}")
        call = dataclasses.replace(call, resource=recorded.removeprefix(f"{collection}/"))
    return dataclasses.replace(api, call=call, body=names.to_recorded(api.body))


def to_live(names: NameMap, answer: Answer) -> Answer:
    """A recorded answer under this run's names, its exact bytes included."""
    raw = answer.raw
    if raw is not None:
        with contextlib.suppress(UnicodeDecodeError):
            raw = names.to_live(raw.decode()).encode()
    return dataclasses.replace(answer, payloads=tuple(names.to_live(p) for p in answer.payloads), raw=raw)


async def learn_created(app: web.Application, api: ApiRequest, live: JSONDict) -> None:
    """Pairs the names in this run's answer to a create with those of the recorded create."""
    if len(app[CASSETTES].index) == 0:
        return
    names = app[NAMES]
    recorded = await app[CASSETTES].answer(to_recorded(names, api))
    if isinstance(recorded, Answer) and recorded.status == 200:
        names.learn_from(recorded.body, live)


def recorded_first(handler: Handler) -> Handler:
    """`handler`, unless the recording holds an answer to this read (names mapped)."""

    async def handle(request: web.Request) -> web.StreamResponse:
        call = request[CALL]
        if call.action.rpartition(".")[2] not in RECORDED_FIRST or len(request.app[CASSETTES].index) == 0:
            return await handler(request)
        api = ApiRequest(call, {}, await read_body(request), tuple(request.query.items()), tuple(request.headers.items()))
        recorded = await NameMappedSource(request.app[CASSETTES], request.app[NAMES]).answer(api)
        if isinstance(recorded, Miss):
            return await handler(request)
        if call.action.rpartition(".")[2] in _REMOVING:
            with contextlib.suppress(ApiError):
                await handler(request)
        request[ANSWERED] = recorded
        return render_recorded(recorded)

    return handle


def render_recorded(answer: Answer) -> web.Response:
    """A recorded JSON answer, or recorded bytes (a download) as they were."""
    if answer.payloads or answer.raw is None:
        return render_json(answer.body, answer.status)
    return web.Response(body=answer.raw, status=answer.status, content_type=answer.raw_content_type or "application/octet-stream", headers=GOOGLE_HEADERS)
