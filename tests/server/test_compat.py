"""OpenAI-compatible chat over HTTP: fields of the wrong JSON type get the 400, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from mockgem import Config, create_app

CHAT = "/v1beta/openai/chat/completions"
KEY = {"Authorization": "Bearer k"}
SAY = [{"role": "user", "content": "hi"}]


@pytest.fixture
async def http(aiohttp_client: Any) -> TestClient:
    return await aiohttp_client(create_app(Config(api_keys=())))


@pytest.mark.parametrize(
    "fields",
    [
        {"stream_options": "x", "stream": True},
        {"stream_options": 5},
        {"audio": "Kore"},
        {"n": "two"},
        {"stop": 5},
        {"modalities": 5},
        {"response_format": {"type": "json_schema", "json_schema": "x"}},
        {"tool_choice": {"type": "function", "function": "f"}},
    ],
)
async def test_chat_field_of_the_wrong_type_is_invalid_argument(http: TestClient, fields: dict[str, Any]) -> None:
    response = await http.post(CHAT, json={"model": "gemini-2.5-flash", "messages": SAY, **fields}, headers=KEY)
    assert response.status == 400
    body = await response.json()
    error = (body[0] if isinstance(body, list) else body)["error"]
    assert error["code"] == 400 and error["status"] == "INVALID_ARGUMENT"
