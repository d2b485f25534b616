from __future__ import annotations

import json
import re

import pytest

from mockgem._types import JSONDict
from mockgem.errors import ApiError, InvalidArgument, PermissionDenied
from mockgem.resources.batches import METADATA_TYPE, OUTPUT_TYPE, BatchStore
from mockgem.resources.files import FileStore
from mockgem.resources.state import MemoryState

from .conftest import FakeClock


def reply(text: str) -> JSONDict:
    return {"candidates": [{"content": {"parts": [{"text": text}], "role": "model"}}]}


async def echo(request: JSONDict) -> JSONDict:
    """Answers with the request's text; "fail" errors and "raise" raises, as sources may."""
    text = request["contents"][0]["parts"][0]["text"]
    if text == "fail":
        return {"error": {"code": 400, "message": "bad", "status": "INVALID_ARGUMENT"}}
    if text == "raise":
        raise ApiError("overloaded", code=503)
    return reply(f"{request['model']}: {text}")


def inline(*texts: str, with_metadata: bool = True) -> JSONDict:
    requests = []
    for index, text in enumerate(texts):
        item: JSONDict = {"request": {"contents": [{"parts": [{"text": text}], "role": "user"}]}}
        if with_metadata:
            item["metadata"] = {"custom_id": str(index)}
        requests.append(item)
    return {"batch": {"display_name": "d", "input_config": {"requests": {"requests": requests}}}}


@pytest.fixture
def batches(state: MemoryState, clock: FakeClock, files: FileStore) -> BatchStore:
    return BatchStore(state, clock=clock, files=files, answer=echo, duration=10)


async def test_create_returns_a_pending_operation(batches: BatchStore) -> None:
    operation = await batches.create("gemini-2.5-flash", inline("a", "b"))

    assert re.fullmatch(r"batches/[a-z0-9]{40}", operation["name"])
    assert list(operation) == ["name", "metadata"]
    assert operation["metadata"] == {
        "@type": METADATA_TYPE,
        "model": "models/gemini-2.5-flash",
        "displayName": "d",
        "createTime": "2027-01-15T08:00:00.000000Z",
        "updateTime": "2027-01-15T08:00:00.000000Z",
        "batchStats": {"requestCount": "2", "pendingRequestCount": "2"},
        "state": "BATCH_STATE_PENDING",
        "name": operation["name"],
    }


async def test_get_runs_then_succeeds_with_inline_responses(
    batches: BatchStore, clock: FakeClock
) -> None:
    name = (await batches.create("models/gemini-2.5-flash", inline("a", "b")))["name"]
    clock.advance(1)
    running = await batches.get(name)
    clock.advance(9)

    done = await batches.get(name)

    assert running["metadata"]["state"] == "BATCH_STATE_RUNNING" and "done" not in running
    assert done["done"] is True
    metadata = done["metadata"]
    assert metadata["state"] == "BATCH_STATE_SUCCEEDED"
    assert metadata["batchStats"] == {"requestCount": "2", "successfulRequestCount": "2"}
    assert metadata["endTime"] == metadata["updateTime"] == "2027-01-15T08:00:10.000000Z"
    assert metadata["output"]["inlinedResponses"]["inlinedResponses"] == [
        {"response": reply("models/gemini-2.5-flash: a"), "metadata": {"custom_id": "0"}},
        {"response": reply("models/gemini-2.5-flash: b"), "metadata": {"custom_id": "1"}},
    ]
    assert done["response"] == {"@type": OUTPUT_TYPE} | metadata["output"]


async def test_zero_duration_succeeds_on_the_first_get(
    state: MemoryState, clock: FakeClock, files: FileStore
) -> None:
    batches = BatchStore(state, clock=clock, files=files, answer=echo)
    name = (await batches.create("gemini-2.5-flash", inline("a")))["name"]

    assert (await batches.get(name))["metadata"]["state"] == "BATCH_STATE_SUCCEEDED"


async def test_failed_requests_are_counted_and_carry_their_error(
    batches: BatchStore, clock: FakeClock
) -> None:
    body = inline("a", "fail", "raise", with_metadata=False)
    name = (await batches.create("gemini-2.5-flash", body))["name"]
    clock.advance(10)

    metadata = (await batches.get(name))["metadata"]

    assert metadata["batchStats"] == {
        "requestCount": "3",
        "successfulRequestCount": "1",
        "failedRequestCount": "2",
    }
    responses = metadata["output"]["inlinedResponses"]["inlinedResponses"]
    assert responses[1] == {"error": {"code": 400, "message": "bad", "status": "INVALID_ARGUMENT"}}
    assert responses[2]["error"]["code"] == 503


async def test_file_input_answers_into_a_downloadable_responses_file(
    batches: BatchStore, files: FileStore, clock: FakeClock
) -> None:
    lines = [
        {"key": "k1", "request": {"contents": [{"parts": [{"text": "a"}]}]}},
        {"key": "k2", "request": {"contents": [{"parts": [{"text": "fail"}]}]}},
    ]
    jsonl = "".join(json.dumps(line) + "\n" for line in lines).encode()
    input_file = files.upload_multipart({"file": {"mimeType": "application/jsonl"}}, jsonl)
    body = {"batch": {"inputConfig": {"fileName": input_file["name"]}}}
    name = (await batches.create("gemini-2.5-flash", body))["name"]
    clock.advance(10)

    output = (await batches.get(name))["metadata"]["output"]

    results_name = output["responsesFile"]
    assert results_name.startswith("files/batch-")
    data, mime_type = files.download(results_name)
    rows = [json.loads(line) for line in data.decode().splitlines()]
    assert mime_type == "application/jsonl"
    assert rows[0] == {"key": "k1", "response": reply("models/gemini-2.5-flash: a")}
    assert rows[1]["key"] == "k2" and rows[1]["error"]["code"] == 400


async def test_create_with_a_missing_input_file_gets_the_file_403(batches: BatchStore) -> None:
    with pytest.raises(PermissionDenied):
        await batches.create("m", {"batch": {"inputConfig": {"fileName": "files/missing"}}})


@pytest.mark.parametrize(
    "body",
    [
        {"batch": {"inputConfig": {}}},
        {"batch": {"inputConfig": {"requests": {"requests": []}}}},
    ],
)
async def test_create_without_requests_is_refused(batches: BatchStore, body: JSONDict) -> None:
    with pytest.raises(InvalidArgument):
        await batches.create("m", body)


async def test_create_with_a_file_that_is_not_jsonl_is_refused(
    batches: BatchStore, files: FileStore
) -> None:
    input_file = files.upload_multipart({}, b"not json")

    with pytest.raises(InvalidArgument):
        await batches.create("m", {"batch": {"inputConfig": {"fileName": input_file["name"]}}})


async def test_cancel_ends_a_running_batch_without_answering(
    state: MemoryState, clock: FakeClock, files: FileStore
) -> None:
    asked: list[JSONDict] = []

    async def record(request: JSONDict) -> JSONDict:
        asked.append(request)
        return reply("x")

    batches = BatchStore(state, clock=clock, files=files, answer=record, duration=10)
    name = (await batches.create("m", inline("a")))["name"]
    clock.advance(1)

    await batches.cancel(name)
    clock.advance(20)
    cancelled = await batches.get(name)

    assert cancelled["metadata"]["state"] == "BATCH_STATE_CANCELLED"
    assert cancelled["done"] is True and "output" not in cancelled["metadata"]
    assert asked == []


async def test_cancel_a_finished_batch_changes_nothing(
    batches: BatchStore, clock: FakeClock
) -> None:
    name = (await batches.create("m", inline("a")))["name"]
    clock.advance(10)
    finished = await batches.get(name)

    await batches.cancel(name)

    assert await batches.get(name) == finished


async def test_delete_then_get_is_not_found(batches: BatchStore) -> None:
    name = (await batches.create("m", inline("a")))["name"]

    batches.delete(name)

    with pytest.raises(ApiError) as missing:
        await batches.get(name)
    assert missing.value.code == 404


async def test_list_uses_the_operations_key_and_pages(
    batches: BatchStore, clock: FakeClock
) -> None:
    names = []
    for _ in range(3):
        names.append((await batches.create("m", inline("a")))["name"])
        clock.advance(1)

    first = await batches.list(page_size=2)
    second = await batches.list(page_size=2, page_token=first["nextPageToken"])

    assert [op["name"] for op in first["operations"] + second["operations"]] == names[::-1]
    assert "nextPageToken" not in second


async def test_list_empty_is_an_empty_object(batches: BatchStore) -> None:
    assert await batches.list() == {}


async def test_a_file_line_whose_request_is_no_object_fails_alone(
    batches: BatchStore, files: FileStore, clock: FakeClock
) -> None:
    lines = [{"key": "k1", "request": "x"}, {"key": "k2", "request": {"contents": [{"parts": [{"text": "a"}]}]}}]
    jsonl = "".join(json.dumps(line) + "\n" for line in lines).encode()
    input_file = files.upload_multipart({"file": {"mimeType": "application/jsonl"}}, jsonl)
    name = (await batches.create("gemini-2.5-flash", {"batch": {"inputConfig": {"fileName": input_file["name"]}}}))["name"]
    clock.advance(10)

    output = (await batches.get(name))["metadata"]["output"]

    rows = [json.loads(line) for line in files.download(output["responsesFile"])[0].decode().splitlines()]
    assert rows[0]["error"]["code"] == 400 and "Invalid value at 'request'" in rows[0]["error"]["message"]
    assert rows[1] == {"key": "k2", "response": reply("models/gemini-2.5-flash: a")}
