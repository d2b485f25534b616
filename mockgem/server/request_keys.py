"""`RequestKey` on every aiohttp the project supports.

aiohttp 3.14 added `web.RequestKey` (typed keys for per-request state). aiohttp 3.13, which projects
pinning vcrpy's older aiohttp still run, has none; its requests store state in a plain dict that
takes any hashable key, and `web.AppKey` (same constructor, same typing role) is one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING or hasattr(web, "RequestKey"):
    from aiohttp.web import RequestKey
else:
    RequestKey = web.AppKey

__all__ = ["RequestKey"]
