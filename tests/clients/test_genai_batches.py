"""google-genai `client.batches` against mockgem over a real socket, run to completion."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable

import pytest
from google import genai
from google.genai import errors, types

from mockgem import MockGemServer
from tests.clients.conftest import genai_client
from tests.conftest import EXAMPLE_RULES

MODEL = "gemini-2.5-flash"
REQUESTS = [
    {"contents": [{"parts": [{"text": "weather in Paris?"}], "role": "user"}]},
    {"contents": [{"parts": [{"text": "hello"}], "role": "user"}]},
]


def wait_until_done(client: genai.Client, name: str, timeout: float = 10.0) -> types.BatchJob:
    deadline = time.monotonic() + timeout
    while True:
        job = client.batches.get(name=name)
        if job.done or time.monotonic() > deadline:
            return job
        time.sleep(0.05)


def test_inline_batch_runs_to_completion_through_the_rules(client: genai.Client) -> None:
    job = client.batches.create(model=MODEL, src=REQUESTS, config=types.CreateBatchJobConfig(display_name="inline"))  # type: ignore[arg-type]
    assert job.name and job.name.startswith("batches/")
    assert (job.state, job.display_name, job.model) == (types.JobState.JOB_STATE_PENDING, "inline", f"models/{MODEL}")
    done = wait_until_done(client, job.name)
    assert done.state == types.JobState.JOB_STATE_SUCCEEDED and done.end_time
    assert done.dest and done.dest.inlined_responses
    texts = [item.response.text for item in done.dest.inlined_responses if item.response]
    assert texts == ["Sunny, 21 C", "Hello from mockgem."]


def test_file_batch_writes_a_downloadable_responses_file(client: genai.Client) -> None:
    lines = [json.dumps({"key": f"k{n}", "request": request}) for n, request in enumerate(REQUESTS)]
    source = client.files.upload(file=io.BytesIO("\n".join(lines).encode()), config=types.UploadFileConfig(mime_type="application/jsonl"))
    job = client.batches.create(model=MODEL, src=source.name or "")
    done = wait_until_done(client, job.name or "")
    assert done.state == types.JobState.JOB_STATE_SUCCEEDED and done.dest and done.dest.file_name
    results = client.files.get(name=done.dest.file_name)
    assert results.source == types.FileSource.GENERATED and results.download_uri
    answers = [json.loads(line) for line in client.files.download(file=results).decode().splitlines()]
    assert [answer["key"] for answer in answers] == ["k0", "k1"]
    assert answers[0]["response"]["candidates"][0]["content"]["parts"][0]["text"] == "Sunny, 21 C"


def test_batch_takes_the_configured_duration(make_server: Callable[..., MockGemServer]) -> None:
    client = genai_client(make_server(rules=EXAMPLE_RULES, batch_duration=0.3))
    job = client.batches.create(model=MODEL, src=REQUESTS)  # type: ignore[arg-type]
    time.sleep(0.05)
    assert client.batches.get(name=job.name or "").state == types.JobState.JOB_STATE_RUNNING
    assert wait_until_done(client, job.name or "").state == types.JobState.JOB_STATE_SUCCEEDED


def test_cancel_stops_a_running_batch(make_server: Callable[..., MockGemServer]) -> None:
    client = genai_client(make_server(rules=EXAMPLE_RULES, batch_duration=3600))
    job = client.batches.create(model=MODEL, src=REQUESTS)  # type: ignore[arg-type]
    client.batches.cancel(name=job.name or "")
    cancelled = client.batches.get(name=job.name or "")
    assert cancelled.state == types.JobState.JOB_STATE_CANCELLED and cancelled.end_time


def test_list_pages_and_delete_removes(client: genai.Client) -> None:
    names = [client.batches.create(model=MODEL, src=REQUESTS).name for _ in range(3)]  # type: ignore[arg-type]
    listed = [job.name for job in client.batches.list(config=types.ListBatchJobsConfig(page_size=2))]
    assert listed == list(reversed(names))
    client.batches.delete(name=names[0] or "")
    with pytest.raises(errors.ClientError) as caught:
        client.batches.get(name=names[0] or "")
    assert caught.value.code == 404


def test_a_failing_request_is_counted_failed(client: genai.Client) -> None:
    quota = [{"contents": [{"parts": [{"text": "quota"}], "role": "user"}]}, REQUESTS[1]]
    done = wait_until_done(client, client.batches.create(model=MODEL, src=quota).name or "")  # type: ignore[arg-type]
    assert done.state == types.JobState.JOB_STATE_SUCCEEDED and done.dest and done.dest.inlined_responses
    first, second = done.dest.inlined_responses
    assert first.error and first.error.code == 429 and second.response
