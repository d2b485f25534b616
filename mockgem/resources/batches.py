"""Batches as long-running Operations with BATCH_STATE_* states (wire ref §2.8).

Time advances lazily, driven by the clock, whenever a batch is read: PENDING when created,
RUNNING on any later read, and once `duration` seconds have passed the next read answers every
request through the injected `answer` and ends SUCCEEDED. No background task ever runs, so a
test moves a batch along by moving its clock.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence

from mockgem._types import JSONDict
from mockgem.errors import ApiError, InvalidArgument
from mockgem.protocol.casing import camel_keys
from mockgem.protocol.envelopes import api_error, error_body
from mockgem.resources.files import FileStore
from mockgem.resources.ids import LONG_ID_LENGTH, new_id
from mockgem.resources.paging import page
from mockgem.resources.state import StateStore
from mockgem.resources.timestamps import Clock, rfc3339

BATCHES = "batches"
TYPE_PREFIX = "type.googleapis.com/google.ai.generativelanguage.v1main."
METADATA_TYPE = TYPE_PREFIX + "GenerateContentBatch"
EMBED_METADATA_TYPE = TYPE_PREFIX + "EmbedContentBatch"
OUTPUT_TYPE = TYPE_PREFIX + "GenerateContentBatchOutput"
TERMINAL = frozenset({"BATCH_STATE_SUCCEEDED", "BATCH_STATE_FAILED", "BATCH_STATE_CANCELLED"})
RESULTS_MIME_TYPE = "application/jsonl"

Answerer = Callable[[JSONDict], Awaitable[JSONDict]]


class BatchStore:
    def __init__(
        self,
        state: StateStore,
        *,
        clock: Clock,
        files: FileStore,
        answer: Answerer,
        duration: float = 0.0,
        embed: Answerer | None = None,
    ) -> None:
        """`answer` takes a GenerateContentRequest (with `model` set) and returns a
        GenerateContentResponse, or `{"error": {...}}`; an ApiError it raises counts as failed.
        `embed` answers the EmbedContentRequests of an `:asyncBatchEmbedContent` batch the same way."""
        self._state = state
        self._clock = clock
        self._files = files
        self._answer = answer
        self._embed = embed or answer
        self._duration = duration
        self._lock = asyncio.Lock()

    async def create(self, model: str, body: JSONDict, *, embedding: bool = False) -> JSONDict:
        """`POST models/{model}:batchGenerateContent` (`:asyncBatchEmbedContent` when `embedding`);
        the body holds `batch`."""
        fields = camel_keys(body)
        batch = fields.get("batch") or {}
        model_name = model if model.startswith("models/") else f"models/{model}"
        requests, input_file = self._requests_of(batch.get("inputConfig") or {})
        now = self._clock()
        name = f"{BATCHES}/{new_id(LONG_ID_LENGTH)}"
        metadata: JSONDict = {"@type": EMBED_METADATA_TYPE if embedding else METADATA_TYPE, "model": model_name}
        if batch.get("displayName"):
            metadata["displayName"] = batch["displayName"]
        metadata |= {"createTime": rfc3339(now), "updateTime": rfc3339(now)}
        count = str(len(requests))
        metadata["batchStats"] = {"requestCount": count, "pendingRequestCount": count}
        metadata |= {"state": "BATCH_STATE_PENDING", "name": name}
        record: JSONDict = {"name": name, "metadata": metadata, "_createdAt": now}
        record |= {"_dueAt": now + self._duration, "_requests": requests, "_file": input_file, "_embedding": embedding}
        self._state.put(BATCHES, name, record)
        return _public(record)

    async def get(self, name: str) -> JSONDict:
        return _public(await self._advanced(self._record(name)))

    async def list(self, page_size: int | None = None, page_token: str | None = None) -> JSONDict:
        newest_first = sorted(
            self._state.records(BATCHES), key=lambda r: (r["_createdAt"], r["name"]), reverse=True
        )
        batches, next_token = page(newest_first, page_size, page_token)
        body: JSONDict = {}
        if batches:
            body["operations"] = [_public(await self._advanced(r)) for r in batches]
        if next_token:
            body["nextPageToken"] = next_token
        return body

    async def cancel(self, name: str) -> None:
        """Cancel a batch that has not ended; cancelling an ended one changes nothing."""
        record = await self._advanced(self._record(name))
        if record["metadata"]["state"] in TERMINAL:
            return  # UNVERIFIED: the real service may refuse this instead.
        now = rfc3339(self._clock())
        metadata: JSONDict = record["metadata"]
        stats = metadata.pop("batchStats")
        metadata |= {"endTime": now, "updateTime": now, "batchStats": stats}
        metadata |= {"state": "BATCH_STATE_CANCELLED", "name": record["name"]}
        record["done"] = True
        self._state.put(BATCHES, record["name"], record)

    def delete(self, name: str) -> None:
        self._state.remove(BATCHES, self._record(name)["name"])

    def _requests_of(self, input_config: JSONDict) -> tuple[Sequence[JSONDict], str | None]:
        if file_name := input_config.get("fileName"):
            return _read_jsonl(self._files.read_bytes(str(file_name))), str(file_name)
        requests = (input_config.get("requests") or {}).get("requests") or []
        if not requests:
            # UNVERIFIED: the wording of a batch with neither inline requests nor a file.
            raise InvalidArgument("Batch input_config must have requests or a file_name.")
        return list(requests), None

    def _record(self, name: str) -> JSONDict:
        record = self._state.get(BATCHES, f"{BATCHES}/{name.removeprefix(BATCHES + '/')}")
        if record is None:
            # UNVERIFIED: the Operations service's answer for an unknown batch name.
            raise api_error(404)
        return record

    async def _advanced(self, record: JSONDict) -> JSONDict:
        async with self._lock:
            current = self._state.get(BATCHES, record["name"])
            if current is None:
                raise api_error(404)  # deleted while this read waited
            state = current["metadata"]["state"]
            if state in TERMINAL:
                return current
            now = self._clock()
            if now >= current["_dueAt"]:
                await self._finish(current, now)
            elif now > current["_createdAt"] and state == "BATCH_STATE_PENDING":
                current["metadata"]["state"] = "BATCH_STATE_RUNNING"
            self._state.put(BATCHES, current["name"], current)
            return current

    async def _finish(self, record: JSONDict, now: float) -> None:
        model: str = record["metadata"]["model"]
        answer = self._embed if record.get("_embedding") else self._answer
        results = [await self._answer_one(answer, item, model) for item in record["_requests"]]
        output = self._output(record, results)
        failed = sum(1 for result in results if "error" in result)
        stats: JSONDict = {"requestCount": str(len(results))}
        if len(results) - failed:
            stats["successfulRequestCount"] = str(len(results) - failed)
        if failed:
            stats["failedRequestCount"] = str(failed)
        old: JSONDict = record["metadata"]
        metadata: JSONDict = {k: old[k] for k in ("@type", "model", "displayName") if k in old}
        metadata |= {"output": output, "createTime": old["createTime"], "endTime": rfc3339(now)}
        metadata |= {"updateTime": rfc3339(now), "batchStats": stats}
        metadata |= {"state": "BATCH_STATE_SUCCEEDED", "name": record["name"]}
        output_type = TYPE_PREFIX + "EmbedContentBatchOutput" if record.get("_embedding") else OUTPUT_TYPE
        record |= {"metadata": metadata, "done": True, "response": {"@type": output_type} | output}

    async def _answer_one(self, answer: Answerer, item: JSONDict, model: str) -> JSONDict:
        try:
            answered = await answer({"model": model} | _request_of(item))
        except ApiError as error:
            answered = error_body(error)
        result: JSONDict = {"error": answered["error"]} if "error" in answered else {}
        return result or {"response": answered}

    def _output(self, record: JSONDict, results: Sequence[JSONDict]) -> JSONDict:
        if record["_file"] is None:
            inlined = [
                result | ({"metadata": item["metadata"]} if "metadata" in item else {})
                for item, result in zip(record["_requests"], results, strict=True)
            ]
            key = "inlinedEmbedContentResponses" if record.get("_embedding") else "inlinedResponses"
            return {key: {"inlinedResponses": inlined}}
        lines = [
            json.dumps({"key": item.get("key")} | result) + "\n"
            for item, result in zip(record["_requests"], results, strict=True)
        ]
        file_name = f"files/batch-{record['name'].removeprefix('batches/')[:34]}"
        data = "".join(lines).encode()
        self._files.add_generated(data, name=file_name, mime_type=RESULTS_MIME_TYPE)
        return {"responsesFile": file_name}


def _read_jsonl(data: bytes) -> list[JSONDict]:
    """The `{"key": ..., "request": {...}}` lines of a batch input file."""
    try:
        lines = [json.loads(line) for line in data.decode().splitlines() if line.strip()]
    except (UnicodeDecodeError, json.JSONDecodeError):
        # UNVERIFIED: the wording for an input file that is not JSON Lines.
        raise InvalidArgument("The batch input file is not valid JSONL.") from None
    if not lines or not all(isinstance(line, dict) for line in lines):
        raise InvalidArgument("The batch input file is not valid JSONL.")
    return [camel_keys(line) for line in lines]


def _request_of(item: JSONDict) -> JSONDict:
    """The GenerateContentRequest of a batch input line, which no parser has checked yet."""
    request = item.get("request") or {}
    if not isinstance(request, dict):
        # UNVERIFIED: the wording, in the proto parser's form, for a line whose request is no object.
        raise InvalidArgument(f"Invalid JSON payload received. Invalid value at 'request': {json.dumps(request)}")
    return request


def _public(record: JSONDict) -> JSONDict:
    return {key: value for key, value in record.items() if not key.startswith("_")}
