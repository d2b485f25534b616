"""Gemini Model resources -> OpenAI model objects.

The real `/v1beta/openai/models` answers ids with the `models/` prefix (`models/gemini-2.5-flash`),
as public clients that strip it show. `created` and `owned_by` are UNVERIFIED: Gemini models carry
no creation time, and `google` is the owner every public sample names.
"""

from __future__ import annotations

from mockgem._types import JSONDict


def to_openai_model(model: JSONDict, *, created: int = 0) -> JSONDict:
    name = str(model.get("name", ""))
    model_name = name if name.startswith(("models/", "tunedModels/")) else f"models/{name}"
    return {"id": model_name, "object": "model", "created": created, "owned_by": "google"}


def to_openai_model_list(models: list[JSONDict], *, created: int = 0) -> JSONDict:
    return {"object": "list", "data": [to_openai_model(model, created=created) for model in models]}
