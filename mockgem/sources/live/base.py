"""The seam every Live session source implements: a `Conversation`.

A REST source answers one request; a Live session is heard message by message while the
server's frames flow the other way, so a conversation is told each client message (`hear`,
the setup first) and hands out what to send (`outgoing`) until it ends. The server pumps both
directions and never knows which source it talks to.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Protocol

from mockgem._types import JSONDict
from mockgem.protocol.live.closes import LiveClose
from mockgem.protocol.live.frames import encode_frame
from mockgem.protocol.live.messages import ClientMessage


@dataclass(frozen=True, slots=True)
class Outgoing:
    """The next thing sent, `delay` seconds after the previous: a frame (binary unless `text`),
    or the close that ends the session. `faults` (fault-language terms, a rule's) apply from
    this frame on."""

    data: bytes = b""
    delay: float = 0.0
    text: bool = False
    close: LiveClose | None = None
    faults: tuple[str, ...] = ()

    @classmethod
    def frame(cls, payload: JSONDict, delay: float = 0.0) -> Outgoing:
        return cls(encode_frame(payload), delay)

    @classmethod
    def closing(cls, close: LiveClose, delay: float = 0.0) -> Outgoing:
        return cls(delay=delay, close=close)


class Conversation(Protocol):
    """`origin` names what answers (`live rule 0 in rules.yaml`, `demo.yaml #2`), `source` its
    kind (`rules`, `cassettes`, `upstream`), as the journal shows them."""

    source: str

    @property
    def origin(self) -> str: ...

    @property
    def miss(self) -> str | None:
        """Why no recording answers the session any more (a replay that diverged), for the journal."""
        ...

    async def hear(self, message: ClientMessage) -> None: ...

    def outgoing(self) -> AsyncIterator[Outgoing]: ...

    async def end(self) -> None: ...


@dataclass(frozen=True, slots=True)
class _Queued:
    item: Outgoing
    reply: int


class QueuedConversation:
    """A conversation whose frames wait in a queue, each paced by its delay; `interrupt` drops
    what is left of the reply under way (the client spoke over it) before `then` is sent."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[_Queued | None] = asyncio.Queue()
        self._reply = 0
        self._unsent = 0
        self.miss: str | None = None
        self._interrupted = asyncio.Event()  # replaced at each interruption, waking who waits on it

    @property
    def replying(self) -> bool:
        """Whether frames of the current reply are still to be sent."""
        return self._unsent > 0

    def push(self, items: Iterable[Outgoing]) -> None:
        for item in items:
            self._unsent += 1
            self._queue.put_nowait(_Queued(item, self._reply))

    def interrupt(self, then: Iterable[Outgoing]) -> None:
        self._reply += 1
        self._unsent = 0
        self._interrupted.set()
        self._interrupted = asyncio.Event()
        self.push(then)

    def finish(self) -> None:
        """No more frames: `outgoing` ends once the queue is empty."""
        self._queue.put_nowait(None)

    async def outgoing(self) -> AsyncIterator[Outgoing]:
        while (queued := await self._queue.get()) is not None:
            if queued.reply != self._reply:
                continue
            if queued.item.delay > 0:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._interrupted.wait(), queued.item.delay)
            if queued.reply != self._reply:  # interrupted while waiting
                continue
            self._unsent = max(0, self._unsent - 1)
            yield queued.item
            if queued.item.close is not None:
                return

    async def end(self) -> None:
        self.finish()
