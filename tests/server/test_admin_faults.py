"""`/_mockgem/faults` and `/_mockgem/quotas`: set, list and clear while the server runs."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from mockgem import Config, create_app

GENERATE = "/v1beta/models/gemini-2.5-flash:generateContent"
KEY = {"x-goog-api-key": "k"}
HELLO = {"contents": [{"parts": [{"text": "hi"}]}]}


@pytest.fixture
async def http(aiohttp_client: Any) -> TestClient:
    return await aiohttp_client(create_app(Config(faults=("latency:10ms..20ms",), seed=5)))


async def generate_status(http: TestClient) -> int:
    return (await http.post(GENERATE, json=HELLO, headers=KEY)).status


async def test_faults_list_shows_global_faults_and_seed(http: TestClient) -> None:
    body = await (await http.get("/_mockgem/faults")).json()
    assert body == {"faults": ["latency=10ms..20ms"], "text": "latency=10ms..20ms", "seed": 5}


@pytest.mark.parametrize("faults", ["503, ttfb=1ms", ["503", "ttfb=1ms"]])
async def test_faults_put_replaces_them_and_applies_at_once(http: TestClient, faults: Any) -> None:
    response = await http.put("/_mockgem/faults", json={"faults": faults, "seed": 9})
    assert (await response.json()) == {"faults": ["503", "ttfb=1ms"], "text": "503, ttfb=1ms", "seed": 9}
    assert await generate_status(http) == 503


async def test_faults_delete_clears_them(http: TestClient) -> None:
    await http.put("/_mockgem/faults", json={"faults": "503"})
    assert (await (await http.delete("/_mockgem/faults")).json())["faults"] == []
    assert await generate_status(http) == 200


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"faults": "teapot"}, "unknown fault 'teapot'; valid faults:"),
        ({"faults": {"x": 1}}, "must be a string or a list"),
        ({"faults": "503", "seed": "x"}, "seed must be a whole number"),
        (["503"], "must be a JSON object"),
    ],
)
async def test_faults_put_refuses_a_bad_body_and_keeps_the_old_faults(http: TestClient, body: Any, message: str) -> None:
    response = await http.put("/_mockgem/faults", json=body)
    error = (await response.json())["error"]
    assert (response.status, error["status"]) == (400, "INVALID_ARGUMENT") and message in error["message"]
    assert (await (await http.get("/_mockgem/faults")).json())["faults"] == ["latency=10ms..20ms"]


async def test_quotas_put_then_throttled_requests_are_listed(http: TestClient) -> None:
    response = await http.put("/_mockgem/quotas", json={"quotas": ["gemini-2.5-flash:rpm=1"]})
    assert (await response.json()) == {"quotas": ["gemini-2.5-flash:rpm=1"], "throttled": []}
    assert [await generate_status(http) for _ in range(2)] == [200, 429]
    throttled = (await (await http.get("/_mockgem/quotas")).json())["throttled"]
    assert len(throttled) == 1
    assert throttled[0] | {"retryAfter": 0, "at": 0} == {
        "model": "gemini-2.5-flash", "key": "k", "metric": "rpm", "limit": 1, "retryAfter": 0, "at": 0
    }
    assert 59 < throttled[0]["retryAfter"] <= 60


async def test_quotas_delete_lifts_the_limits(http: TestClient) -> None:
    await http.put("/_mockgem/quotas", json={"quotas": "gemini-2.5-flash:rpm=1"})
    await generate_status(http)
    assert (await (await http.delete("/_mockgem/quotas")).json()) == {"quotas": [], "throttled": []}
    assert await generate_status(http) == 200


async def test_quotas_put_refuses_a_bad_spec(http: TestClient) -> None:
    response = await http.put("/_mockgem/quotas", json={"quotas": ["gemini-2.5-flash:rpm=lots"]})
    assert response.status == 400 and "valid quotas" in (await response.json())["error"]["message"]


async def test_admin_faults_refuses_other_methods(http: TestClient) -> None:
    assert (await http.post("/_mockgem/faults", json={})).status == 405
