from __future__ import annotations

import pytest
from google import genai
from google.genai import types

from mockgem import MockGemServer


def genai_client(server: MockGemServer, api_version: str | None = None) -> genai.Client:
    options = types.HttpOptions(base_url=server.url, api_version=api_version) if api_version else types.HttpOptions(base_url=server.url)
    return genai.Client(api_key="test-key", http_options=options)


@pytest.fixture
def client(server: MockGemServer) -> genai.Client:
    return genai_client(server)


@pytest.fixture
def vertex_client(server: MockGemServer) -> genai.Client:
    return vertex_genai_client(server)


def vertex_genai_client(server: MockGemServer) -> genai.Client:
    """A Vertex AI client (project test-project, us-central1) with a fixed OAuth token."""
    from google.oauth2.credentials import Credentials

    return genai.Client(
        vertexai=True,
        project="test-project",
        location="us-central1",
        credentials=Credentials(token="fake-token"),
        http_options=types.HttpOptions(base_url=server.url),
    )
