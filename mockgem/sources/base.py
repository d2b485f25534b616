"""The one seam every source implements: `async answer(request) -> Answer | Miss`."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from mockgem._types import JSONDict
from mockgem.errors import ApiError
from mockgem.protocol.calls import ApiRequest
from mockgem.protocol.envelopes import error_body
from mockgem.protocol.forms import ResponseForm
from mockgem.sse import merge_chunks


@dataclass(frozen=True, slots=True, kw_only=True)
class Answered:
    """What every kind of answer carries: `origin` names the rule or recording that gave it
    (`rule 0 in rules.yaml`, `demo.yaml #3`), `source` its kind (`cassettes`, `rules`,
    `builtin`, `upstream`), and `faults` the fault-language terms (`cut=3`) a rule asks for."""

    origin: str = ""
    source: str = ""
    faults: tuple[str, ...] = ()
    # How a recording played by order differs from the request it answered (vcrpy's order replay).
    fallback: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Whole(Answered):
    """One native JSON body; asked for as a stream, it is split into `stream_chunks` chunks."""

    body: JSONDict
    status: int = 200
    stream_chunks: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Chunks(Answered):
    """A stream's native chunks in order, each with its delay in seconds before it in `delays`."""

    payloads: tuple[JSONDict, ...]
    delays: tuple[float, ...] = ()
    status: int = 200


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordedBytes(Answered):
    """A recorded body, served byte for byte to a client that asks for `form`, with the recorded
    `headers` a client reads; `decoded` is its JSON, for a client that asks another form."""

    raw: bytes
    status: int
    form: ResponseForm
    content_type: str | None
    headers: tuple[tuple[str, str], ...]
    decoded: Whole | Chunks


@dataclass(frozen=True, slots=True, kw_only=True)
class Live(Answered):
    """Native chunks as an upstream sends them (passthrough): known one at a time."""

    chunks: AsyncIterator[JSONDict] = field(compare=False)
    status: int = 200


@dataclass(frozen=True, slots=True, kw_only=True)
class Failure(Answered):
    """An error answer made by a source (a scripted 503); rendered as every other error is."""

    error: ApiError

    @property
    def status(self) -> int:
        return self.error.code


Answer = Whole | Chunks | RecordedBytes | Live | Failure


def whole_body(answer: Answer) -> JSONDict:
    """The answer as one native JSON body: a stream's chunks merged, an error as its envelope."""
    if isinstance(answer, RecordedBytes):
        return whole_body(answer.decoded)
    if isinstance(answer, Chunks):
        return merge_chunks(answer.payloads)
    if isinstance(answer, Failure):
        return error_body(answer.error)
    if isinstance(answer, Live):
        raise TypeError("a live stream is known one chunk at a time: it has no whole body")
    return answer.body


def decoded(answer: RecordedBytes) -> Whole | Chunks:
    """A recording's JSON, for a client that asks another form or a fault that changes it."""
    return dataclasses.replace(answer.decoded, origin=answer.origin, source=answer.source, faults=answer.faults)


@dataclass(frozen=True, slots=True)
class Miss:
    """No answer: `reason` says why, in words a user can act on (closest recording, diff...).

    `passing` marks a source that only lets the request through to the next one (rules in front
    of cassettes): the next source's reason says more.
    """

    reason: str
    source: str = ""
    passing: bool = False


@runtime_checkable
class Source(Protocol):
    async def answer(self, request: ApiRequest) -> Answer | Miss: ...


class FunctionSource:
    """Wraps a plain async function as a source (handy in tests)."""

    def __init__(self, function: Callable[[ApiRequest], Awaitable[Answer | Miss]]) -> None:
        self._function = function

    async def answer(self, request: ApiRequest) -> Answer | Miss:
        return await self._function(request)


class FirstOf:
    """Asks each source in turn; the first Answer wins, else the first Miss that is not `passing`."""

    def __init__(self, *sources: Source) -> None:
        self.sources = list(sources)

    async def answer(self, request: ApiRequest) -> Answer | Miss:
        misses: list[Miss] = []
        for source in self.sources:
            result = await source.answer(request)
            if not isinstance(result, Miss):
                return result
            misses.append(result)
        return next((miss for miss in misses if not miss.passing), misses[0]) if misses else Miss("no source is configured")


class Checked:
    """`inner`, asked only a request the real API would accept; else that error."""

    def __init__(self, inner: Source) -> None:
        self._inner = inner

    async def answer(self, request: ApiRequest) -> Answer | Miss:
        if request.invalid is not None:
            raise request.invalid
        return await self._inner.answer(request)
