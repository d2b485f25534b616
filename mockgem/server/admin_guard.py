"""Who may call `/_mockgem/`: the developer's own tools, never a web page they have open.

The admin API reads every prompt in the journal and changes what the server answers, so:
- it answers no other origin: no CORS headers on it, a preflight to it is refused, and a request
  a browser marks as coming from another site (`Origin`, `Sec-Fetch-Site`) is a 403;
- its Host must be this server's own address (an IP literal, `localhost`, or `--host`): a page
  whose DNS name is rebound to 127.0.0.1 sends its own name, and is refused;
- with `--admin-token TOKEN`, a request that carries the token (`Authorization: Bearer TOKEN` or
  `X-Mockgem-Admin-Token`) passes whatever its Host, and one that does not is a 401. A server
  reachable beyond loopback should have one.
"""

from __future__ import annotations

import ipaddress
import secrets
from urllib.parse import urlsplit

from aiohttp import web

from mockgem.errors import ApiError, PermissionDenied
from mockgem.server.keys import CONFIG

TOKEN_HEADER = "X-Mockgem-Admin-Token"
_FOREIGN_FETCH = frozenset({"cross-site", "same-site"})


def check_admin_caller(request: web.Request) -> None:
    """Raises the 401 or 403 for a caller the admin API does not answer."""
    token = request.app[CONFIG].admin_token
    if token is not None:
        if not secrets.compare_digest(_given_token(request).encode(), token.encode()):
            raise ApiError(f"mockgem: the admin API needs the --admin-token, as `Authorization: Bearer TOKEN` or `{TOKEN_HEADER}: TOKEN`.", code=401)
        return
    if _from_another_site(request):
        raise PermissionDenied("mockgem: the admin API answers only same-origin requests; a web page on another origin may not call it.")
    sent = request.headers.get("Host")
    host = (sent.rpartition(":")[0] if _has_port(sent) else sent) if sent is not None else None
    if host is not None and not own_host(host.strip("[]"), request.app[CONFIG].host):
        raise PermissionDenied(
            f"mockgem: the admin API answers only requests to its own address, not to Host {host[:100]!r} "
            "(a DNS name rebound to this server is how a web page would reach it); pass --admin-token to call it by any name."
        )


def own_host(host: str, bound: str) -> bool:
    """Whether `host` (a Host header's name) is this server: an IP literal, localhost, or `bound`."""
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost") or name == bound.lower():
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _from_another_site(request: web.Request) -> bool:
    if request.headers.get("Sec-Fetch-Site", "").lower() in _FOREIGN_FETCH:
        return True
    origin = request.headers.get("Origin")
    if origin is None:
        return False
    return origin == "null" or urlsplit(origin).netloc.lower() != request.headers.get("Host", "").lower()


def _has_port(host: str) -> bool:
    return host.rpartition(":")[2].isdigit() and not host.endswith("]")


def _given_token(request: web.Request) -> str:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return request.headers.get(TOKEN_HEADER) or (value.strip() if scheme.lower() == "bearer" else "")
