"""cachedContents create over HTTP: malformed bodies and unknown models get the real 4xx."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from mockgem import Config, create_app

NATIVE = ("/v1beta/cachedContents", {"x-goog-api-key": "k"})
VERTEX = ("/v1/projects/p/locations/us-central1/cachedContents", {"Authorization": "Bearer t"})
LONG = [{"role": "user", "parts": [{"text": "word " * 2000}]}]


@pytest.fixture
async def http(aiohttp_client: Any) -> TestClient:
    return await aiohttp_client(create_app(Config(api_keys=())))


async def post_error(http: TestClient, where: tuple[str, dict[str, str]], body: Any, status: int) -> dict[str, Any]:
    path, headers = where
    response = await http.post(path, json=body, headers=headers)
    assert response.status == status
    error: dict[str, Any] = (await response.json())["error"]
    assert error["code"] == status
    return error


@pytest.mark.parametrize("where", [NATIVE, VERTEX], ids=["native", "vertex"])
@pytest.mark.parametrize(
    ("contents", "message"),
    [
        ("x", "Invalid value at 'cached_content.contents': \"x\""),
        (["x"], "Invalid value at 'cached_content.contents[0]': \"x\""),
        ([{"parts": "x"}], "Invalid value at 'cached_content.contents[0].parts': \"x\""),
        ([{"parts": [{"fileData": "x"}]}], "Invalid value at 'cached_content.contents[0].parts[0].file_data': \"x\""),
    ],
)
async def test_create_with_malformed_contents_is_invalid_argument(
    http: TestClient, where: tuple[str, dict[str, str]], contents: Any, message: str
) -> None:
    error = await post_error(http, where, {"model": "models/gemini-2.5-flash", "contents": contents}, 400)
    assert error["status"] == "INVALID_ARGUMENT" and message in error["message"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"model": "models/gemini-2.5-flash", "contents": LONG, "colour": 1}, "Unknown name \"colour\" at 'cached_content': Cannot find field."),
        ({"model": 5, "contents": LONG}, "Invalid value at 'cached_content.model' (TYPE_STRING), 5"),
        ({"model": "models/gemini-2.5-flash", "systemInstruction": "x"}, "Invalid value at 'cached_content.system_instruction': \"x\""),
    ],
)
async def test_create_with_bad_fields_names_them_under_cached_content(http: TestClient, body: Any, message: str) -> None:
    error = await post_error(http, NATIVE, body, 400)
    assert message in error["message"]


@pytest.mark.parametrize("where", [NATIVE, VERTEX], ids=["native", "vertex"])
@pytest.mark.parametrize("model", ["models/nope-9", "models/gemini-1.0-pro", "models/gemini-embedding-001"])
async def test_create_for_a_model_without_caching_is_not_found(http: TestClient, where: tuple[str, dict[str, str]], model: str) -> None:
    error = await post_error(http, where, {"model": model, "contents": LONG}, 404)
    bare = model.removeprefix("models/")
    assert error["status"] == "NOT_FOUND"
    assert error["message"].startswith(f"models/{bare} is not found for API version ")
    assert "or is not supported for createCachedContent." in error["message"]


async def test_create_for_a_listed_model_still_succeeds(http: TestClient) -> None:
    response = await http.post(NATIVE[0], json={"model": "models/gemini-2.5-flash", "contents": LONG}, headers=NATIVE[1])
    assert response.status == 200 and (await response.json())["name"].startswith("cachedContents/")
