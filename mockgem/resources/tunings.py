"""Tuning: the Gemini API's tuned models (`tunedModels/...`) and Vertex AI's tuning jobs and models.

On the Gemini API a create answers an Operation (`tunedModels/{m}/operations/{o}`) and the tuned
model is CREATING until the operation is due, then ACTIVE. On Vertex AI a tuning job is
JOB_STATE_PENDING, then RUNNING, then SUCCEEDED with the `tunedModel` it made
(`projects/p/locations/l/models/{id}`); a cancel goes through CANCELLING to CANCELLED.
"""

from __future__ import annotations

import re

from mockgem._types import JSONDict
from mockgem.errors import ApiError, InvalidArgument, NotFound
from mockgem.protocol.casing import camel_keys
from mockgem.resources.ids import FILE_ID_LENGTH, new_id, new_vertex_id
from mockgem.resources.lifecycle import Phase, cancel, ended_at, phase, scheduled
from mockgem.resources.operations import OperationStore
from mockgem.resources.records import RecordStore, public
from mockgem.resources.state import StateStore
from mockgem.resources.timestamps import Clock, rfc3339

TUNED_MODELS, TUNING_JOBS, VERTEX_MODELS = "tunedModels", "tuningJobs", "vertexModels"
GEMINI_TYPE = "type.googleapis.com/google.ai.generativelanguage.v1beta."
JOB_STATES = {
    Phase.PENDING: "JOB_STATE_PENDING", Phase.RUNNING: "JOB_STATE_RUNNING", Phase.DONE: "JOB_STATE_SUCCEEDED",
    Phase.CANCELLING: "JOB_STATE_CANCELLING", Phase.CANCELLED: "JOB_STATE_CANCELLED",
}
TUNED_STATES = {Phase.DONE: "ACTIVE", Phase.CANCELLED: "FAILED"}  # any other phase: CREATING
DEFAULT_EPOCHS = 5
UPDATABLE = ("displayName", "description", "labels")


def tuned_model_not_found(name: str) -> NotFound:
    # UNVERIFIED: the wording, as the Gemini API words a missing model.
    return NotFound(f"{name} is not found.")


def job_not_found(name: str) -> NotFound:
    # UNVERIFIED: worded as Vertex AI's missing BatchPredictionJob.
    return NotFound(f"The TuningJob {name} does not exist.")


class TuningStore:
    def __init__(self, state: StateStore, *, clock: Clock, operations: OperationStore) -> None:
        self._tuned = RecordStore(state, TUNED_MODELS, tuned_model_not_found)
        self._jobs = RecordStore(state, TUNING_JOBS, job_not_found)
        self._models = RecordStore(state, VERTEX_MODELS, tuned_model_not_found)
        self._clock = clock
        self._operations = operations

    def create_tuned_model(self, body: JSONDict) -> JSONDict:
        """`POST tunedModels`: the Operation that makes the model."""
        fields = camel_keys(body)
        if not fields.get("baseModel"):
            # UNVERIFIED: the wording of a tuned model without a base model.
            raise InvalidArgument("tuned_model.base_model is required.")
        now = self._clock()
        display = str(fields.get("displayName") or "")
        slug = re.sub(r"[^a-z0-9]+", "-", display.lower()).strip("-")
        name = f"{TUNED_MODELS}/{slug + '-' if slug else ''}{new_id(FILE_ID_LENGTH)}"
        hyperparameters: JSONDict = (fields.get("tuningTask") or {}).get("hyperparameters") or {}
        task: JSONDict = {"startTime": rfc3339(now), "hyperparameters": hyperparameters}
        record: JSONDict = {"name": name, "baseModel": fields["baseModel"], "displayName": display}
        record |= {key: fields[key] for key in ("description", "temperature", "topP", "topK") if key in fields}
        record |= {"createTime": rfc3339(now), "updateTime": rfc3339(now), "tuningTask": task, **scheduled(now, self._operations.duration)}
        self._tuned.put(record)
        epochs = int(hyperparameters.get("epochCount") or DEFAULT_EPOCHS)
        metadata = {"@type": GEMINI_TYPE + "CreateTunedModelMetadata", "tunedModel": name, "totalSteps": epochs}
        done_view = self._tuned_view(record, Phase.DONE)
        return self._operations.start(f"{name}/operations/{new_id(FILE_ID_LENGTH)}", {"response": {"@type": GEMINI_TYPE + "TunedModel", **done_view}}, metadata=metadata)

    def tuned_model(self, name: str) -> JSONDict:
        record = self._tuned.get(_tuned_name(name))
        return self._tuned_view(record, phase(record, self._clock()))

    def tuned_models(self, page_size: int | None, page_token: str | None) -> JSONDict:
        now = self._clock()
        views = [self._tuned_view(record, phase(record, now)) for record in self._tuned.all()]
        return self._tuned.page(TUNED_MODELS, views, page_size, page_token)

    def update_tuned_model(self, name: str, body: JSONDict) -> JSONDict:
        record = self._tuned.get(_tuned_name(name))
        record |= {key: value for key, value in camel_keys(body).items() if key in UPDATABLE}
        record["updateTime"] = rfc3339(self._clock())
        return self._tuned_view(self._tuned.put(record), phase(record, self._clock()))

    def delete_tuned_model(self, name: str) -> None:
        self._tuned.remove(_tuned_name(name))

    def cancel_tuned_model(self, name: str) -> None:
        """Stops a model still CREATING; it ends FAILED. UNVERIFIED: the Gemini API documents no cancel."""
        record = self._tuned.get(_tuned_name(name))
        if cancel(record, self._clock()):
            self._tuned.put(record)

    def _tuned_view(self, record: JSONDict, current: Phase) -> JSONDict:
        view = public(record)
        view["state"] = TUNED_STATES.get(current, "CREATING")
        if current.ended:
            view["tuningTask"] = view["tuningTask"] | {"completeTime": rfc3339(ended_at(record))}
        return view

    def create_job(self, parent: str, body: JSONDict) -> JSONDict:
        """`POST {parent}/tuningJobs`: a Vertex AI tuning job, and the model it will make."""
        fields = camel_keys(body)
        if not fields.get("baseModel") and not fields.get("preTunedModel"):
            # UNVERIFIED: the wording of a job without a base model.
            raise InvalidArgument("TuningJob.base_model is required.")
        now = self._clock()
        model = f"{parent}/models/{new_vertex_id()}"
        record: JSONDict = {"name": f"{parent}/{TUNING_JOBS}/{new_vertex_id()}", **{k: v for k, v in fields.items() if k not in ("name", "state")}}
        record |= {"createTime": rfc3339(now), "updateTime": rfc3339(now), "_parent": parent, "_model": model}
        record |= {"_endpoint": f"{parent}/endpoints/{new_vertex_id()}", **scheduled(now, self._operations.duration)}
        self._jobs.put(record)
        display = str(fields.get("tunedModelDisplayName") or record["name"].rpartition("/")[2])
        self._models.put({"name": model, "displayName": display, "versionId": "1", "createTime": rfc3339(now), "updateTime": rfc3339(now), "_job": record["name"]})
        return self._job_view(record, Phase.PENDING)

    def job(self, name: str) -> JSONDict:
        record = self._jobs.get(name)
        return self._job_view(record, phase(record, self._clock()))

    def jobs(self, parent: str, page_size: int | None, page_token: str | None) -> JSONDict:
        now = self._clock()
        views = [self._job_view(r, phase(r, now)) for r in self._jobs.all(lambda r: r["_parent"] == parent)]
        return self._jobs.page(TUNING_JOBS, views, page_size, page_token)

    def cancel_job(self, name: str) -> None:
        record = self._jobs.get(name)
        if not cancel(record, self._clock()):
            state = JOB_STATES[phase(record, self._clock())]
            # UNVERIFIED: the wording, as Vertex AI refuses to cancel an ended batch prediction job.
            raise ApiError(f"TuningJob {name} is in state {state} and cannot be cancelled.", code=400, status="FAILED_PRECONDITION")
        self._jobs.put(record)

    def _job_view(self, record: JSONDict, current: Phase) -> JSONDict:
        view = public(record) | {"state": JOB_STATES[current]}
        if current is not Phase.PENDING:
            view["startTime"] = view["createTime"]
        if current.ended:
            view["endTime"] = view["updateTime"] = rfc3339(ended_at(record))
        if current is Phase.DONE:
            view["tunedModel"] = {"model": f"{record['_model']}@1", "endpoint": record["_endpoint"]}
        if current is Phase.CANCELLED:
            view["error"] = {"code": 1, "message": "CANCELED"}
        return view

    def vertex_model(self, name: str) -> JSONDict:
        """A Vertex AI model a tuning job made; it exists once the job has succeeded."""
        record = self._models.get(name.partition("@")[0])
        job = self._jobs.find(record["_job"])
        if job is not None and phase(job, self._clock()) is not Phase.DONE:
            raise tuned_model_not_found(record["name"])
        return public(record)

    def update_vertex_model(self, name: str, body: JSONDict) -> JSONDict:
        self.vertex_model(name)
        record = self._models.get(name.partition("@")[0])
        record |= {key: value for key, value in camel_keys(body).items() if key in UPDATABLE}
        record["updateTime"] = rfc3339(self._clock())
        return public(self._models.put(record))

    def delete_vertex_model(self, name: str, *, parent: str, version: str) -> JSONDict:
        """Removes the model and answers the delete Operation, done at once (as Vertex AI deletes)."""
        self.vertex_model(name)
        self._models.remove(name.partition("@")[0])
        now = rfc3339(self._clock())
        metadata = {"@type": f"type.googleapis.com/google.cloud.aiplatform.{version}.DeleteOperationMetadata", "genericMetadata": {"createTime": now, "updateTime": now}}
        operation = f"{parent}/operations/{new_vertex_id()}"
        self._operations.start(operation, {"response": {"@type": "type.googleapis.com/google.protobuf.Empty"}}, metadata=metadata, duration=0.0)
        return {"name": operation, "metadata": metadata, "done": True, "response": {"@type": "type.googleapis.com/google.protobuf.Empty"}}


def _tuned_name(name: str) -> str:
    return f"{TUNED_MODELS}/{name.removeprefix(TUNED_MODELS + '/')}"
