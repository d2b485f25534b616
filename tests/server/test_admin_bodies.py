"""Admin bodies with a key the endpoint does not read are a 400 that lists the valid keys."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from mockgem import Config, create_app


@pytest.fixture
async def http(aiohttp_client: Any) -> TestClient:
    return await aiohttp_client(create_app(Config(faults=("503@0.5",))))


@pytest.mark.parametrize(("path", "body", "message"), [
    ("faults", {"fault": "503"}, 'mockgem: PUT /_mockgem/faults: unknown key "fault"; valid keys: "faults", "seed"'),
    ("quotas", {"quota": ["*:rpm=1"]}, 'mockgem: PUT /_mockgem/quotas: unknown key "quota"; valid keys: "quotas"'),
    ("cassette", {"nmae": "a.yaml"}, 'mockgem: PUT /_mockgem/cassette: unknown key "nmae"; valid keys: "name"'),
])
async def test_admin_body_with_an_unknown_key_is_a_400_listing_the_valid_ones(http: TestClient, path: str, body: Any, message: str) -> None:
    response = await http.put(f"/_mockgem/{path}", json=body)
    assert response.status == 400
    assert (await response.json())["error"]["message"] == message


async def test_admin_faults_typo_leaves_the_faults_in_force(http: TestClient) -> None:
    await http.put("/_mockgem/faults", json={"fault": "503"})
    assert (await (await http.get("/_mockgem/faults")).json())["faults"] == ["503@0.5"]
