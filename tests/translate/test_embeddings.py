from __future__ import annotations

from typing import Any

import pytest
from openai import omit
from openai.types import CreateEmbeddingResponse

from mockgem.errors import InvalidArgument
from mockgem.translate.embeddings import encode_vector, to_batch_embed_request, to_openai_embeddings

VALUES = [0.25, -1.5, 3.0]


def test_to_batch_embed_request_string_input() -> None:
    translation = to_batch_embed_request({"model": "gemini-embedding-001", "input": "hi"})
    assert translation.model == "gemini-embedding-001"
    assert translation.request == {
        "requests": [{"model": "models/gemini-embedding-001", "content": {"parts": [{"text": "hi"}]}}]
    }
    assert translation.encoding_format == "float"


def test_to_batch_embed_request_list_and_dimensions() -> None:
    body = {"model": "models/text-embedding-004", "input": ["a", "b"], "dimensions": 8, "encoding_format": "base64"}
    translation = to_batch_embed_request(body)
    assert [r["content"]["parts"][0]["text"] for r in translation.request["requests"]] == ["a", "b"]
    assert {r["outputDimensionality"] for r in translation.request["requests"]} == {8}
    assert {r["model"] for r in translation.request["requests"]} == {"models/text-embedding-004"}
    assert (translation.encoding_format, translation.client_model) == ("base64", "models/text-embedding-004")


@pytest.mark.parametrize(
    "body",
    [
        {"model": "m", "input": []},
        {"model": "m", "input": [1, 2, 3]},
        {"model": "m", "input": [[1, 2]]},
        {"model": "m", "input": "a", "encoding_format": "int8"},
        {"input": "a"},
        {"model": "m", "input": "a", "truncate": True},
    ],
)
def test_to_batch_embed_request_rejected(body: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgument):
        to_batch_embed_request(body)


@pytest.mark.parametrize("encoding", ["float", "base64"])
def test_to_openai_embeddings_decodes_in_the_openai_sdk(encoding: str) -> None:
    from openai.lib._parsing._embeddings import parse_embedding_response

    translation = to_batch_embed_request(
        {"model": "gemini-embedding-001", "input": ["a", "b"], "encoding_format": encoding}
    )
    body = to_openai_embeddings({"embeddings": [{"values": VALUES}, {"values": [1.0]}]}, translation)
    # The SDK builds responses without validation, then decodes base64 when it chose the format.
    parsed = parse_embedding_response(CreateEmbeddingResponse.construct(**body), encoding_format=omit)
    assert [d.embedding for d in parsed.data] == [VALUES, [1.0]]
    assert [d.index for d in parsed.data] == [0, 1]
    assert body["model"] == "gemini-embedding-001"
    assert body["usage"] == {"prompt_tokens": 2, "total_tokens": 2}  # "a" and "b", a token each


@pytest.mark.parametrize(("encoding", "expected"), [("float", VALUES), ("base64", "AACAPgAAwL8AAEBA")])
def test_encode_vector(encoding: Any, expected: Any) -> None:
    assert encode_vector(VALUES, encoding) == expected
