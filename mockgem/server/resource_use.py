"""Generate requests that use stored resources: `cachedContent` expanded, `fileData` checked.

Sources see the request as the model would: the cache's contents first, its system instruction
and tools applied, so rules match on what the cache holds. A `fileData.fileUri` naming a Files
API file that does not exist, was deleted or has expired gets the real 403 before any source is
asked; the answer then reports the cached tokens in `usageMetadata.cachedContentTokenCount`.
"""

from __future__ import annotations

import dataclasses

from aiohttp import web

from mockgem._types import JSONDict
from mockgem.errors import ApiError
from mockgem.protocol.calls import ApiRequest
from mockgem.resources.files import FileStore
from mockgem.server.keys import CACHES, FILES
from mockgem.sources.base import Answer, Chunks, Miss, Source, Whole
from mockgem.sources.rules import file_uris


class ResourceResolvingSource:
    """Asks `inner` with a generate request as the model sees it: its cache applied, its files checked.

    Composed around the scripted sources only: a recording already holds what the recorded run's
    resources gave, and the upstream resolves its own files and caches. Not `strict`, in front of
    the recordings or the upstream, it uses only the caches this run holds and checks no file: a
    request naming a recorded or an upstream resource must reach the source that knows it.
    """

    def __init__(self, app: web.Application, inner: Source, *, strict: bool = True) -> None:
        self._app = app
        self._inner = inner
        self._strict = strict

    async def answer(self, api: ApiRequest) -> Answer | Miss:
        if not api.call.is_generate or FILES not in self._app:
            return await self._inner.answer(api)
        if self._strict and api.invalid is not None:
            raise api.invalid
        try:
            expanded, cached_tokens = expand_cached_content(self._app, api)
        except ApiError:
            if self._strict:
                raise
            expanded, cached_tokens = api, 0
        if self._strict:
            check_file_uris(self._app[FILES], expanded.body)
        result = await self._inner.answer(expanded)
        return result if isinstance(result, Miss) else with_cached_tokens(result, cached_tokens)


def expand_cached_content(app: web.Application, api: ApiRequest) -> tuple[ApiRequest, int]:
    if not api.body.get("cachedContent"):
        return api, 0
    body, tokens = app[CACHES].apply(api.body, api.call.model or "")
    return dataclasses.replace(api, body=body), tokens


def check_file_uris(files: FileStore, body: JSONDict) -> None:
    """Raises the real error for the first `fileData.fileUri` naming a missing or unready file."""
    for uri in file_uris(body):
        files.check_file_uri(uri)


def with_cached_tokens(answer: Answer, tokens: int) -> Answer:
    """`answer` with `cachedContentTokenCount` in each usageMetadata that lacks it."""
    if tokens <= 0:
        return answer
    if isinstance(answer, Chunks):
        return dataclasses.replace(answer, payloads=tuple(_counted(payload, tokens) for payload in answer.payloads))
    if isinstance(answer, Whole):
        return dataclasses.replace(answer, body=_counted(answer.body, tokens))
    return answer


def _counted(payload: JSONDict, tokens: int) -> JSONDict:
    usage = payload.get("usageMetadata")
    if not isinstance(usage, dict) or "cachedContentTokenCount" in usage:
        return payload
    details = [{"modality": "TEXT", "tokenCount": tokens}]
    return payload | {"usageMetadata": usage | {"cachedContentTokenCount": tokens, "cacheTokensDetails": details}}


def file_labels(app: web.Application, uri: str) -> tuple[str, ...]:
    """The name and display name of the stored file `uri` names, for rules' `match: {file: ...}`."""
    if FILES not in app:
        return ()
    try:
        file = app[FILES].check_file_uri(uri)
    except ApiError:
        return ()
    return () if file is None else (str(file["name"]), str(file.get("displayName") or ""))
