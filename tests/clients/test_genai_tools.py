"""Gemini's built-in tools through google-genai: Google Search grounding and code execution."""

from __future__ import annotations

from collections.abc import Callable

from google.genai import types

from mockgem import MockGemServer
from tests.clients.conftest import genai_client

MODEL = "gemini-2.5-flash"
SEARCH = types.GenerateContentConfig(tools=[types.Tool(google_search=types.GoogleSearch())])
CODE = types.GenerateContentConfig(tools=[types.Tool(code_execution=types.ToolCodeExecution())])
SCRIPTED = {
    "rules": [
        {"match": {"contains": "scripted search"}, "reply": {"text": "Rome.", "grounding_metadata": {
            "webSearchQueries": ["capital of italy"],
            "groundingChunks": [{"web": {"uri": "https://vertexaisearch.cloud.google.com/grounding-api-redirect/x", "title": "wikipedia.org"}}],
        }}},
        {"match": {"contains": "scripted code"}, "reply": {"text": "4", "code_execution": {"code": "print(2 + 2)", "output": "4\n"}}},
    ],
    "default": {"text": "Paris is the capital of France."},
}


def test_search_tool_answer_is_grounded(make_server: Callable[..., MockGemServer]) -> None:
    client = genai_client(make_server(rules=SCRIPTED))
    response = client.models.generate_content(model=MODEL, contents="capital of France?", config=SEARCH)
    grounding = response.candidates[0].grounding_metadata if response.candidates else None
    assert grounding and grounding.web_search_queries == ["capital of France?"]
    assert grounding.grounding_chunks and grounding.grounding_chunks[0].web and grounding.grounding_chunks[0].web.uri
    support = (grounding.grounding_supports or [None])[0]
    assert support and support.segment and support.segment.text == response.text == "Paris is the capital of France."
    assert grounding.search_entry_point and "capital of France?" in (grounding.search_entry_point.rendered_content or "")


def test_no_search_tool_no_grounding_and_a_rule_scripts_it(make_server: Callable[..., MockGemServer]) -> None:
    client = genai_client(make_server(rules=SCRIPTED))
    plain = client.models.generate_content(model=MODEL, contents="capital of France?")
    assert plain.candidates and plain.candidates[0].grounding_metadata is None
    scripted = client.models.generate_content(model=MODEL, contents="scripted search", config=SEARCH)
    grounding = scripted.candidates[0].grounding_metadata if scripted.candidates else None
    assert grounding and grounding.web_search_queries == ["capital of italy"]
    assert grounding.grounding_chunks and grounding.grounding_chunks[0].web and grounding.grounding_chunks[0].web.title == "wikipedia.org"


def test_code_execution_parts_come_before_the_answer(make_server: Callable[..., MockGemServer]) -> None:
    client = genai_client(make_server(rules=SCRIPTED))
    built_in = client.models.generate_content(model=MODEL, contents="what is 2 + 2?", config=CODE)
    assert built_in.executable_code and built_in.code_execution_result == "Paris is the capital of France.\n"
    scripted = client.models.generate_content(model=MODEL, contents="scripted code", config=CODE)
    assert (scripted.executable_code, scripted.code_execution_result, scripted.text) == ("print(2 + 2)", "4\n", "4")
