"""The Python clients, each in a venv of its own, against mockgem serving rules, and once each
against a replayed cassette."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mockgem import MockGemServer
from tests.matrix.conftest import PYTHON_DIR, Results, replayed, run_client

STORY = "Once upon a time a mock server answered every client as the real one would."
WEATHER = {"call": "get_weather", "args": {"city": "Paris"}, "text": "It is sunny in Paris."}
SMALLEST_CITY = {"city": "", "temperature": 0}
# LiteLLM fetches its model cost map from GitHub at import unless told to use its own copy.
CLIENT_ENV = {"litellm": {"LITELLM_LOCAL_MODEL_COST_MAP": "True"}}


# The venvs that run another client's script: an older release of the same client.
SCRIPT_OF = {"pydantic_ai_1": "pydantic_ai"}


def command(python_client: Callable[[str], Path], name: str) -> list[str]:
    return [str(python_client(name)), str(PYTHON_DIR / f"{SCRIPT_OF.get(name, name)}_client.py")]


def run(python_client: Callable[[str], Path], name: str, server: MockGemServer, scenarios: list[str] | None = None) -> Results:
    return run_client(command(python_client, name), server, scenarios, **CLIENT_ENV.get(name, {}))


@pytest.fixture(scope="module")
def litellm(python_client: Callable[[str], Path], rules_server: MockGemServer) -> Results:
    return run(python_client, "litellm", rules_server)


@pytest.fixture(scope="module", params=["pydantic_ai", "pydantic_ai_1"])
def pydantic_ai(python_client: Callable[[str], Path], rules_server: MockGemServer, request: pytest.FixtureRequest) -> Results:
    return run(python_client, request.param, rules_server)


@pytest.fixture(scope="module")
def langchain(python_client: Callable[[str], Path], rules_server: MockGemServer) -> Results:
    return run(python_client, "langchain", rules_server)


@pytest.fixture(scope="module")
def generativeai(python_client: Callable[[str], Path], rules_server: MockGemServer) -> Results:
    return run(python_client, "generativeai", rules_server)


def test_litellm_plain_stream_tools_and_options(litellm: Results) -> None:
    assert litellm["plain"]["text"] == "Hello from mockgem." and litellm["plain"]["tokens"] > 0
    assert litellm["stream"]["text"] == STORY and litellm["stream"]["chunks"] > 1
    assert litellm["tools"] == WEATHER
    assert litellm["reasoning_effort"] == {"text": "42", "reasoning": "Six sevens are forty-two."}
    assert litellm["response_format"] == {"output": SMALLEST_CITY}


def test_litellm_uses_an_uploaded_file_and_gs_and_https_parts(litellm: Results) -> None:
    # LiteLLM hands a Files API URI on as fileData; any other http(s) URI it downloads itself.
    assert litellm["files"]["id"].startswith("https://generativelanguage.googleapis.com/v1beta/files/")
    assert litellm["files"]["text"] == "The file says hello."
    assert litellm["gs_and_https_files"] == {"text": "The file says hello."}


def test_litellm_google_search_grounding(litellm: Results) -> None:
    grounding = litellm["google_search"]["grounding"]
    assert litellm["google_search"]["text"] == "The home team won 2-1."
    assert grounding[0]["webSearchQueries"] == ["Who won the match?"] and grounding[0]["groundingChunks"]


def test_litellm_context_caching_is_not_reachable_through_api_base(litellm: Results) -> None:
    # LiteLLM builds `{api_base}/models/{model}:cachedContents` for a custom api_base
    # (litellm/llms/vertex_ai/vertex_llm_base.py _check_custom_proxy): no such method exists.
    assert "NotFoundError" in litellm["cache_control"]["error"] and "Method not found." in litellm["cache_control"]["error"]


def test_pydantic_ai_run_stream_tools_and_structured_output(pydantic_ai: Results) -> None:
    # pydantic-ai 1.x's requests carry its User-Agent and google-genai's: answered, not refused.
    assert pydantic_ai["run"]["text"] == "Hello from mockgem."
    assert pydantic_ai["stream"]["text"] == STORY
    assert pydantic_ai["tools"] == {"calls": ["Paris"], "text": "It is sunny in Paris."}
    assert pydantic_ai["structured"] == {"type": "City", "output": SMALLEST_CITY}


def test_langchain_invoke_stream_tools_structured_and_embeddings(langchain: Results) -> None:
    assert langchain["invoke"]["text"] == "Hello from mockgem." and langchain["invoke"]["tokens"] > 0
    assert langchain["stream"]["text"] == STORY and langchain["stream"]["chunks"] > 1
    assert langchain["bind_tools"] == WEATHER
    assert langchain["with_structured_output"] == {"type": "City", "output": SMALLEST_CITY}
    assert langchain["embeddings"]["count"] == 2 and langchain["embeddings"]["size"] == langchain["embeddings"]["query"] > 0


def test_google_generativeai_rest_generate_stream_tokens_embed_and_function_response(generativeai: Results) -> None:
    assert generativeai["generate"]["text"] == "Hello from mockgem." and generativeai["generate"]["tokens"] > 0
    assert generativeai["stream"]["text"] == STORY and generativeai["stream"]["chunks"] > 1
    assert generativeai["count_tokens"]["total"] > 0
    assert generativeai["embed"] == {"size": 8}
    # The function's result goes back as a `function` turn.
    assert generativeai["function_response"] == WEATHER


@pytest.mark.parametrize(("client", "scenario"), [
    ("litellm", "plain"), ("pydantic_ai", "run"), ("pydantic_ai_1", "run"), ("langchain", "invoke"), ("generativeai", "generate"),
])
def test_python_client_replays_a_recorded_cassette(
    python_client: Callable[[str], Path], make_server: Callable[..., MockGemServer], tmp_path: Path, client: str, scenario: str
) -> None:
    recorded, replay, replayer = replayed(lambda server: run(python_client, client, server, [scenario]), make_server, tmp_path / "cassette.yaml")
    assert replay[scenario]["text"] == recorded[scenario]["text"] == "Hello from mockgem."
    assert replayer.requests.last is not None and replayer.requests.last.source == "cassettes"
