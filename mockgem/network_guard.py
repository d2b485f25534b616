"""`--mockgem-block-network`: a test that would reach a host other than loopback fails.

While a `NetworkGuard` is on, a connection (or a name lookup) for a host that is not loopback
raises `NetworkBlocked` before anything leaves the machine, and is remembered for the test's
report, whatever the code under test does with the error. mockgem's own threads (the server
and its resolver) are let through: in record mode they reach the upstream for the test.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any

# The embedded server's thread and its executor's are named so (`embedded.MockGemServer`).
MOCKGEM_THREADS = "mockgem"
_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", ""})


class NetworkBlocked(ConnectionRefusedError):
    """Raised for a connection the guard refused."""


def is_loopback(host: Any) -> bool:
    """Whether `host` (a name or an address) is this machine's loopback."""
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    name = str(host).strip("[]").lower()
    if name in _LOCAL_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name.split("%")[0]).is_loopback
    except ValueError:
        return False


class NetworkGuard:
    """Refuses non-loopback connections and lookups from every thread but mockgem's own."""

    def __init__(self) -> None:
        self.attempts: list[str] = []
        self._saved: list[tuple[Any, str, Any]] = []

    def __enter__(self) -> NetworkGuard:
        self._patch(socket.socket, "connect", self._guarded_connect(socket.socket.connect))
        self._patch(socket.socket, "connect_ex", self._guarded_connect(socket.socket.connect_ex))
        self._patch(socket, "getaddrinfo", self._guarded_lookup(socket.getaddrinfo))
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        for owner, name, original in reversed(self._saved):
            setattr(owner, name, original)
        self._saved.clear()

    def _patch(self, owner: Any, name: str, replacement: Any) -> None:
        self._saved.append((owner, name, getattr(owner, name)))
        setattr(owner, name, replacement)

    def _refuse(self, host: Any, port: Any) -> None:
        where = f"{host}:{port}" if port is not None else str(host)
        self.attempts.append(where)
        raise NetworkBlocked(f"mockgem --mockgem-block-network: this test tried to reach {where}, which is not loopback")

    def _allowed(self, host: Any) -> bool:
        return is_loopback(host) or threading.current_thread().name.startswith(MOCKGEM_THREADS)

    def _guarded_connect(self, connect: Callable[..., Any]) -> Callable[..., Any]:
        guard = self

        def guarded(sock: socket.socket, address: Any) -> Any:
            if isinstance(address, tuple) and sock.family in (socket.AF_INET, socket.AF_INET6) and not guard._allowed(address[0]):
                guard._refuse(address[0], address[1])
            return connect(sock, address)

        return guarded

    def _guarded_lookup(self, lookup: Callable[..., Any]) -> Callable[..., Any]:
        guard = self

        def guarded(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
            if not guard._allowed(host):
                guard._refuse(host, port)
            return lookup(host, port, *args, **kwargs)

        return guarded
