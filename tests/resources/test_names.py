from __future__ import annotations

from typing import Any

import pytest

from mockgem.resources.names import NameMap

RECORDED_UPLOAD = {
    "file": {
        "name": "files/mwp1gi5it47f",
        "mimeType": "application/pdf",
        "uri": "https://generativelanguage.googleapis.com/v1beta/files/mwp1gi5it47f",
    }
}
LIVE_UPLOAD = {
    "file": {
        "name": "files/abc123",
        "mimeType": "application/pdf",
        "uri": "http://127.0.0.1:8080/v1beta/files/abc123",
    }
}


@pytest.fixture
def names() -> NameMap:
    learned = NameMap()
    learned.learn_from(RECORDED_UPLOAD, LIVE_UPLOAD)
    return learned


def test_learn_from_pairs_names_found_at_the_same_place(names: NameMap) -> None:
    assert names.live_name("files/mwp1gi5it47f") == "files/abc123"
    assert names.recorded_name("files/abc123") == "files/mwp1gi5it47f"


def test_to_recorded_rewrites_a_live_request_for_lookup(names: NameMap) -> None:
    request = {
        "contents": [
            {"parts": [{"file_data": {"file_uri": "http://127.0.0.1:8080/v1beta/files/abc123"}}]}
        ]
    }

    rewritten = names.to_recorded(request)

    uri = rewritten["contents"][0]["parts"][0]["file_data"]["file_uri"]
    assert uri == "https://generativelanguage.googleapis.com/v1beta/files/mwp1gi5it47f"


def test_to_recorded_maps_only_the_name_of_a_uri_never_learned_whole(names: NameMap) -> None:
    assert names.to_recorded("http://other:1/v1/files/abc123") == "http://other:1/v1/files/mwp1gi5it47f"
    assert names.to_live({"fileUri": LIVE_UPLOAD["file"]["uri"]}) == {"fileUri": LIVE_UPLOAD["file"]["uri"]}


def test_is_empty_until_a_pair_is_learned() -> None:
    names = NameMap()
    assert not names
    names.learn("files/a", "files/b")
    assert names


def test_to_live_rewrites_recorded_text_and_json(names: NameMap) -> None:
    text = '{"name": "files/mwp1gi5it47f", "other": "files/mwp1gi5it47fx"}'

    assert names.to_live(text) == '{"name": "files/abc123", "other": "files/mwp1gi5it47fx"}'
    assert names.to_live({"n": ["files/mwp1gi5it47f", 3]}) == {"n": ["files/abc123", 3]}


@pytest.mark.parametrize(
    ("recorded", "live", "probe", "expected"),
    [
        ("cachedContents/rec", "cachedContents/live", "cachedContents/rec", "cachedContents/live"),
        (
            "batches/rec",
            "batches/live",
            "GET /v1beta/batches/rec:cancel",
            "GET /v1beta/batches/live:cancel",
        ),
        (
            "projects/1/locations/us/cachedContents/111",
            "projects/p/locations/us/cachedContents/222",
            "projects/1/locations/us/cachedContents/111",
            "projects/1/locations/us/cachedContents/222",
        ),
        (
            "files/batch-rec",
            "files/batch-live",
            "files/batch-rec:download",
            "files/batch-live:download",
        ),
    ],
)
def test_learn_then_to_live(recorded: str, live: str, probe: str, expected: str) -> None:
    names = NameMap()
    names.learn(recorded, live)

    assert names.to_live(probe) == expected


@pytest.mark.parametrize(
    ("recorded", "live"),
    [
        ({"name": "files/a"}, {"name": "files/a"}),  # the same name: nothing to map
        ({"text": "see files/a and files/b"}, {"text": "see files/c and files/d"}),  # not one name
        ({"name": "models/x"}, {"name": "models/y"}),  # not a stateful resource
        ({"a": 1}, {"a": "files/x"}),
    ],
)
def test_learn_from_ignores_what_is_not_a_pair_of_names(recorded: Any, live: Any) -> None:
    names = NameMap()
    names.learn_from(recorded, live)

    assert names.to_live(recorded) == recorded


def test_reset_forgets_everything(names: NameMap) -> None:
    names.reset()

    assert names.live_name("files/mwp1gi5it47f") is None
    assert names.to_live("files/mwp1gi5it47f") == "files/mwp1gi5it47f"


def test_vertex_prediction_job_names_are_mapped_inside_their_paths() -> None:
    names = NameMap()
    names.learn("projects/p/locations/l/batchPredictionJobs/111", "projects/p/locations/l/batchPredictionJobs/222")
    assert names.to_recorded({"name": "projects/p/locations/l/batchPredictionJobs/222"}) == {"name": "projects/p/locations/l/batchPredictionJobs/111"}


def test_a_bare_id_in_a_message_is_mapped_too() -> None:
    names = NameMap()
    names.learn("files/odo2vuanhhwh", "files/k3j9x0q2m1ab")
    message = "You do not have permission to access the File odo2vuanhhwh or it may not exist."
    assert names.to_live({"error": {"message": message}}) == {"error": {"message": message.replace("odo2vuanhhwh", "k3j9x0q2m1ab")}}
    assert names.to_live("files/odo2vuanhhwh and odo2vuanhhwhx") == "files/k3j9x0q2m1ab and odo2vuanhhwhx"
    names.reset()
    assert names.to_live(message) == message
