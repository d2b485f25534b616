from __future__ import annotations

import pytest

from mockgem.errors import InvalidArgument
from mockgem.resources.paging import page

ITEMS = list(range(25))


@pytest.mark.parametrize(
    ("page_size", "expected_len"), [(None, 10), (0, 10), (3, 3), (100, 25), (1000, 25)]
)
def test_page_size_default_and_cap(page_size: int | None, expected_len: int) -> None:
    items, _ = page(ITEMS, page_size, None)

    assert len(items) == expected_len


def test_page_walk_visits_every_item_once_and_ends_without_token() -> None:
    seen: list[int] = []
    token: str | None = None
    while True:
        items, token = page(ITEMS, 7, token)
        seen += items
        if token is None:
            break

    assert seen == ITEMS


@pytest.mark.parametrize("token", ["garbage!", "b2Zmc2V0Ong", "aGVsbG8"])
def test_page_token_not_issued_is_refused(token: str) -> None:
    with pytest.raises(InvalidArgument):
        page(ITEMS, 5, token)


def test_page_negative_size_is_refused() -> None:
    with pytest.raises(InvalidArgument):
        page(ITEMS, -1, None)


@pytest.mark.parametrize(("max_size", "expected_len"), [(100, 100), (1000, 250)])
def test_page_size_over_the_cap_is_coerced_to_it(max_size: int, expected_len: int) -> None:
    items, token = page(list(range(250)), 5000, None, max_size=max_size)

    assert len(items) == expected_len and (token is None) == (expected_len == 250)


def test_page_size_beyond_int32_is_the_proto_refusal() -> None:
    with pytest.raises(InvalidArgument, match=r"Invalid value at 'page_size' \(TYPE_INT32\), \"2147483648\""):
        page(ITEMS, 2**31, None)
