"""google-genai `client.tunings` and tuned-model `models.update` / `models.delete`, Gemini API and Vertex AI."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from google import genai
from google.genai import errors, types

from mockgem import MockGemServer
from tests.clients.conftest import genai_client, vertex_genai_client

DATASET = types.TuningDataset(examples=[types.TuningExample(text_input="2+2", output="4")])
CONFIG = types.CreateTuningJobConfig(tuned_model_display_name="Math tutor", epoch_count=2)


def test_gemini_tune_makes_a_tuned_model_that_becomes_active(make_server: Callable[..., MockGemServer]) -> None:
    client = genai_client(make_server())
    job = client.tunings.tune(base_model="models/gemini-1.5-flash-001-tuning", training_dataset=DATASET, config=CONFIG)
    assert (job.name or "").startswith("tunedModels/math-tutor-") and job.state == types.JobState.JOB_STATE_QUEUED
    tuned = client.tunings.get(name=job.name or "")
    assert tuned.state == types.JobState.JOB_STATE_SUCCEEDED and tuned.tuned_model and tuned.tuned_model.model == job.name
    assert tuned.base_model == "models/gemini-1.5-flash-001-tuning" and tuned.end_time


def test_gemini_tuned_model_is_running_for_the_operation_duration_and_cancels(make_server: Callable[..., MockGemServer]) -> None:
    client = genai_client(make_server(operation_duration=3600))
    job = client.tunings.tune(base_model="models/gemini-1.5-flash-001-tuning", training_dataset=DATASET, config=CONFIG)
    assert client.tunings.get(name=job.name or "").state == types.JobState.JOB_STATE_RUNNING
    client.tunings.cancel(name=job.name or "")
    assert client.tunings.get(name=job.name or "").state == types.JobState.JOB_STATE_FAILED


def test_gemini_tuned_model_updates_lists_and_deletes(make_server: Callable[..., MockGemServer]) -> None:
    client = genai_client(make_server())
    name = client.tunings.tune(base_model="models/gemini-1.5-flash-001-tuning", training_dataset=DATASET, config=CONFIG).name or ""
    updated = client.models.update(model=name, config=types.UpdateModelConfig(display_name="Renamed", description="tuned"))
    assert (updated.name, updated.display_name, updated.description) == (name, "Renamed", "tuned")
    assert [model.name for model in client.models.list(config={"query_base": False})] == [name]
    assert client.models.get(model=name).display_name == "Renamed"
    client.models.delete(model=name)
    with pytest.raises(errors.ClientError) as raised:
        client.models.get(model=name)
    assert raised.value.code == 404


def test_vertex_tuning_job_runs_to_a_tuned_model_and_endpoint(make_server: Callable[..., MockGemServer]) -> None:
    client = vertex_genai_client(make_server())
    job = client.tunings.tune(base_model="gemini-2.5-flash", training_dataset=types.TuningDataset(gcs_uri="gs://bucket/train.jsonl"), config=CONFIG)
    assert (job.name or "").startswith("projects/test-project/locations/us-central1/tuningJobs/") and job.state == types.JobState.JOB_STATE_PENDING
    done = client.tunings.get(name=job.name or "")
    assert done.state == types.JobState.JOB_STATE_SUCCEEDED and done.tuned_model and (done.tuned_model.model or "").endswith("@1")
    assert done.tuned_model_display_name == "Math tutor" and [listed.name for listed in client.tunings.list()] == [job.name]
    model = client.models.update(model=done.tuned_model.model or "", config=types.UpdateModelConfig(display_name="Tutor v2"))
    assert model.display_name == "Tutor v2"
    client.models.delete(model=done.tuned_model.model or "")
    with pytest.raises(errors.ClientError):
        client.models.update(model=done.tuned_model.model or "", config=types.UpdateModelConfig(display_name="gone"))


def test_vertex_tuning_job_cancels_and_an_ended_one_refuses(make_server: Callable[..., MockGemServer]) -> None:
    client = vertex_genai_client(make_server(operation_duration=3600))
    job = client.tunings.tune(base_model="gemini-2.5-flash", training_dataset=types.TuningDataset(gcs_uri="gs://bucket/train.jsonl"), config=CONFIG)
    client.tunings.cancel(name=job.name or "")
    cancelled = client.tunings.get(name=job.name or "")
    assert cancelled.state == types.JobState.JOB_STATE_CANCELLED and cancelled.error and cancelled.error.code == 1
    with pytest.raises(errors.ClientError) as raised:
        client.tunings.cancel(name=job.name or "")
    assert raised.value.status == "FAILED_PRECONDITION"
