"""google-genai `client.batches` in Vertex AI mode (batch prediction jobs) over a real socket."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable

import pytest
from google import genai
from google.genai import errors, types

from mockgem import MockGemServer
from tests.clients.conftest import vertex_genai_client

MODEL = "gemini-2.5-flash"
PARENT = "projects/test-project/locations/us-central1"
ENDED = {types.JobState.JOB_STATE_SUCCEEDED, types.JobState.JOB_STATE_CANCELLED}


def wait_until_ended(client: genai.Client, name: str, timeout: float = 10.0) -> types.BatchJob:
    deadline = time.monotonic() + timeout
    while True:
        job = client.batches.get(name=name)
        if job.state in ENDED or time.monotonic() > deadline:
            return job
        time.sleep(0.05)


@pytest.fixture
def slow_client(make_server: Callable[..., MockGemServer]) -> genai.Client:
    return vertex_genai_client(make_server(batch_duration=0.3))


def test_gcs_job_runs_to_success_with_an_output_directory(slow_client: genai.Client) -> None:
    job = slow_client.batches.create(model=MODEL, src="gs://bucket/in/requests.jsonl", config=types.CreateBatchJobConfig(display_name="gcs"))
    assert job.name and job.name.startswith(f"{PARENT}/batchPredictionJobs/")
    assert (job.state, job.display_name, job.model) == (types.JobState.JOB_STATE_PENDING, "gcs", f"publishers/google/models/{MODEL}")
    assert job.src and job.src.gcs_uri == ["gs://bucket/in/requests.jsonl"] and job.src.format == "jsonl"
    assert job.dest and job.dest.gcs_uri == "gs://bucket/in/requests/dest"
    time.sleep(0.05)
    assert slow_client.batches.get(name=job.name).state == types.JobState.JOB_STATE_RUNNING

    done = wait_until_ended(slow_client, job.name)

    assert done.state == types.JobState.JOB_STATE_SUCCEEDED and done.start_time and done.end_time
    assert done.output_info and done.output_info.gcs_output_directory
    assert done.output_info.gcs_output_directory.startswith("gs://bucket/in/requests/dest/prediction-model-20")


def test_bigquery_job_ends_with_an_output_table(vertex_client: genai.Client) -> None:
    job = vertex_client.batches.create(model=MODEL, src="bq://proj.dataset.requests", config=types.CreateBatchJobConfig(dest="bq://proj.results"))
    assert job.src and (job.src.format, job.src.bigquery_uri) == ("bigquery", "bq://proj.dataset.requests")

    done = wait_until_ended(vertex_client, job.name or "")

    assert done.state == types.JobState.JOB_STATE_SUCCEEDED
    assert done.dest and done.dest.bigquery_uri == "bq://proj.results"
    assert done.output_info and done.output_info.bigquery_output_table
    assert done.output_info.bigquery_output_table.startswith("predictions_")


def test_job_is_found_by_its_bare_id(vertex_client: genai.Client) -> None:
    name = vertex_client.batches.create(model=MODEL, src="gs://bucket/in.jsonl").name or ""

    assert vertex_client.batches.get(name=name.rpartition("/")[2]).name == name


def test_cancel_stops_a_running_job(make_server: Callable[..., MockGemServer]) -> None:
    client = vertex_genai_client(make_server(batch_duration=3600))
    job = client.batches.create(model=MODEL, src="gs://bucket/in.jsonl")

    client.batches.cancel(name=job.name or "")
    cancelled = wait_until_ended(client, job.name or "")

    assert cancelled.state == types.JobState.JOB_STATE_CANCELLED and cancelled.end_time
    assert cancelled.error and cancelled.error.code == 1
    with pytest.raises(errors.ClientError) as caught:
        client.batches.cancel(name=job.name or "")
    assert (caught.value.code, caught.value.status) == (400, "FAILED_PRECONDITION")


def test_list_pages_newest_first(vertex_client: genai.Client) -> None:
    names = [vertex_client.batches.create(model=MODEL, src="gs://bucket/in.jsonl").name for _ in range(3)]

    listed = [job.name for job in vertex_client.batches.list(config=types.ListBatchJobsConfig(page_size=2))]

    assert listed == list(reversed(names))


def test_delete_answers_an_operation_and_removes_the_job(vertex_client: genai.Client) -> None:
    name = vertex_client.batches.create(model=MODEL, src="gs://bucket/in.jsonl").name or ""
    wait_until_ended(vertex_client, name)

    deleted = vertex_client.batches.delete(name=name)

    assert deleted.done is True and deleted.name and deleted.name.startswith(f"{PARENT}/operations/")
    with pytest.raises(errors.ClientError) as caught:
        vertex_client.batches.get(name=name)
    assert caught.value.code == 404


def test_delete_a_running_job_is_refused(make_server: Callable[..., MockGemServer]) -> None:
    client = vertex_genai_client(make_server(batch_duration=3600))
    name = client.batches.create(model=MODEL, src="gs://bucket/in.jsonl").name or ""

    with pytest.raises(errors.ClientError) as caught:
        client.batches.delete(name=name)

    assert (caught.value.code, caught.value.status) == (400, "FAILED_PRECONDITION")


def test_a_job_without_a_destination_is_refused(vertex_client: genai.Client) -> None:
    # The SDK makes up a destination only for a `.jsonl` or BigQuery source.
    with pytest.raises(errors.ClientError) as caught:
        vertex_client.batches.create(model=MODEL, src="gs://bucket/folder")

    assert (caught.value.code, caught.value.status) == (400, "INVALID_ARGUMENT")


def test_unknown_job_gets_the_vertex_not_found_envelope(server: MockGemServer) -> None:
    request = urllib.request.Request(
        f"{server.url}/v1beta1/{PARENT}/batchPredictionJobs/123", headers={"Authorization": "Bearer fake-token"}
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request)

    assert caught.value.code == 404
    assert json.loads(caught.value.read()) == {
        "error": {"code": 404, "message": "The BatchPredictionJob does not exist.", "status": "NOT_FOUND"}
    }


def test_reset_forgets_every_job(server: MockGemServer, vertex_client: genai.Client) -> None:
    name = vertex_client.batches.create(model=MODEL, src="gs://bucket/in.jsonl").name or ""

    urllib.request.urlopen(urllib.request.Request(f"{server.url}/_mockgem/reset", method="POST"))

    with pytest.raises(errors.ClientError) as caught:
        vertex_client.batches.get(name=name)
    assert caught.value.code == 404
