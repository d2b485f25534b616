from __future__ import annotations

import pytest
from openai.types import Model

from mockgem.translate.models import to_openai_model, to_openai_model_list


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("models/gemini-2.5-flash", "models/gemini-2.5-flash"),
        ("gemini-2.5-flash", "models/gemini-2.5-flash"),
        ("tunedModels/my-model", "tunedModels/my-model"),
    ],
)
def test_to_openai_model_id(name: str, expected: str) -> None:
    model = to_openai_model({"name": name, "displayName": "Gemini"}, created=5)
    assert model == {"id": expected, "object": "model", "created": 5, "owned_by": "google"}
    Model.model_validate(model)


def test_to_openai_model_list() -> None:
    listed = to_openai_model_list([{"name": "models/a"}, {"name": "models/b"}])
    assert listed["object"] == "list"
    assert [m["id"] for m in listed["data"]] == ["models/a", "models/b"]
