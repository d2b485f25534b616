"""One Live session on one WebSocket: credentials, setup, faults, then both directions pumped.

The first client message must be the setup. Once it is accepted, each client message goes to
the conversation (`hear`) while its frames go to the client, paced and faulted; the session
ends when either side closes. Its journal entry holds every frame, both ways, in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import replace

import orjson
from aiohttp import WSMsgType, web

from mockgem.faults import FaultPlan, QuotaExceeded, draw_plan
from mockgem.protocol.calls import ApiRequest
from mockgem.protocol.live.closes import LiveClose, LiveRefusal, invalid_key, missing_key, quota_exceeded
from mockgem.protocol.live.frames import go_away
from mockgem.protocol.live.messages import ClientMessage, parse_client_message
from mockgem.protocol.live.setup import LiveSetup, read_setup
from mockgem.resources.auth_tokens import TokenRefused, constrained_setup
from mockgem.server.faulting import request_faults, stall as wait_while_open
from mockgem.server.exchange import Exchange
from mockgem.server.keys import CONFIG, FAULTS, LIVE, QUOTAS
from mockgem.server.live_faults import MALFORMED_FRAME, Ending, LiveFaults
from mockgem.server.live_open import open_conversation
from mockgem.sources.base import Miss, Whole
from mockgem.sources.live.base import Conversation, Outgoing
from mockgem.sources.live.frame_log import FrameLog

TOKEN_PREFIX = "auth_tokens/"
# UNVERIFIED: the service's close for an ephemeral token that is expired or used up.
SPENT_TOKEN = LiveClose.of(1008, "The ephemeral token is expired or has no uses left.")


class LiveSession:
    def __init__(self, request: web.Request, exchange: Exchange, socket: web.WebSocketResponse) -> None:
        self.request, self.exchange, self.socket = request, exchange, socket
        self.log = FrameLog(time.monotonic())
        self.conversation: Conversation | None = None
        self.faults: LiveFaults | None = None
        self.counted: tuple[str, str | None] | None = None
        self.closing_later: asyncio.Future[None] | None = None  # (model, key) of the open session the quota counts

    async def run(self) -> None:
        try:
            first = await self._first_message()
            if first is not None:
                await self._serve(first)
        except LiveRefusal as refusal:
            await self.close(refusal.close)
        finally:
            self._keep_for_journal()
            self._release()
            if self.closing_later is not None:
                self.closing_later.cancel()

    async def _first_message(self) -> ClientMessage | None:
        received = await self.socket.receive()
        if received.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
            await self.socket.close()
            return None
        self.log.add("client", received.data)
        return parse_client_message(received.data, binary=received.type is WSMsgType.BINARY)

    async def _serve(self, first: ClientMessage) -> None:
        setup_message = self._admitted(first)
        setup = read_setup(setup_message)
        assert self.exchange.call is not None
        asked = ApiRequest(replace(self.exchange.call, model=f"models/{setup.model}"), setup_message.document)
        self.exchange.client = self.exchange.asked = asked
        self.faults = LiveFaults(self._session_plan(setup), self.request.app[FAULTS].request_rng(), setup.model)
        opening = self.faults.opening()
        if opening.ending is Ending.DROP:
            return self.drop()
        if opening.close is not None:
            raise LiveRefusal(opening.close)
        await asyncio.sleep(opening.delay)
        self.conversation = await open_conversation(self.request, self.exchange, setup, setup_message)
        await self.conversation.hear(setup_message)
        await self._pump(self.conversation, self.faults)

    def _admitted(self, first: ClientMessage) -> ClientMessage:
        """The setup as the session runs it: the token's locked fields in; LiveRefusal for bad credentials."""
        credential = self._credential()
        self.exchange.api_key = credential
        if not credential.startswith(TOKEN_PREFIX) or first.kind != "setup":
            return first
        try:
            token = self.request.app[LIVE].tokens.start_session(credential)
        except TokenRefused as refused:
            raise LiveRefusal(invalid_key() if str(refused) == "unknown" else SPENT_TOKEN) from None
        return replace(first, body=constrained_setup(first.body, token))

    def _credential(self) -> str:
        """The key, token or bearer the client sent: as google-genai (`x-goog-api-key`, `Authorization:
        Token`, Vertex AI's `Bearer`) and @google/genai (`?key=`, `?access_token=`) send them."""
        request = self.request
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        sent = request.headers.get("x-goog-api-key") or request.query.get("key") or request.query.get("access_token")
        credential = sent or (value.strip() if scheme.lower() in {"token", "bearer"} else "")
        if not credential:
            raise LiveRefusal(missing_key())
        allowed = request.app[CONFIG].api_keys
        if allowed and credential not in allowed and not credential.startswith(TOKEN_PREFIX) and scheme.lower() != "bearer":
            raise LiveRefusal(invalid_key())
        return credential

    def _session_plan(self, setup: LiveSetup) -> FaultPlan:
        """The quotas (a session counts as one request, and as one open session), then the
        header's and global faults."""
        app = self.request.app
        key = self.exchange.api_key
        try:
            app[QUOTAS].charge(setup.model, key, lambda: 0)
            app[QUOTAS].open_session(setup.model, key)
            self.counted = (setup.model, key)
        except QuotaExceeded as exceeded:
            self.exchange.throttle = exceeded.throttle
            raise LiveRefusal(quota_exceeded()) from None
        faults = request_faults(self.request) + app[FAULTS].faults
        plan = draw_plan(faults, app[FAULTS].request_rng(), model=setup.model) if faults else FaultPlan(model=setup.model)
        self.exchange.plan = plan
        return plan

    async def _pump(self, conversation: Conversation, faults: LiveFaults) -> None:
        writer = asyncio.ensure_future(self._write(conversation, faults))
        reader = asyncio.ensure_future(self._read(conversation))
        await asyncio.wait({writer, reader}, return_when=asyncio.FIRST_COMPLETED)
        for task in (reader, writer):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await conversation.end()

    async def _read(self, conversation: Conversation) -> None:
        """Client messages to the conversation until the client closes; then the close is answered,
        after the journal entry is written (a client back from `close()` finds it there)."""
        while (received := await self.socket.receive()).type in (WSMsgType.TEXT, WSMsgType.BINARY):
            self.log.add("client", received.data)
            try:
                message = parse_client_message(received.data, binary=received.type is WSMsgType.BINARY)
            except LiveRefusal as refusal:
                return await self.close(refusal.close)
            await conversation.hear(message)
        if received.type is WSMsgType.CLOSE:
            self.log.add_close("client", int(received.data or 1000), str(received.extra or ""))
            await conversation.end()
            await self.close(LiveClose(1000, ""))

    async def _write(self, conversation: Conversation, faults: LiveFaults) -> None:
        async for item in conversation.outgoing():
            step = faults.before(item)
            await asyncio.sleep(step.delay + item.delay)
            if step.ending is not None:
                return await self._interrupt(step.ending, step.close, step.stall)
            if item.close is not None:
                return await self.close(item.close)
            await self._send(item)
            faults.sent()
            if faults.session.sent == 1 and faults.go_away is not None:
                await self._go_away(faults.go_away)
        await self.close(LiveClose(1000, ""))

    async def _send(self, item: Outgoing) -> None:
        if item.text:
            await self.socket.send_str(item.data.decode())
        else:
            await self.socket.send_bytes(item.data)
        self.log.add("server", item.data if not item.text else item.data.decode())

    async def _go_away(self, seconds: float) -> None:
        await self._send(Outgoing.frame(go_away(seconds)))
        # UNVERIFIED: the code the service closes with once the time left is up.
        self.closing_later = asyncio.ensure_future(self._close_after(seconds, LiveClose(1000, "")))

    async def _close_after(self, seconds: float, close: LiveClose) -> None:
        await asyncio.sleep(seconds)
        await self.close(close)

    async def _interrupt(self, ending: Ending, close: LiveClose | None, stall: float) -> None:
        if ending is Ending.CLOSE and close is not None:
            await self.close(close)
        elif ending is Ending.MALFORMED:
            await self.socket.send_bytes(MALFORMED_FRAME)
            self.log.add("server", MALFORMED_FRAME)
        else:
            if ending is Ending.STALL:
                await wait_while_open(self.request, stall)
            self.drop()

    async def close(self, close: LiveClose) -> None:
        if not self.socket.closed:
            self.log.add_close("server", close.code, close.reason)
            self._finish(101)
            await self.socket.close(code=close.code, message=close.reason.encode())

    def drop(self) -> None:
        """The connection closed under the client, no close frame: the client sees 1006."""
        self.log.add_close("server", 1006, "dropped by a fault")
        self._finish(None)
        if self.request.transport is not None:
            self.request.transport.close()

    def _finish(self, status: int | None) -> None:
        """The journal entry, written now, and the session quota given back: before the client can
        see the session end."""
        self._keep_for_journal()
        self.exchange.close(status)
        self._release()

    def _release(self) -> None:
        if self.counted is not None:
            self.request.app[QUOTAS].close_session(*self.counted)
            self.counted = None

    def _keep_for_journal(self) -> None:
        self.exchange.frames = orjson.dumps(self.log.to_json())
        conversation = self.conversation
        if conversation is not None:
            self.exchange.answered(Whole(body={}, status=101, origin=conversation.origin, source=conversation.source, faults=self._fired()))
            if conversation.miss is not None:
                self.exchange.miss = Miss(conversation.miss, "cassettes")

    def _fired(self) -> tuple[str, ...]:
        return self.faults.fired if self.faults else ()

