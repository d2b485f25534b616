"""Vertex AI batch prediction jobs: `projects/{p}/locations/{l}/batchPredictionJobs/{id}`.

Time advances lazily, as for the Gemini API's batches: a job is JOB_STATE_PENDING when created,
JOB_STATE_RUNNING on any later read, and JOB_STATE_SUCCEEDED once `duration` seconds have passed.
A cancel makes it JOB_STATE_CANCELLING, and the next later read JOB_STATE_CANCELLED.

mockgem cannot read a Cloud Storage or BigQuery input, nor write to one: a job answers no request.
It ends with an `outputInfo` that names where the real service would have written its results.
"""

from __future__ import annotations

import re

from mockgem._types import JSONDict
from mockgem.errors import ApiError, InvalidArgument, NotFound
from mockgem.protocol.casing import camel_keys
from mockgem.resources.ids import new_vertex_id
from mockgem.resources.paging import page
from mockgem.resources.state import StateStore
from mockgem.resources.timestamps import Clock, rfc3339

PREDICTION_JOBS = "batchPredictionJobs"
TERMINAL = frozenset({"JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED"})
SOURCES = ("gcsSource", "bigquerySource", "vertexMultimodalDatasetSource")
DESTINATIONS = ("gcsDestination", "bigqueryDestination", "vertexMultimodalDatasetDestination")
# The order the real service writes a job's fields in.
PUBLIC_FIELDS = (
    "name", "displayName", "model", "inputConfig", "outputConfig", "outputInfo", "state", "error",
    "completionStats", "createTime", "startTime", "endTime", "updateTime", "labels",
)
# UNVERIFIED: the status Vertex AI puts in `error` of a cancelled job (google.rpc.Code 1, CANCELLED).
CANCELLED_ERROR: JSONDict = {"code": 1, "message": "CANCELED"}
_BIGQUERY_TABLE = re.compile(r"^(?P<dataset>bq://[^.]+\.[^.]+)(?:\.(?P<table>[^.]+))?$")


def job_not_found() -> NotFound:
    # As public Vertex AI client tests quote it; the exact wording is UNVERIFIED.
    return NotFound("The BatchPredictionJob does not exist.")


def failed_precondition(message: str) -> ApiError:
    return ApiError(message, code=400, status="FAILED_PRECONDITION")


class PredictionJobStore:
    def __init__(self, state: StateStore, *, clock: Clock, duration: float = 0.0) -> None:
        self._state = state
        self._clock = clock
        self._duration = duration

    def create(self, parent: str, body: JSONDict) -> JSONDict:
        """`POST {parent}/batchPredictionJobs`, `parent` being `projects/{p}/locations/{l}`."""
        fields = camel_keys(body)
        _check_job(fields)
        now = self._clock()
        record: JSONDict = {
            "name": f"{parent}/{PREDICTION_JOBS}/{new_vertex_id()}",
            "displayName": fields["displayName"],
            "model": _model_name(str(fields["model"])),
            "inputConfig": fields["inputConfig"],
            "outputConfig": fields["outputConfig"],
            "state": "JOB_STATE_PENDING",
            "createTime": rfc3339(now),
            "updateTime": rfc3339(now),
            "_parent": parent,
            "_createdAt": now,
            "_dueAt": now + self._duration,
        }
        if fields.get("labels"):
            record["labels"] = fields["labels"]
        self._state.put(PREDICTION_JOBS, record["name"], record)
        return _public(record)

    def get(self, name: str) -> JSONDict:
        return _public(self._advanced(self._record(name)))

    def list(self, parent: str, page_size: int | None = None, page_token: str | None = None) -> JSONDict:
        """The jobs under `parent`, newest first, under the key `batchPredictionJobs`."""
        here = [record for record in self._state.records(PREDICTION_JOBS) if record["_parent"] == parent]
        newest_first = sorted(here, key=lambda r: (r["_createdAt"], r["name"]), reverse=True)
        jobs, next_token = page(newest_first, page_size, page_token)
        body: JSONDict = {}
        if jobs:
            body[PREDICTION_JOBS] = [_public(self._advanced(record)) for record in jobs]
        if next_token:
            body["nextPageToken"] = next_token
        return body

    def cancel(self, name: str) -> None:
        """Starts the cancellation of a job that has not ended; a second cancel changes nothing."""
        record = self._advanced(self._record(name))
        if record["state"] in TERMINAL:
            # UNVERIFIED: the wording of the refusal to cancel a job that has ended.
            raise failed_precondition(
                f"BatchPredictionJob {record['name']} is in state {record['state']} and cannot be cancelled."
            )
        if record["state"] != "JOB_STATE_CANCELLING":
            now = self._clock()
            record |= {"state": "JOB_STATE_CANCELLING", "updateTime": rfc3339(now), "_cancelledAt": now}
            self._state.put(PREDICTION_JOBS, record["name"], record)

    def delete(self, name: str, *, version: str = "v1beta1") -> JSONDict:
        """Removes an ended job and answers the delete operation, as Vertex AI does."""
        record = self._advanced(self._record(name))
        if record["state"] not in TERMINAL:
            # Documented: "Can only be called on jobs that already finished"; the wording is UNVERIFIED.
            raise failed_precondition(
                f"BatchPredictionJob {record['name']} is in state {record['state']}. "
                "Only a job that has finished can be deleted."
            )
        self._state.remove(PREDICTION_JOBS, record["name"])
        return self._delete_operation(record["_parent"], version)

    def _delete_operation(self, parent: str, version: str) -> JSONDict:
        now = rfc3339(self._clock())
        prefix = f"type.googleapis.com/google.cloud.aiplatform.{version}."
        metadata = {"@type": prefix + "DeleteOperationMetadata", "genericMetadata": {"createTime": now, "updateTime": now}}
        # UNVERIFIED: whether the first answer already says `done`; deleting a record is immediate here.
        return {
            "name": f"{parent}/operations/{new_vertex_id()}",
            "metadata": metadata,
            "done": True,
            "response": {"@type": "type.googleapis.com/google.protobuf.Empty"},
        }

    def _record(self, name: str) -> JSONDict:
        record = self._state.get(PREDICTION_JOBS, name)
        if record is None:
            raise job_not_found()
        return record

    def _advanced(self, record: JSONDict) -> JSONDict:
        """`record` moved along to where the clock says it is now (and stored when it moved)."""
        if record["state"] in TERMINAL:
            return record
        now = self._clock()
        if record["state"] == "JOB_STATE_CANCELLING":
            if now > record["_cancelledAt"]:
                record |= {"state": "JOB_STATE_CANCELLED", "error": dict(CANCELLED_ERROR)}
                record |= {"endTime": rfc3339(now), "updateTime": rfc3339(now)}
        elif now >= record["_dueAt"]:
            self._succeed(record, now)
        elif now > record["_createdAt"] and record["state"] == "JOB_STATE_PENDING":
            record |= {"state": "JOB_STATE_RUNNING", "startTime": rfc3339(now), "updateTime": rfc3339(now)}
        self._state.put(PREDICTION_JOBS, record["name"], record)
        return record

    def _succeed(self, record: JSONDict, now: float) -> None:
        record.setdefault("startTime", rfc3339(now))
        record |= {"state": "JOB_STATE_SUCCEEDED", "outputInfo": _output_info(record)}
        # No request was answered (see the module docstring): every count is 0, which proto3 JSON omits.
        record |= {"completionStats": {}, "endTime": rfc3339(now), "updateTime": rfc3339(now)}


def _check_job(fields: JSONDict) -> None:
    """The required fields of a BatchPredictionJob, as Vertex AI asks them."""
    # UNVERIFIED: the wording of each refusal below.
    if not fields.get("displayName"):
        raise InvalidArgument("BatchPredictionJob.display_name is required.")
    if not isinstance(fields.get("model"), str) or not fields["model"]:
        raise InvalidArgument("BatchPredictionJob.model is required.")
    input_config, output_config = fields.get("inputConfig"), fields.get("outputConfig")
    if not isinstance(input_config, dict) or _count_set(input_config, SOURCES) != 1:
        raise InvalidArgument(
            "BatchPredictionJob.input_config must set exactly one of gcs_source, bigquery_source "
            "or vertex_multimodal_dataset_source."
        )
    if not isinstance(output_config, dict) or _count_set(output_config, DESTINATIONS) != 1:
        raise InvalidArgument(
            "BatchPredictionJob.output_config must set exactly one of gcs_destination, "
            "bigquery_destination or vertex_multimodal_dataset_destination."
        )


def _count_set(config: JSONDict, keys: tuple[str, ...]) -> int:
    return sum(1 for key in keys if config.get(key))


def _model_name(model: str) -> str:
    """The model as the job names it: a publisher or project path is kept as sent."""
    if model.startswith(("publishers/", "projects/")):
        return model
    # UNVERIFIED: Vertex AI may refuse a bare model id; the SDK always sends a publisher path.
    return f"publishers/google/models/{model.rpartition('/')[2]}"


def _output_info(record: JSONDict) -> JSONDict:
    """Where the real service writes the results: a new directory, table or dataset."""
    output: JSONDict = record["outputConfig"]
    created = record["createTime"]
    if gcs := output.get("gcsDestination"):
        return {"gcsOutputDirectory": f"{str(gcs.get('outputUriPrefix', '')).rstrip('/')}/prediction-model-{created}"}
    if bigquery := output.get("bigqueryDestination"):
        return _bigquery_output(str(bigquery.get("outputUri", "")), created)
    return {"vertexMultimodalDatasetName": f"{record['_parent']}/datasets/{new_vertex_id()}"}


def _bigquery_output(uri: str, created: str) -> JSONDict:
    """`bq://project.dataset` gets a new `predictions_<timestamp>` table; a named table is used as is."""
    found = _BIGQUERY_TABLE.match(uri)
    if found is None:
        return {"bigqueryOutputDataset": uri}
    # UNVERIFIED: the exact timestamp form in the name of the created table.
    table = found["table"] or "predictions_" + re.sub(r"[^0-9A-Za-z]", "_", created)
    return {"bigqueryOutputDataset": found["dataset"], "bigqueryOutputTable": table}


def _public(record: JSONDict) -> JSONDict:
    return {key: record[key] for key in PUBLIC_FIELDS if key in record}
