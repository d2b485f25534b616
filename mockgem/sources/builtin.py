"""Built-in answers that need no script: countTokens, embeddings and the model catalog.

Embedding vectors are deterministic: the same text always gives the same unit vector and
different texts different ones, at the requested `outputDimensionality`.
"""

from __future__ import annotations

import base64
import hashlib
import math
import random
import struct

from mockgem._types import JSONDict
from mockgem.errors import InvalidArgument
from mockgem.protocol.calls import ApiRequest
from mockgem.protocol.catalog import MODELS, ModelInfo, bare_model_id, find_model
from mockgem.protocol.envelopes import api_error, model_not_found
from mockgem.protocol.json_text import ascii_int
from mockgem.protocol.tokens import count_request, count_text
from mockgem.sources.base import Answer, Miss, Whole
from mockgem.sources.media_replies import predicted_images
from mockgem.sources.scripted_media import video_operation

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000


def embedding_values(text: str, dimensions: int) -> list[float]:
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
    generator = random.Random(seed)
    values = [generator.gauss(0.0, 1.0) for _ in range(dimensions)]
    norm = math.sqrt(sum(v * v for v in values)) or 1.0
    return [float(struct.unpack("f", struct.pack("f", v / norm))[0]) for v in values]


def _content_text(content: JSONDict) -> str:
    return "\n".join(str(p.get("text", "")) for p in content.get("parts") or [])


class BuiltinSource:
    """Answers countTokens, embedContent, batchEmbedContents, :predict and the models API."""

    async def answer(self, request: ApiRequest) -> Answer | Miss:
        handler = _HANDLERS.get(request.call.action)
        if handler is None:
            return Miss(f"no built-in answer for {request.call.action}", "builtin")
        return Whole(body=handler(request), origin="built-in", source="builtin")


def _model(request: ApiRequest, method: str) -> ModelInfo:
    name = bare_model_id(request.call.model or "")
    model = find_model(name)
    if model is None or method not in model.methods and not (method == "predict" and model.is_embedding) and not (method == "computeTokens" and "generateContent" in model.methods):
        raise model_not_found(name, request.call.version, method)
    return model


def _count_tokens(request: ApiRequest) -> JSONDict:
    _model(request, "countTokens")
    body = request.body
    wrapped = body.get("generateContentRequest")
    total = count_request(wrapped) if isinstance(wrapped, dict) else count_request(body)
    return {"totalTokens": total, "promptTokensDetails": [{"modality": "TEXT", "tokenCount": total}]}


def _dimensions(model: ModelInfo, requested: object) -> int:
    if requested is None:
        return model.embedding_size
    if not isinstance(requested, int) or not 1 <= requested <= model.embedding_size:
        raise InvalidArgument(f"Output dimensionality must be between 1 and {model.embedding_size}, got {requested}.")
    return requested


def _embed_one(model: ModelInfo, body: JSONDict) -> JSONDict:
    dimensions = _dimensions(model, body.get("outputDimensionality"))
    return {"values": embedding_values(_content_text(body.get("content") or {}), dimensions)}


def _embed_content(request: ApiRequest) -> JSONDict:
    return {"embedding": _embed_one(_model(request, "embedContent"), request.body)}


def _batch_embed(request: ApiRequest) -> JSONDict:
    model = _model(request, "embedContent")
    return {"embeddings": [_embed_one(model, item) for item in request.body.get("requests") or []]}


def _predict(request: ApiRequest) -> JSONDict:
    model = _model(request, "predict")
    if model.makes_images:
        return predicted_images(request.body, None)
    dimensions = _dimensions(model, (request.body.get("parameters") or {}).get("outputDimensionality"))
    texts = [str(instance.get("content", "")) for instance in request.body.get("instances") or []]
    predictions = [
        {"embeddings": {"values": embedding_values(text, dimensions), "statistics": {"truncated": False, "token_count": count_text(text)}}}
        for text in texts
    ]
    return {"predictions": predictions, "metadata": {"billableCharacterCount": sum(len(text) for text in texts)}}


def _predict_long_running(request: ApiRequest) -> JSONDict:
    _model(request, "predictLongRunning")
    return video_operation(request.body, None)


def _compute_tokens(request: ApiRequest) -> JSONDict:
    """Vertex AI's `:computeTokens`: each turn's tokens (base64 bytes) and ids (int64 as strings),
    cut as `protocol.tokens` counts them: four characters a token."""
    _model(request, "computeTokens")
    info = []
    for content in request.body.get("contents") or []:
        text = _content_text(content)
        pieces = [text[start : start + 4] for start in range(0, len(text), 4)]
        ids = [str(int.from_bytes(hashlib.sha256(piece.encode()).digest()[:3], "big")) for piece in pieces]
        tokens = [base64.b64encode(piece.encode()).decode() for piece in pieces]
        info.append({"tokens": tokens, "tokenIds": ids, "role": content.get("role") or "user"})
    return {"tokensInfo": info}


def _list_models(request: ApiRequest) -> JSONDict:
    size = _page_size(request.query_value("pageSize"))
    start = _page_start(request.query_value("pageToken"))
    page = MODELS[start : start + size]
    body: JSONDict = {"models": [model.to_json() for model in page]}
    if start + size < len(MODELS):
        body["nextPageToken"] = f"mockgem-page-{start + size}"
    return body


def _page_size(value: str | None) -> int:
    size = ascii_int(value, low=-(2**31), high=2**31 - 1) if value else DEFAULT_PAGE_SIZE
    if size is None:
        raise InvalidArgument(f'Invalid value at \'page_size\' (TYPE_INT32), "{value}"')
    return min(max(size, 1), MAX_PAGE_SIZE)


def _page_start(token: str | None) -> int:
    if not token:
        return 0
    prefix, _, number = token.rpartition("-")
    start = ascii_int(number, low=0, high=len(MODELS))
    if prefix != "mockgem-page" or start is None:
        raise api_error(400, "Invalid page token.")
    return start


def _get_model(request: ApiRequest) -> JSONDict:
    name = bare_model_id(request.call.model or "")
    model = find_model(name)
    if model is None:
        raise api_error(404, f"models/{name} is not found for API version {request.call.version}, or is not supported for get. Call ListModels to see the list of available models and their supported methods.")
    described = model.to_json()
    # UNVERIFIED beyond the name: Vertex AI names a Google model by its publisher path.
    return described | {"name": f"publishers/google/models/{model.id}"} if request.call.surface == "vertex" else described


_HANDLERS = {
    "countTokens": _count_tokens,
    "embedContent": _embed_content,
    "batchEmbedContents": _batch_embed,
    "predict": _predict,
    "predictLongRunning": _predict_long_running,
    "computeTokens": _compute_tokens,
    "models.list": _list_models,
    "models.get": _get_model,
}
