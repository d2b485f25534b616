"""List paging as the API does it: a default and a cap, opaque tokens, none on the last page."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import TypeVar

from mockgem.errors import InvalidArgument
from mockgem.protocol.json_text import ascii_int

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100  # the documented cap of files.list; lists documented otherwise pass their own
MAX_INT32 = 2**31 - 1


def page(
    items: Sequence[T],
    page_size: int | None,
    page_token: str | None,
    *,
    default_size: int = DEFAULT_PAGE_SIZE,
    max_size: int = MAX_PAGE_SIZE,
) -> tuple[list[T], str | None]:
    """One page of `items` and the token of the next, None on the last page."""
    if page_size is not None and page_size < 0:
        # UNVERIFIED: wording of the refusal of a negative page size.
        raise InvalidArgument("page_size must not be negative.")
    if page_size is not None and page_size > MAX_INT32:
        raise InvalidArgument(f"Invalid value at 'page_size' (TYPE_INT32), \"{page_size}\"")
    size = min(page_size or default_size, max_size)
    start = decode_token(page_token) if page_token else 0
    end = start + size
    return list(items[start:end]), encode_token(end) if end < len(items) else None


def encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def decode_token(token: str) -> int:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        prefix, _, offset = text.partition(":")
        start = ascii_int(offset, low=0, high=MAX_INT32)
        if prefix != "offset" or start is None:
            raise ValueError(token)
    except ValueError:
        # UNVERIFIED: the real service's wording for a page token it did not issue.
        raise InvalidArgument("Invalid page token.") from None
    return start
