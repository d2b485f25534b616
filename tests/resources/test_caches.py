from __future__ import annotations

import re

import pytest

from mockgem._types import JSONDict
from mockgem.errors import ApiError, InvalidArgument, PermissionDenied
from mockgem.resources.caches import CacheStore, minimum_cache_tokens
from mockgem.resources.state import MemoryState

from .conftest import FakeClock


def count_words(content: JSONDict) -> int:
    parts = [p for c in content.get("contents", []) for p in c.get("parts", [])]
    parts += content.get("systemInstruction", {}).get("parts", [])
    return sum(len(str(part.get("text", "")).split()) for part in parts)


def long_text(words: int = 2000) -> list[JSONDict]:
    return [{"role": "user", "parts": [{"text": "word " * words}]}]


@pytest.fixture
def caches(state: MemoryState, clock: FakeClock) -> CacheStore:
    return CacheStore(state, clock=clock, count_tokens=count_words)


def create(caches: CacheStore, **fields: object) -> JSONDict:
    body: JSONDict = {"model": "models/gemini-2.5-flash", "contents": long_text()}
    return caches.create(body | fields)


def test_create_returns_the_real_shape(caches: CacheStore) -> None:
    cache = create(caches, ttl="300s", displayName="d")

    assert list(cache) == [
        "name", "model", "createTime", "updateTime", "expireTime", "displayName", "usageMetadata",
    ]  # fmt: skip
    assert re.fullmatch(r"cachedContents/[a-z0-9]{40}", cache["name"])
    assert cache["model"] == "models/gemini-2.5-flash"
    assert cache["createTime"] == "2027-01-15T08:00:00.000000Z"
    assert cache["expireTime"] == "2027-01-15T08:05:00.000000Z"
    assert cache["displayName"] == "d"
    assert cache["usageMetadata"] == {"totalTokenCount": 2000}


def test_create_defaults__display_name_empty_and_ttl_one_hour(caches: CacheStore) -> None:
    cache = caches.create({"model": "gemini-2.5-flash", "contents": long_text()})

    assert cache["displayName"] == ""
    assert cache["model"] == "models/gemini-2.5-flash"
    assert cache["expireTime"] == "2027-01-15T09:00:00.000000Z"


def test_create_accepts_snake_case_and_expire_time(caches: CacheStore) -> None:
    cache = caches.create(
        {
            "model": "models/gemini-2.5-flash",
            "system_instruction": {"parts": [{"text": "word " * 2000}]},
            "expire_time": "2027-01-16T00:00:00+00:00",
        }
    )

    assert cache["expireTime"] == "2027-01-16T00:00:00.000000Z"


def test_create_too_few_tokens_gets_the_real_message(caches: CacheStore) -> None:
    with pytest.raises(InvalidArgument) as refused:
        create(caches, contents=long_text(1006))

    assert refused.value.message == (
        "Cached content is too small. total_token_count=1006, min_total_token_count=1024"
    )


@pytest.mark.parametrize(
    ("model", "minimum"),
    [
        ("models/gemini-2.5-flash", 1024),
        ("models/gemini-2.5-flash-lite", 2048),
        ("models/gemini-2.5-pro", 4096),
    ],
)
def test_minimum_cache_tokens_by_model(model: str, minimum: int) -> None:
    assert minimum_cache_tokens(model) == minimum


def test_create_with_a_model_without_caching_is_not_found(caches: CacheStore) -> None:
    with pytest.raises(ApiError) as refused:
        caches.create({"model": "models/text-embedding-004", "contents": long_text()})

    assert (refused.value.code, refused.value.status) == (404, "NOT_FOUND")
    assert refused.value.message.startswith(
        "models/text-embedding-004 is not found for API version v1beta, "
        "or is not supported for createCachedContent."
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"model": ""},
        {"contents": []},
        {"ttl": "300s", "expireTime": "2030-01-01T00:00:00Z"},
        {"ttl": "5 minutes"},
        {"ttl": "0s"},
        {"expireTime": "2020-01-01T00:00:00Z"},
        {"expireTime": "yesterday"},
    ],
)
def test_create_invalid_argument(caches: CacheStore, fields: JSONDict) -> None:
    with pytest.raises(InvalidArgument):
        create(caches, **fields)


def test_get_and_delete(caches: CacheStore) -> None:
    name = create(caches)["name"]

    assert caches.get(name)["name"] == name
    caches.delete(name)

    with pytest.raises(PermissionDenied) as refused:
        caches.get(name)
    assert refused.value.message == "CachedContent not found (or permission denied)"


def test_expired_cache_is_gone(caches: CacheStore, clock: FakeClock) -> None:
    name = create(caches, ttl="60s")["name"]
    clock.advance(59)
    caches.get(name)

    clock.advance(1)

    with pytest.raises(PermissionDenied):
        caches.get(name)
    assert caches.list() == {}


@pytest.mark.parametrize(
    ("patch", "expire_time"),
    [
        ({"ttl": "600s"}, "2027-01-15T08:10:10.000000Z"),
        ({"expireTime": "2027-01-15T12:00:00+00:00"}, "2027-01-15T12:00:00.000000Z"),
        ({"expire_time": "2027-01-15T12:00:00Z"}, "2027-01-15T12:00:00.000000Z"),
    ],
)
def test_update_moves_the_expiry(
    caches: CacheStore, clock: FakeClock, patch: JSONDict, expire_time: str
) -> None:
    name = create(caches, ttl="300s")["name"]
    clock.advance(10)

    updated = caches.update(name, patch)

    assert updated["expireTime"] == expire_time
    assert updated["updateTime"] == "2027-01-15T08:00:10.000000Z"
    assert updated["createTime"] == "2027-01-15T08:00:00.000000Z"
    assert caches.get(name) == updated


def test_update_without_expiry_is_refused(caches: CacheStore) -> None:
    with pytest.raises(InvalidArgument):
        caches.update(create(caches)["name"], {})


def test_list_pages_newest_first(caches: CacheStore, clock: FakeClock) -> None:
    names = []
    for _ in range(3):
        names.append(create(caches)["name"])
        clock.advance(1)

    first = caches.list(page_size=2)
    second = caches.list(page_token=first["nextPageToken"])

    assert [c["name"] for c in first["cachedContents"] + second["cachedContents"]] == names[::-1]
    assert "nextPageToken" not in second


@pytest.mark.parametrize(("page_size", "listed"), [(None, 10), (150, 150), (5000, 150)])
def test_list_page_size_caps_at_the_documented_1000(caches: CacheStore, page_size: int | None, listed: int) -> None:
    for _ in range(150):
        create(caches)

    assert len(caches.list(page_size=page_size)["cachedContents"]) == listed


def test_apply_puts_the_cached_contents_first(caches: CacheStore) -> None:
    name = caches.create(
        {
            "model": "models/gemini-2.5-flash",
            "contents": long_text(),
            "systemInstruction": {"parts": [{"text": "sys"}]},
        }
    )["name"]
    question = {"role": "user", "parts": [{"text": "q"}]}

    expanded, cached_tokens = caches.apply(
        {"cached_content": name, "contents": [question], "generationConfig": {"temperature": 0}},
        "gemini-2.5-flash",
    )

    assert expanded["contents"] == [*long_text(), question]
    assert expanded["systemInstruction"] == {"parts": [{"text": "sys"}]}
    assert expanded["generationConfig"] == {"temperature": 0}
    assert "cachedContent" not in expanded
    assert cached_tokens == 2001


@pytest.mark.parametrize(
    ("request_fields", "model", "message_start"),
    [
        (
            {},
            "models/gemini-2.5-pro",
            "Model used by GenerateContent request (models/gemini-2.5-pro)",
        ),
        ({"tools": [{"codeExecution": {}}]}, "gemini-2.5-flash", "CachedContent can not be used"),
    ],
)
def test_apply_refusals(
    caches: CacheStore, request_fields: JSONDict, model: str, message_start: str
) -> None:
    name = create(caches)["name"]

    with pytest.raises(InvalidArgument) as refused:
        caches.apply({"cachedContent": name, "contents": []} | request_fields, model)

    assert refused.value.message.startswith(message_start)


def test_apply_with_an_expired_cache_gets_the_real_403(
    caches: CacheStore, clock: FakeClock
) -> None:
    name = create(caches, ttl="1s")["name"]
    clock.advance(1)

    with pytest.raises(PermissionDenied):
        caches.apply({"cachedContent": name, "contents": []}, "gemini-2.5-flash")
