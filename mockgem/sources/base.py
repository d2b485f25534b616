"""The one seam every source implements: `async answer(request) -> Answer | Miss`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from mockgem._types import JSONDict
from mockgem.errors import ApiError
from mockgem.protocol.calls import ApiRequest
from mockgem.protocol.forms import ResponseForm


@dataclass(frozen=True, slots=True)
class Answer:
    """What a source says, in Gemini terms; the server renders it for the client's surface.

    `payloads` are native JSON bodies: one whole response, or (with `chunked`) the chunks of a
    stream in order, each with its delay in seconds before it in `delays`. `raw` holds the exact
    recorded bytes, served unchanged when the client asks for `form`, the form they were recorded
    in, with the recorded `headers` a client reads (content type, upload session headers).
    `live` streams payloads as an upstream sends them (passthrough), instead of `payloads`.
    `faults` are fault-language terms (`cut=3`) the server applies to this answer. `source` is the
    kind of source that answered (`cassettes`, `rules`, `builtin`, `upstream`), for the journal.
    `fallback` says how a recording played by order differs from the request it answered.
    """

    payloads: Sequence[JSONDict] = ()
    status: int = 200
    chunked: bool = False
    delays: Sequence[float] = ()
    stream_chunks: int | None = None
    origin: str = ""
    raw: bytes | None = None
    raw_content_type: str | None = None
    form: ResponseForm | None = None
    headers: tuple[tuple[str, str], ...] = ()
    live: AsyncIterator[JSONDict] | None = field(default=None, compare=False)
    faults: tuple[str, ...] = ()
    source: str = ""
    fallback: str | None = None

    @property
    def body(self) -> JSONDict:
        return self.payloads[0] if self.payloads else {}


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
            if isinstance(result, Answer):
                return result
            misses.append(result)
        return next((miss for miss in misses if not miss.passing), misses[0]) if misses else Miss("no source is configured")


class Checked:
    """`inner`, asked only a request the real API would accept; else its error, or with
    `passing` a passing miss (scripted rules in front of the recordings let an invalid request
    through to them: the real API accepted what was recorded)."""

    def __init__(self, inner: Source, *, passing: bool = False) -> None:
        self._inner = inner
        self._passing = passing

    async def answer(self, request: ApiRequest) -> Answer | Miss:
        if request.invalid is None:
            return await self._inner.answer(request)
        if self._passing:
            return Miss(request.invalid.message, "validation", passing=True)
        raise request.invalid
