"""The edges of the OpenAI-compatible layer: paths it does not serve, and where it is not served."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from aiohttp.test_utils import TestClient

from mockgem import Config, MockGemServer, create_app

VERTEX_OPENAPI = "/v1/projects/p/locations/us-central1/endpoints/openapi"
BEARER = {"Authorization": "Bearer k"}


@pytest.fixture
def oai(server: MockGemServer) -> openai.OpenAI:
    return openai.OpenAI(api_key="k", base_url=server.openai_base_url, max_retries=0)


@pytest.fixture
async def http(aiohttp_client: Any) -> TestClient:
    return await aiohttp_client(create_app(Config(api_keys=())))


def test_unknown_openai_path_is_a_list_shaped_not_found(oai: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as raised:
        oai.responses.create(model="gemini-2.5-flash", input="hi")
    assert isinstance(raised.value.body, list) and raised.value.body[0]["error"]["code"] == 404


def test_wrong_method_on_chat_completions_is_a_list_shaped_not_found(oai: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as raised:
        oai.get("chat/completions", cast_to=object)
    assert isinstance(raised.value.body, list) and raised.value.body[0]["error"]["status"] == "NOT_FOUND"


def test_openai_layer_is_not_served_under_v1(server: MockGemServer) -> None:
    client = openai.OpenAI(api_key="k", base_url=f"{server.url}/v1/openai/", max_retries=0)
    with pytest.raises(openai.NotFoundError) as raised:
        client.chat.completions.create(model="gemini-2.5-flash", messages=[{"role": "user", "content": "hi"}])
    assert isinstance(raised.value.body, dict) and raised.value.body["status"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("method", "path", "as_list"),
    [
        ("POST", "/v1beta/openai/responses", True),
        ("GET", "/v1beta/openai/chat/completions", True),
        ("DELETE", "/v1beta/openai/models/gemini-2.5-flash", True),
        ("POST", f"{VERTEX_OPENAPI}/responses", True),
        ("POST", "/v1/openai/chat/completions", False),
        ("POST", "/v1alpha/openai/chat/completions", False),
        ("GET", "/v1beta/nothing", False),
    ],
)
async def test_unknown_path_error_shape_follows_the_surface(http: TestClient, method: str, path: str, as_list: bool) -> None:
    response = await http.request(method, path, headers=BEARER, json={})
    assert response.status == 404
    body = await response.json()
    assert isinstance(body, list) is as_list
    assert (body[0] if as_list else body)["error"]["code"] == 404


async def test_vertex_openapi_chat_still_answers(http: TestClient) -> None:
    chat = {"model": "google/gemini-2.5-flash", "messages": [{"role": "user", "content": "hi"}]}
    response = await http.post(f"{VERTEX_OPENAPI}/chat/completions", headers=BEARER, json=chat)
    assert response.status == 200 and (await response.json())["object"] == "chat.completion"
