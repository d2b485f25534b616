from __future__ import annotations

import re
from pathlib import Path

import pytest

from mockgem._types import JSONDict
from mockgem.errors import ApiError, InvalidArgument, NotFound
from mockgem.resources.prediction_jobs import PredictionJobStore
from mockgem.resources.state import DiskState, MemoryState

from .conftest import FakeClock

PARENT = "projects/p/locations/us-central1"
GCS_INPUT = {"instancesFormat": "jsonl", "gcsSource": {"uris": ["gs://b/in.jsonl"]}}
GCS_OUTPUT = {"predictionsFormat": "jsonl", "gcsDestination": {"outputUriPrefix": "gs://b/out"}}
CREATED = "2027-01-15T08:00:00.000000Z"


def job_body(**fields: object) -> JSONDict:
    body: JSONDict = {
        "displayName": "job",
        "model": "publishers/google/models/gemini-2.5-flash",
        "inputConfig": GCS_INPUT,
        "outputConfig": GCS_OUTPUT,
    }
    return {key: value for key, value in (body | fields).items() if value is not None}


@pytest.fixture
def jobs(state: MemoryState, clock: FakeClock) -> PredictionJobStore:
    return PredictionJobStore(state, clock=clock, duration=10)


def test_create_returns_a_pending_job(jobs: PredictionJobStore) -> None:
    job = jobs.create(PARENT, job_body(labels={"team_name": "a"}))

    assert re.fullmatch(rf"{PARENT}/batchPredictionJobs/[1-9][0-9]{{18}}", job["name"])
    assert job == {
        "name": job["name"],
        "displayName": "job",
        "model": "publishers/google/models/gemini-2.5-flash",
        "inputConfig": GCS_INPUT,
        "outputConfig": GCS_OUTPUT,
        "state": "JOB_STATE_PENDING",
        "createTime": CREATED,
        "updateTime": CREATED,
        "labels": {"team_name": "a"},
    }


def test_create_reads_snake_case_fields(jobs: PredictionJobStore) -> None:
    body = {
        "display_name": "snake",
        "model": "publishers/google/models/gemini-2.5-flash",
        "input_config": {"instances_format": "bigquery", "bigquery_source": {"input_uri": "bq://p.d.t"}},
        "output_config": {"predictions_format": "bigquery", "bigquery_destination": {"output_uri": "bq://p.d"}},
    }

    job = jobs.create(PARENT, body)

    assert job["displayName"] == "snake"
    assert job["inputConfig"] == {"instancesFormat": "bigquery", "bigquerySource": {"inputUri": "bq://p.d.t"}}


@pytest.mark.parametrize(
    ("model", "named"),
    [
        ("publishers/google/models/gemini-2.5-flash", "publishers/google/models/gemini-2.5-flash"),
        (f"{PARENT}/publishers/google/models/gemini-2.5-pro", f"{PARENT}/publishers/google/models/gemini-2.5-pro"),
        (f"{PARENT}/models/123", f"{PARENT}/models/123"),
        ("gemini-2.5-flash", "publishers/google/models/gemini-2.5-flash"),
        ("models/gemini-2.5-flash", "publishers/google/models/gemini-2.5-flash"),
    ],
)
def test_create_names_the_model_as_a_path(jobs: PredictionJobStore, model: str, named: str) -> None:
    assert jobs.create(PARENT, job_body(model=model))["model"] == named


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"displayName": None}, "display_name is required"),
        ({"model": None}, "model is required"),
        ({"inputConfig": None}, "input_config must set exactly one"),
        ({"inputConfig": {"instancesFormat": "jsonl"}}, "input_config must set exactly one"),
        ({"inputConfig": GCS_INPUT | {"bigquerySource": {"inputUri": "bq://p.d.t"}}}, "input_config must set exactly one"),
        ({"outputConfig": None}, "output_config must set exactly one"),
        ({"outputConfig": {"predictionsFormat": "jsonl"}}, "output_config must set exactly one"),
    ],
)
def test_create_without_a_required_field_is_refused(
    jobs: PredictionJobStore, fields: JSONDict, message: str
) -> None:
    with pytest.raises(InvalidArgument, match=message):
        jobs.create(PARENT, job_body(**fields))


def test_get_runs_then_succeeds_with_the_output_directory(jobs: PredictionJobStore, clock: FakeClock) -> None:
    name = jobs.create(PARENT, job_body())["name"]
    clock.advance(1)
    running = jobs.get(name)
    clock.advance(9)

    done = jobs.get(name)

    assert (running["state"], running["startTime"]) == ("JOB_STATE_RUNNING", "2027-01-15T08:00:01.000000Z")
    assert "outputInfo" not in running and "endTime" not in running
    assert done["state"] == "JOB_STATE_SUCCEEDED"
    assert done["outputInfo"] == {"gcsOutputDirectory": f"gs://b/out/prediction-model-{CREATED}"}
    assert done["completionStats"] == {}
    assert (done["startTime"], done["endTime"]) == ("2027-01-15T08:00:01.000000Z", "2027-01-15T08:00:10.000000Z")
    assert done["updateTime"] == done["endTime"]


def test_zero_duration_succeeds_on_the_first_get(state: MemoryState, clock: FakeClock) -> None:
    jobs = PredictionJobStore(state, clock=clock)
    name = jobs.create(PARENT, job_body())["name"]

    done = jobs.get(name)

    assert done["state"] == "JOB_STATE_SUCCEEDED" and done["startTime"] == done["endTime"] == CREATED


@pytest.mark.parametrize(
    ("output_config", "info"),
    [
        ({"gcsDestination": {"outputUriPrefix": "gs://b/out/"}}, {"gcsOutputDirectory": f"gs://b/out/prediction-model-{CREATED}"}),
        (
            {"bigqueryDestination": {"outputUri": "bq://p.d"}},
            {"bigqueryOutputDataset": "bq://p.d", "bigqueryOutputTable": "predictions_2027_01_15T08_00_00_000000Z"},
        ),
        ({"bigqueryDestination": {"outputUri": "bq://p.d.t"}}, {"bigqueryOutputDataset": "bq://p.d", "bigqueryOutputTable": "t"}),
    ],
)
def test_output_info_names_where_results_would_be(
    jobs: PredictionJobStore, clock: FakeClock, output_config: JSONDict, info: JSONDict
) -> None:
    name = jobs.create(PARENT, job_body(outputConfig=output_config))["name"]
    clock.advance(10)

    assert jobs.get(name)["outputInfo"] == info


def test_output_info_of_a_dataset_destination_names_a_new_dataset(jobs: PredictionJobStore, clock: FakeClock) -> None:
    body = job_body(
        inputConfig={"vertexMultimodalDatasetSource": {"datasetName": f"{PARENT}/datasets/1"}},
        outputConfig={"vertexMultimodalDatasetDestination": {"bigqueryDestination": {"outputUri": "bq://p.d"}}},
    )
    name = jobs.create(PARENT, body)["name"]
    clock.advance(10)

    assert re.fullmatch(rf"{PARENT}/datasets/\d{{19}}", jobs.get(name)["outputInfo"]["vertexMultimodalDatasetName"])


def test_cancel_goes_through_cancelling_to_cancelled(jobs: PredictionJobStore, clock: FakeClock) -> None:
    name = jobs.create(PARENT, job_body())["name"]
    clock.advance(1)
    jobs.cancel(name)
    cancelling = jobs.get(name)
    jobs.cancel(name)
    clock.advance(1)

    cancelled = jobs.get(name)
    clock.advance(60)

    assert cancelling["state"] == "JOB_STATE_CANCELLING" and "endTime" not in cancelling
    assert cancelled["state"] == "JOB_STATE_CANCELLED"
    assert cancelled["error"] == {"code": 1, "message": "CANCELED"}
    assert cancelled["endTime"] == "2027-01-15T08:00:02.000000Z" and "outputInfo" not in cancelled
    assert jobs.get(name) == cancelled


def test_cancel_an_ended_job_is_a_failed_precondition(jobs: PredictionJobStore, clock: FakeClock) -> None:
    name = jobs.create(PARENT, job_body())["name"]
    clock.advance(10)

    with pytest.raises(ApiError) as caught:
        jobs.cancel(name)

    assert (caught.value.code, caught.value.status) == (400, "FAILED_PRECONDITION")
    assert "JOB_STATE_SUCCEEDED" in caught.value.message


def test_delete_a_running_job_is_a_failed_precondition(jobs: PredictionJobStore, clock: FakeClock) -> None:
    name = jobs.create(PARENT, job_body())["name"]
    clock.advance(1)

    with pytest.raises(ApiError) as caught:
        jobs.delete(name)

    assert (caught.value.code, caught.value.status) == (400, "FAILED_PRECONDITION")
    assert jobs.get(name)["state"] == "JOB_STATE_RUNNING"


def test_delete_an_ended_job_answers_a_done_operation(jobs: PredictionJobStore, clock: FakeClock) -> None:
    name = jobs.create(PARENT, job_body())["name"]
    clock.advance(10)

    operation = jobs.delete(name, version="v1")

    assert re.fullmatch(rf"{PARENT}/operations/\d{{19}}", operation["name"])
    assert operation["metadata"] == {
        "@type": "type.googleapis.com/google.cloud.aiplatform.v1.DeleteOperationMetadata",
        "genericMetadata": {"createTime": "2027-01-15T08:00:10.000000Z", "updateTime": "2027-01-15T08:00:10.000000Z"},
    }
    assert operation["done"] is True
    with pytest.raises(NotFound):
        jobs.get(name)


@pytest.mark.parametrize("call", ["get", "cancel", "delete"])
def test_unknown_job_is_not_found(jobs: PredictionJobStore, call: str) -> None:
    with pytest.raises(NotFound, match="The BatchPredictionJob does not exist."):
        getattr(jobs, call)(f"{PARENT}/batchPredictionJobs/123")


def test_a_job_is_not_found_under_another_location(jobs: PredictionJobStore) -> None:
    job_id = jobs.create(PARENT, job_body())["name"].rpartition("/")[2]

    with pytest.raises(NotFound):
        jobs.get(f"projects/p/locations/europe-west4/batchPredictionJobs/{job_id}")


def test_list_pages_newest_first_under_its_parent(jobs: PredictionJobStore, clock: FakeClock) -> None:
    names = []
    for _ in range(3):
        names.append(jobs.create(PARENT, job_body())["name"])
        clock.advance(1)
    jobs.create("projects/p/locations/europe-west4", job_body())

    first = jobs.list(PARENT, page_size=2)
    second = jobs.list(PARENT, page_size=2, page_token=first["nextPageToken"])

    assert [job["name"] for job in first["batchPredictionJobs"]] == names[:0:-1]
    assert [job["name"] for job in second["batchPredictionJobs"]] == names[:1]
    assert "nextPageToken" not in second
    assert first["batchPredictionJobs"][0]["state"] == "JOB_STATE_RUNNING"


def test_list_empty_is_an_empty_object(jobs: PredictionJobStore) -> None:
    assert jobs.list(PARENT) == {}


def test_jobs_survive_a_restart_on_disk(tmp_path: Path, clock: FakeClock) -> None:
    first = DiskState(tmp_path)
    name = PredictionJobStore(first, clock=clock).create(PARENT, job_body())["name"]
    first.close()
    second = DiskState(tmp_path)

    assert PredictionJobStore(second, clock=clock).get(name)["state"] == "JOB_STATE_SUCCEEDED"
    second.reset()
    with pytest.raises(NotFound):
        PredictionJobStore(second, clock=clock).get(name)
    second.close()
