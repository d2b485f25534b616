"""mockgem's own port is also an HTTP(S) proxy: `HTTPS_PROXY=http://127.0.0.1:PORT`.

A client behind a proxy opens `CONNECT host:443` and then speaks TLS to the host through the
tunnel. Here the tunnel ends at mockgem: the TLS is terminated with a leaf for that host signed
by mockgem's local CA (`mockgem.tls`, made on first use), and the decrypted stream is handed to
the same aiohttp request handler as a direct connection, so a request for
`https://generativelanguage.googleapis.com/...` is answered exactly as on mockgem's own port.
Plain `http://` URLs come through a proxy as absolute-form requests (`GET http://host/path`),
which aiohttp reads itself. This is how mitmproxy intercepts
(https://docs.mitmproxy.org/stable/concepts-howmitmproxyworks/), with the app in its place.

Every connection starts at a `ProxyFront`, which looks at its first bytes: anything but a
`CONNECT` is handed at once, bytes included, to aiohttp's handler.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import weakref
from collections.abc import Callable

from aiohttp import web

from mockgem.server.keys import CONFIG
from mockgem.tls import LocalCA

log = logging.getLogger("mockgem")
CONNECT = b"CONNECT "
ESTABLISHED = b"HTTP/1.1 200 Connection established\r\n\r\n"
REFUSED = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
_HEADER_END = b"\r\n\r\n"
_MAX_CONNECT_HEAD = 16 * 1024
# The TLS handshake of a tunnel must not hold a connection for ever.
HANDSHAKE_TIMEOUT = 30.0
Tunnels = weakref.WeakSet[asyncio.BaseTransport]
TUNNELS = web.AppKey("tunnels", Tunnels)


def install_tunnels(app: web.Application) -> None:
    """Where the app's tunnelled connections are known (`intercepted` asks it)."""
    app[TUNNELS] = weakref.WeakSet()


def intercepted(request: web.Request) -> bool:
    """Whether the request was meant for another host and came through the proxy: a tunnel's,
    or an absolute-form `GET http://host/path`."""
    absolute_form = not request.raw_path.startswith("/")
    return absolute_form or (request.transport is not None and request.transport in request.app[TUNNELS])


def connect_target(head: bytes) -> tuple[str, int] | None:
    """`(host, port)` of `CONNECT host:port HTTP/1.1`, or None when it is not one."""
    line = head.split(b"\r\n", 1)[0].decode("latin-1")
    parts = line.split(" ")
    if len(parts) != 3 or parts[0] != "CONNECT":
        return None
    host, _, port = parts[1].rpartition(":")
    host = host.strip("[]")  # an IPv6 literal
    return (host, int(port)) if host and port.isdigit() else None


class ProxyFront(asyncio.Protocol):
    """The first protocol of every connection: a CONNECT becomes a TLS-terminated tunnel into
    `handlers`, anything else goes to `handlers` as it came."""

    def __init__(self, handlers: web.Server, contexts: Callable[[str], ssl.SSLContext], tunnels: Tunnels,
                 fronts: set[ProxyFront]) -> None:
        self.handlers, self.contexts, self.tunnels, self.fronts = handlers, contexts, tunnels, fronts
        self.transport: asyncio.Transport | None = None
        self.head = b""
        self.tunnelling = False
        self.pending: list[bytes] = []  # the decrypted bytes that came before the hand-over

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.fronts.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.fronts.discard(self)

    def data_received(self, data: bytes) -> None:
        if self.tunnelling:
            self.pending.append(data)
            return
        self.head += data
        if not self.head.startswith(CONNECT[: len(self.head)]):
            self._hand_over(self._transport(), self.head)
        elif _HEADER_END in self.head:
            self._open_tunnel()
        elif len(self.head) > _MAX_CONNECT_HEAD:
            self.close(REFUSED)

    def close(self, last_words: bytes = b"") -> None:
        if self.transport is not None and not self.transport.is_closing():
            if last_words:
                self.transport.write(last_words)
            self.transport.close()

    def _transport(self) -> asyncio.Transport:
        assert self.transport is not None
        return self.transport

    def _open_tunnel(self) -> None:
        target = connect_target(self.head)
        if target is None:
            self.close(REFUSED)
            return
        self.tunnelling = True
        self._transport().write(ESTABLISHED)
        asyncio.get_running_loop().create_task(self._terminate_tls(target[0]))

    async def _terminate_tls(self, host: str) -> None:
        """TLS for `host` on the tunnel, then the stream goes to aiohttp's handler."""
        loop = asyncio.get_running_loop()
        try:
            secured = await loop.start_tls(self._transport(), self, self.contexts(host), server_side=True,
                                           ssl_handshake_timeout=HANDSHAKE_TIMEOUT)
        except (OSError, ssl.SSLError, ConnectionError, asyncio.TimeoutError) as error:
            log.info("proxy: no TLS with the client for %s: %s", host, error)
            self.close()
            return
        if secured is None:  # the client went away during the handshake
            return
        self.fronts.discard(self)
        self.transport = secured
        self.tunnels.add(secured)
        self._hand_over(secured, b"".join(self.pending))

    def _hand_over(self, transport: asyncio.Transport, data: bytes) -> None:
        self.fronts.discard(self)
        handler = self.handlers()
        transport.set_protocol(handler)
        handler.connection_made(transport)
        if data:
            handler.data_received(data)


class InterceptingSite(web.TCPSite):
    """A TCP site whose connections start at a `ProxyFront`: mockgem's port, and its proxy."""

    def __init__(self, runner: web.AppRunner, host: str | None = None, port: int | None = None, *,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        super().__init__(runner, host, port, ssl_context=ssl_context)
        self.app_runner = runner
        self.fronts: set[ProxyFront] = set()
        self._authority: LocalCA | None = None

    async def start(self) -> None:
        await web.BaseSite.start(self)
        handlers = self.app_runner.server
        assert handlers is not None
        tunnels = self.app_runner.app[TUNNELS]
        server = await asyncio.get_running_loop().create_server(
            lambda: ProxyFront(handlers, self.context_for, tunnels, self.fronts), self._host, self._port, ssl=self._ssl_context,
        )
        self._server = server
        self._bound_port = server.sockets[0].getsockname()[1] if server.sockets else self._port

    async def stop(self) -> None:
        """Closes the connections still at their front too (aiohttp closes those it handles)."""
        for front in list(self.fronts):
            front.close()
        await super().stop()

    def context_for(self, host: str) -> ssl.SSLContext:
        """A server context presenting the local CA's leaf for `host`."""
        if self._authority is None:
            self._authority = LocalCA.at(self.app_runner.app[CONFIG].state_dir)
        return self._authority.server_context((host,))
