"""The google-genai SDK in Vertex AI mode (fake credentials, project, location, base_url)."""

from __future__ import annotations

from google import genai
from google.genai import types

from mockgem import MockGemServer

MODEL = "gemini-2.5-flash"


def test_vertex_generate_and_stream(vertex_client: genai.Client) -> None:
    assert vertex_client.models.generate_content(model=MODEL, contents="weather").text == "Sunny, 21 C"
    chunks = list(vertex_client.models.generate_content_stream(model=MODEL, contents="weather"))
    assert "".join(c.text for c in chunks) == "Sunny, 21 C"


async def test_vertex_async_count_tokens(vertex_client: genai.Client) -> None:
    counted = await vertex_client.aio.models.count_tokens(model=MODEL, contents="hello there")
    assert counted.total_tokens > 0


def test_vertex_embed_uses_predict(vertex_client: genai.Client) -> None:
    response = vertex_client.models.embed_content(model="text-embedding-005", contents=["a", "b"], config=types.EmbedContentConfig(output_dimensionality=4))
    assert [len(e.values) for e in response.embeddings] == [4, 4]


def test_vertex_models_get(vertex_client: genai.Client) -> None:
    assert vertex_client.models.get(model=MODEL).display_name == "Gemini 2.5 Flash"


def test_vertex_express_mode(server: MockGemServer) -> None:
    client = genai.Client(vertexai=True, api_key="express-key", http_options=types.HttpOptions(base_url=server.url))
    assert client.models.generate_content(model=MODEL, contents="weather").text == "Sunny, 21 C"


def test_vertex_answers_carry_create_time_and_traffic_type(vertex_client: genai.Client) -> None:
    response = vertex_client.models.generate_content(model="gemini-2.5-flash", contents="weather?")
    assert response.create_time is not None and response.usage_metadata is not None
    assert response.usage_metadata.traffic_type == types.TrafficType.ON_DEMAND
    last = list(vertex_client.models.generate_content_stream(model="gemini-2.5-flash", contents="long story"))[-1]
    assert last.create_time is not None and last.usage_metadata and last.usage_metadata.traffic_type == types.TrafficType.ON_DEMAND


def test_vertex_names_a_model_by_its_publisher_path(vertex_client: genai.Client) -> None:
    assert vertex_client.models.get(model="gemini-2.5-flash").name == "publishers/google/models/gemini-2.5-flash"
