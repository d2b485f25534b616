"""The query of a `list` call: `pageSize` and `pageToken`, as the stores take them."""

from __future__ import annotations

from aiohttp import web

from mockgem.errors import InvalidArgument
from mockgem.protocol.json_text import ascii_int


def page_query(request: web.Request) -> tuple[int | None, str | None]:
    size = request.query.get("pageSize") or request.query.get("page_size")
    token = request.query.get("pageToken") or request.query.get("page_token")
    number = ascii_int(size, low=-(2**31), high=2**31 - 1) if size is not None else None
    if size is not None and number is None:
        # UNVERIFIED: worded as the proto parser refuses a non-integer in a JSON body.
        raise InvalidArgument(f"Invalid value at 'page_size' (TYPE_INT32), \"{size[:40]}\"")
    return number, token or None
