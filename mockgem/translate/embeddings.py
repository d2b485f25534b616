"""OpenAI embeddings <-> Gemini `batchEmbedContents`.

The openai SDK asks for `encoding_format: "base64"` unless told otherwise and decodes it as
little-endian float32 (wire reference §7.1); a request without the field gets floats.
"""

from __future__ import annotations

import base64
import struct
from dataclasses import dataclass
from typing import Any, Literal

from mockgem._types import JSONDict
from mockgem.protocol.tokens import count_text
from mockgem.translate.chat_request import model_id
from mockgem.translate.rejections import invalid_argument, unknown_field

EMBEDDING_FIELDS = frozenset({"model", "input", "dimensions", "encoding_format", "user"})
EncodingFormat = Literal["float", "base64"]


@dataclass(frozen=True, slots=True)
class EmbeddingTranslation:
    model: str
    request: JSONDict
    encoding_format: EncodingFormat
    client_model: str


def to_batch_embed_request(body: JSONDict) -> EmbeddingTranslation:
    """The Gemini model id and batchEmbedContents request for an OpenAI embeddings request."""
    for key in body:
        if key not in EMBEDDING_FIELDS:
            raise unknown_field(key)
    model = model_id(body.get("model"))
    entry: JSONDict = {"model": f"models/{model}"}
    if body.get("dimensions") is not None:
        entry["outputDimensionality"] = body["dimensions"]
    requests = [{**entry, "content": {"parts": [{"text": text}]}} for text in _texts(body.get("input"))]
    return EmbeddingTranslation(model, {"requests": requests}, _encoding(body), str(body["model"]))


def _texts(given: Any) -> list[str]:
    texts = [given] if isinstance(given, str) else given
    if not isinstance(texts, list) or not texts:
        raise invalid_argument("input must be a string or a non-empty list of strings.")
    if not all(isinstance(text, str) for text in texts):
        # UNVERIFIED: Gemini has no tokenizer ids to embed, so token arrays are refused.
        raise invalid_argument("input must be text: token arrays are not supported.")
    return texts


def _encoding(body: JSONDict) -> EncodingFormat:
    encoding = body.get("encoding_format") or "float"
    if encoding == "float":
        return "float"
    if encoding == "base64":
        return "base64"
    raise invalid_argument("encoding_format must be float or base64.")


def to_openai_embeddings(response: JSONDict, translation: EmbeddingTranslation) -> JSONDict:
    """The OpenAI embeddings list for a batchEmbedContents response."""
    vectors = [embedding.get("values") or [] for embedding in response.get("embeddings") or []]
    data = [
        {"object": "embedding", "index": i, "embedding": encode_vector(v, translation.encoding_format)}
        for i, v in enumerate(vectors)
    ]
    # The compat layer reports the input's tokens (openai's CreateEmbeddingResponse requires
    # usage); batchEmbedContents gives none, so they are counted as countTokens would (UNVERIFIED
    # that the real layer's count is the countTokens one).
    reported = (response.get("usageMetadata") or {}).get("promptTokenCount")
    tokens = int(reported) if reported is not None else _input_tokens(translation)
    usage = {"prompt_tokens": tokens, "total_tokens": tokens}
    return {"object": "list", "data": data, "model": translation.client_model, "usage": usage}


def _input_tokens(translation: EmbeddingTranslation) -> int:
    requests = translation.request.get("requests") or []
    return sum(count_text(str(part.get("text", ""))) for item in requests for part in item["content"]["parts"])


def encode_vector(values: list[float], encoding_format: EncodingFormat) -> list[float] | str:
    if encoding_format == "float":
        return [float(v) for v in values]
    return base64.b64encode(struct.pack(f"<{len(values)}f", *values)).decode("ascii")
