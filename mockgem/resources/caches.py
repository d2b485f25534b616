"""cachedContents: create, get, list, update the expiry, delete, and use in generate (§2.7).

A cache past its `expireTime` is gone, as on the real service: each call purges expired ones
first. Token counts come from the injected `count_tokens`, so the project's counter decides
both `usageMetadata.totalTokenCount` and whether a cache is too small.
"""

from __future__ import annotations

from collections.abc import Callable

from mockgem._types import JSONDict
from mockgem.errors import InvalidArgument, PermissionDenied
from mockgem.protocol.casing import camel_keys
from mockgem.protocol.envelopes import model_not_found
from mockgem.protocol.catalog import bare_model_id, find_model
from mockgem.resources.ids import LONG_ID_LENGTH, new_id, new_vertex_id
from mockgem.resources.paging import page
from mockgem.resources.state import StateStore
from mockgem.resources.timestamps import Clock, parse_duration, parse_rfc3339, rfc3339

CACHES = "cachedContents"
DEFAULT_TTL = 3600.0  # documented: "If not set, the TTL defaults to 1 hour"
CACHED_FIELDS = ("contents", "systemInstruction", "tools", "toolConfig")
MAX_PAGE_SIZE = 1000  # documented: "values above 1000 will be coerced to 1000"
# Minimums the API states in its own 400s (2.5 Flash 1024, 2.5 Flash-Lite 2048); Pro per the docs.
MINIMUM_TOKENS = (("flash-lite", 2048), ("pro", 4096), ("flash", 1024))


def minimum_cache_tokens(model: str) -> int:
    return next((tokens for part, tokens in MINIMUM_TOKENS if part in model), 1024)


def model_supports_caching(model: str) -> bool:
    """A model the catalog lists with `createCachedContent`: unknown and retired ones get the 404."""
    info = find_model(model)
    return info is not None and "createCachedContent" in info.methods


def cache_not_found() -> PermissionDenied:
    return PermissionDenied("CachedContent not found (or permission denied)")


class CacheStore:
    def __init__(
        self,
        state: StateStore,
        *,
        clock: Clock,
        count_tokens: Callable[[JSONDict], int],
        min_tokens: Callable[[str], int] = minimum_cache_tokens,
        supports_caching: Callable[[str], bool] = model_supports_caching,
    ) -> None:
        self._state = state
        self._clock = clock
        self._count_tokens = count_tokens
        self._min_tokens = min_tokens
        self._supports_caching = supports_caching

    def create(self, body: JSONDict, *, version: str = "v1beta", parent: str = "") -> JSONDict:
        """A new cache; under Vertex AI, `parent` is `projects/{p}/locations/{l}` and names carry it."""
        fields = camel_keys(body)
        model = self._checked_model(fields.get("model"), version, parent)
        content = {key: fields[key] for key in CACHED_FIELDS if fields.get(key)}
        if not content.get("contents") and not content.get("systemInstruction"):
            raise InvalidArgument("CachedContent must have at least one content.")
        tokens = self._count_tokens(content)
        if tokens < (minimum := self._min_tokens(bare_model_id(model))):
            raise InvalidArgument(
                f"Cached content is too small. total_token_count={tokens}, "
                f"min_total_token_count={minimum}"
            )
        now = self._clock()
        cache_id = new_vertex_id() if parent else new_id(LONG_ID_LENGTH)
        record: JSONDict = {
            "name": f"{parent}/{CACHES}/{cache_id}" if parent else f"{CACHES}/{cache_id}",
            "model": model,
            "createTime": rfc3339(now),
            "updateTime": rfc3339(now),
            "expireTime": "",
            "displayName": fields.get("displayName", ""),
            "usageMetadata": {"totalTokenCount": tokens},
            "_content": content,
        }
        self._set_expiry(record, fields, now, default_ttl=DEFAULT_TTL)
        self._state.put(CACHES, _key(record["name"]), record)
        return _public(record)

    def get(self, name: str) -> JSONDict:
        return _public(self._record(name))

    def list(self, page_size: int | None = None, page_token: str | None = None) -> JSONDict:
        self._purge_expired()
        newest_first = sorted(
            self._state.records(CACHES), key=lambda r: (r["createTime"], r["name"]), reverse=True
        )
        caches, next_token = page(newest_first, page_size, page_token, max_size=MAX_PAGE_SIZE)
        body: JSONDict = {"cachedContents": [_public(r) for r in caches]} if caches else {}
        if next_token:
            body["nextPageToken"] = next_token
        return body

    def update(self, name: str, body: JSONDict) -> JSONDict:
        """PATCH: only the expiry can change, through `ttl` or `expireTime`."""
        record = self._record(name)
        now = self._clock()
        self._set_expiry(record, camel_keys(body), now, default_ttl=None)
        record["updateTime"] = rfc3339(now)
        self._state.put(CACHES, _key(record["name"]), record)
        return _public(record)

    def delete(self, name: str) -> None:
        self._state.remove(CACHES, _key(self._record(name)["name"]))

    def apply(self, request: JSONDict, model: str) -> tuple[JSONDict, int]:
        """A generate request with its `cachedContent` expanded, and the cached token count.

        The cached contents come before the request's own, and the cache's system instruction,
        tools and tool config apply, which the request itself may then not set (as for real).
        """
        fields = camel_keys(request)
        record = self._record(str(fields["cachedContent"]))
        if bare_model_id(model) != bare_model_id(record["model"]):
            raise InvalidArgument(
                f"Model used by GenerateContent request ({_model_name(model)}) and "
                f"CachedContent ({record['model']}) has to be the same."
            )
        if any(fields.get(key) for key in ("systemInstruction", "tools", "toolConfig")):
            raise InvalidArgument(
                "CachedContent can not be used with GenerateContent request setting "
                "system_instruction, tools or tool_config.\n\nProposed fix: move those values "
                "to CachedContent from GenerateContent request."
            )
        content: JSONDict = record["_content"]
        expanded = {key: value for key, value in fields.items() if key != "cachedContent"}
        expanded |= {key: value for key, value in content.items() if key != "contents"}
        expanded["contents"] = [*content.get("contents", []), *fields.get("contents", [])]
        return expanded, int(record["usageMetadata"]["totalTokenCount"])

    def _checked_model(self, model: object, version: str, parent: str) -> str:
        """The cache's model as the API names it: `models/x`, or Vertex's full publisher path."""
        if not isinstance(model, str) or not model:
            # UNVERIFIED: the wording of the refusal of a cache without a model.
            raise InvalidArgument("CachedContent must have a model.")
        name = _model_name(model)
        if not self._supports_caching(bare_model_id(name)):
            raise model_not_found(bare_model_id(name), version, "createCachedContent")
        return f"{parent}/publishers/google/models/{bare_model_id(name)}" if parent else name

    def _set_expiry(
        self, record: JSONDict, fields: JSONDict, now: float, *, default_ttl: float | None
    ) -> None:
        ttl, expire_time = fields.get("ttl"), fields.get("expireTime")
        if ttl is not None and expire_time is not None:
            # UNVERIFIED: the API's wording when both members of the `expiration` oneof are set.
            raise InvalidArgument("Only one of ttl and expire_time can be set.")
        if ttl is not None:
            expires = now + _positive(parse_duration(ttl, "cached_content.ttl"))
        elif expire_time is not None:
            expires = parse_rfc3339(str(expire_time), "cached_content.expire_time")
        elif default_ttl is not None:
            expires = now + default_ttl
        else:
            # UNVERIFIED: the wording of an update that names no new expiry.
            raise InvalidArgument("Either ttl or expire_time must be set.")
        if expires <= now:
            # UNVERIFIED: the wording of an expiry already in the past.
            raise InvalidArgument("expire_time must be in the future.")
        record["expireTime"] = rfc3339(expires)
        record["_expiresAt"] = expires

    def _record(self, name: str) -> JSONDict:
        self._purge_expired()
        record = self._state.get(CACHES, _key(name))
        if record is None:
            raise cache_not_found()
        return record

    def _purge_expired(self) -> None:
        now = self._clock()
        for record in self._state.records(CACHES):
            if record["_expiresAt"] <= now:
                self._state.remove(CACHES, _key(record["name"]))


def _public(record: JSONDict) -> JSONDict:
    return {key: value for key, value in record.items() if not key.startswith("_")}


def _key(name: str) -> str:
    """The state key of a cache: `cachedContents/{id}`, from a bare id, a name or a Vertex path."""
    return f"{CACHES}/{name.rpartition(CACHES + '/')[2]}"


def _model_name(model: str) -> str:
    return model if model.startswith("models/") else f"models/{model}"


def _positive(seconds: float) -> float:
    if seconds <= 0:
        # UNVERIFIED: the wording of a zero or negative ttl.
        raise InvalidArgument("ttl must be positive.")
    return seconds
