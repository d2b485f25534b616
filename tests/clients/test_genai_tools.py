"""Built-in tools in the reply, through google-genai: Google Search grounding with a search entry
point, URL context, code execution parts, File Search; each scripted by a rule or plausible by default."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from google import genai
from google.genai import types

from mockgem import MockGemServer
from tests.clients.conftest import genai_client

MODEL = "gemini-2.5-flash"
TOOL_RULES = {
    "rules": [
        {"match": {"contains": "scripted search"}, "reply": {"text": "Ruby 3.4 is the latest.", "grounding": {
            "queries": ["latest ruby version"], "sources": [{"uri": "https://www.ruby-lang.org/", "title": "ruby-lang.org"}]}}},
        {"match": {"contains": "scripted code"}, "reply": {"text": "The sum is 3.", "code_execution": [{"code": "print(1 + 2)", "output": "3\n"}]}},
    ],
    "default": {"text": "Paris is the capital of France."},
}


@pytest.fixture
def client(make_server: Callable[..., MockGemServer]) -> genai.Client:
    return genai_client(make_server(rules=TOOL_RULES))


def ask(client: genai.Client, prompt: str, tool: types.Tool) -> types.GenerateContentResponse:
    return client.models.generate_content(model=MODEL, contents=prompt, config=types.GenerateContentConfig(tools=[tool]))


def test_google_search_grounds_the_default_reply(client: genai.Client) -> None:
    response = ask(client, "What is the capital of France?", types.Tool(google_search=types.GoogleSearch()))
    metadata = response.candidates[0].grounding_metadata  # type: ignore[index]
    assert metadata and metadata.web_search_queries == ["What is the capital of France?"]
    assert metadata.search_entry_point and "chip" in (metadata.search_entry_point.rendered_content or "")
    assert metadata.grounding_chunks and metadata.grounding_chunks[0].web and (metadata.grounding_chunks[0].web.uri or "").startswith("https://")
    support = (metadata.grounding_supports or [])[0]
    assert support.segment and support.segment.text == response.text and support.grounding_chunk_indices == [0]


def test_a_rule_scripts_the_grounding(client: genai.Client) -> None:
    metadata = ask(client, "a scripted search", types.Tool(google_search=types.GoogleSearch())).candidates[0].grounding_metadata  # type: ignore[index]
    assert metadata and metadata.web_search_queries == ["latest ruby version"]
    assert [(chunk.web.uri, chunk.web.title) for chunk in metadata.grounding_chunks or [] if chunk.web] == [("https://www.ruby-lang.org/", "ruby-lang.org")]


def test_code_execution_answers_code_and_its_result_before_the_text(client: genai.Client) -> None:
    response = ask(client, "Compute something", types.Tool(code_execution=types.ToolCodeExecution()))
    parts = response.candidates[0].content.parts or []  # type: ignore[index, union-attr]
    assert [(bool(part.executable_code), bool(part.code_execution_result), bool(part.text)) for part in parts] == [
        (True, False, False), (False, True, False), (False, False, True),
    ]
    assert parts[1].code_execution_result and parts[1].code_execution_result.outcome == types.Outcome.OUTCOME_OK
    assert parts[1].code_execution_result.output == "Paris is the capital of France.\n" and parts[2].text


def test_a_rule_scripts_the_code_execution(client: genai.Client) -> None:
    response = ask(client, "the scripted code", types.Tool(code_execution=types.ToolCodeExecution()))
    assert (response.executable_code, response.code_execution_result) == ("print(1 + 2)", "3\n")


def test_url_context_reports_each_url_of_the_prompt(client: genai.Client) -> None:
    response = ask(client, "Summarise https://example.com/a and https://example.org/b", types.Tool(url_context=types.UrlContext()))
    metadata = response.candidates[0].url_context_metadata  # type: ignore[index]
    assert metadata and [(item.retrieved_url, item.url_retrieval_status) for item in metadata.url_metadata or []] == [
        ("https://example.com/a", types.UrlRetrievalStatus.URL_RETRIEVAL_STATUS_SUCCESS),
        ("https://example.org/b", types.UrlRetrievalStatus.URL_RETRIEVAL_STATUS_SUCCESS),
    ]


def test_file_search_grounds_in_the_named_store(client: genai.Client) -> None:
    store = client.file_search_stores.create(config={"display_name": "notes"})
    tool = types.Tool(file_search=types.FileSearch(file_search_store_names=[store.name or ""]))
    metadata = ask(client, "What is the capital?", tool).candidates[0].grounding_metadata  # type: ignore[index]
    chunk = (metadata.grounding_chunks or [])[0] if metadata else None
    assert chunk and chunk.retrieved_context and chunk.retrieved_context.file_search_store == store.name


def test_a_function_call_reply_carries_no_tool_results(make_server: Callable[..., MockGemServer]) -> None:
    rules = {"rules": [{"reply": {"function_calls": [{"name": "lookup", "args": {"q": "x"}}]}}]}
    client = genai_client(make_server(rules=rules))
    tools = [types.Tool(google_search=types.GoogleSearch()), types.Tool(code_execution=types.ToolCodeExecution())]
    response = client.models.generate_content(model=MODEL, contents="go", config=types.GenerateContentConfig(tools=tools))
    assert response.function_calls and response.candidates[0].grounding_metadata is None and response.executable_code is None  # type: ignore[index]
