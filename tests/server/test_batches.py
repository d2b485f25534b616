"""batchGenerateContent over HTTP: malformed bodies and unknown models get the real 4xx."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from mockgem import Config, create_app

KEY = {"x-goog-api-key": "k"}
HELLO = {"request": {"contents": [{"parts": [{"text": "hi"}]}]}}


def create_path(model: str) -> str:
    return f"/v1beta/models/{model}:batchGenerateContent"


@pytest.fixture
async def http(aiohttp_client: Any) -> TestClient:
    return await aiohttp_client(create_app(Config(api_keys=())))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"batch": "x"}, "Invalid value at 'batch': \"x\""),
        ({"batch": {"inputConfig": "x"}}, "Invalid value at 'batch.input_config': \"x\""),
        ({"batch": {"inputConfig": {"requests": "x"}}}, "Invalid value at 'batch.input_config.requests': \"x\""),
        ({"batch": {"inputConfig": {"requests": {"requests": ["x"]}}}}, "Invalid value at 'batch.input_config.requests.requests[0]': \"x\""),
        (
            {"batch": {"inputConfig": {"requests": {"requests": [{"request": {"contents": "x"}}]}}}},
            "Invalid value at 'batch.input_config.requests.requests[0].request.contents': \"x\"",
        ),
        ({"batch": {"inputConfig": {"fileName": 5}}}, "Invalid value at 'batch.input_config.file_name' (TYPE_STRING), 5"),
        ({"batch": None}, "Batch input_config must have requests or a file_name."),
        ({"inputConfig": {}}, 'Unknown name "inputConfig": Cannot find field.'),
    ],
)
async def test_create_with_a_malformed_batch_is_invalid_argument(http: TestClient, body: Any, message: str) -> None:
    response = await http.post(create_path("gemini-2.5-flash"), json=body, headers=KEY)
    assert response.status == 400
    error = (await response.json())["error"]
    assert error["status"] == "INVALID_ARGUMENT" and message in error["message"]


@pytest.mark.parametrize("model", ["nope-9", "gemini-1.0-pro", "gemini-embedding-001"])
async def test_create_for_a_model_without_batches_is_not_found(http: TestClient, model: str) -> None:
    body = {"batch": {"inputConfig": {"requests": {"requests": [HELLO]}}}}
    response = await http.post(create_path(model), json=body, headers=KEY)
    assert response.status == 404
    error = (await response.json())["error"]
    assert error["message"] == (
        f"models/{model} is not found for API version v1beta, or is not supported for batchGenerateContent. "
        "Call ListModels to see the list of available models and their supported methods."
    )


async def test_create_for_a_listed_model_still_succeeds(http: TestClient) -> None:
    body = {"batch": {"inputConfig": {"requests": {"requests": [HELLO]}}}}
    response = await http.post(create_path("gemini-2.5-flash"), json=body, headers=KEY)
    assert response.status == 200 and (await response.json())["name"].startswith("batches/")
