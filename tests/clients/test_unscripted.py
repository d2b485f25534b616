"""What answers when no rule scripted the request: shaped as the request obliges the real model."""

from __future__ import annotations

import enum
import json
from collections.abc import Callable

import openai
import pydantic
import pytest
from google import genai
from google.genai import errors, types

from mockgem import MockGemServer
from tests.clients.conftest import genai_client

MODEL = "gemini-2.5-flash"


class Item(pydantic.BaseModel):
    name: str
    price: float = pydantic.Field(ge=1)
    tags: list[str]


class Order(pydantic.BaseModel):
    id: int
    items: list[Item]
    note: str | None = None


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


def test_openai_parse_gets_a_valid_instance_without_any_rule(make_server: Callable[..., MockGemServer]) -> None:
    server = make_server()
    client = openai.OpenAI(api_key="k", base_url=server.openai_base_url)
    completion = client.chat.completions.parse(model=MODEL, messages=[{"role": "user", "content": "an order"}], response_format=Order)
    assert completion.choices[0].message.parsed == Order(id=0, items=[])


def test_openai_json_object_mode_gets_json(server: MockGemServer) -> None:
    client = openai.OpenAI(api_key="k", base_url=server.openai_base_url)
    answer = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "hi"}], response_format={"type": "json_object"})
    assert json.loads(answer.choices[0].message.content or "") == {}


def test_genai_response_schema_parses_from_the_default_reply(server: MockGemServer) -> None:
    client = genai_client(server)
    config = types.GenerateContentConfig(response_mime_type="application/json", response_schema=Order)
    response = client.models.generate_content(model=MODEL, contents="an order", config=config)
    assert response.parsed == Order(id=0, items=[])


def test_genai_enum_mode_gets_a_member(server: MockGemServer) -> None:
    client = genai_client(server)
    config = types.GenerateContentConfig(response_mime_type="text/x.enum", response_schema=Colour)
    assert client.models.generate_content(model=MODEL, contents="a colour", config=config).text == "red"


def test_a_rule_that_scripts_text_in_json_mode_is_kept(server: MockGemServer) -> None:
    client = genai_client(server)
    config = types.GenerateContentConfig(response_mime_type="application/json")
    assert client.models.generate_content(model=MODEL, contents="weather", config=config).text == "Sunny, 21 C"


def get_time(city: str, hours_ahead: int) -> str:
    """The time in a city."""
    return f"12:00 in {city}"


def test_function_calling_mode_any_gets_a_call_of_an_allowed_function(server: MockGemServer) -> None:
    client = genai_client(server)
    calling = types.FunctionCallingConfig(mode=types.FunctionCallingConfigMode.ANY, allowed_function_names=["get_time"])
    config = types.GenerateContentConfig(
        tools=[get_time], tool_config=types.ToolConfig(function_calling_config=calling),
        automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
    )
    response = client.models.generate_content(model=MODEL, contents="what time is it?", config=config)
    assert response.function_calls and response.function_calls[0].name == "get_time"
    assert response.function_calls[0].args == {"city": "", "hours_ahead": 0}


def test_openai_tool_choice_required_gets_a_tool_call(server: MockGemServer) -> None:
    client = openai.OpenAI(api_key="k", base_url=server.openai_base_url)
    tool = {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]}}}
    answer = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "hi"}], tools=[tool], tool_choice="required")  # type: ignore[list-item]
    calls = answer.choices[0].message.tool_calls or []
    assert [(call.function.name, json.loads(call.function.arguments)) for call in calls] == [("lookup", {"q": ""})]  # type: ignore[union-attr]


def get_weather(city: str) -> str:
    """The weather in a city."""
    calls.append(city)
    return "sunny"


calls: list[str] = []


def test_an_agent_loop_ends_after_the_tool_answers(server: MockGemServer) -> None:
    calls.clear()
    client = genai_client(server)
    response = client.models.generate_content(model=MODEL, contents="call it", config=types.GenerateContentConfig(tools=[get_weather]))
    assert calls == ["Paris"]
    assert response.text == "Hello from mockgem."


def test_generate_on_an_embedding_model_is_not_found(server: MockGemServer) -> None:
    client = genai_client(server)
    with pytest.raises(errors.ClientError) as caught:
        client.models.generate_content(model="gemini-embedding-001", contents="hi")
    assert caught.value.code == 404 and "not supported for generateContent" in (caught.value.message or "")


def test_a_refused_request_uses_none_of_a_rules_times(make_server: Callable[..., MockGemServer]) -> None:
    server = make_server(rules={"rules": [{"match": {"contains": "go"}, "reply": {"text": "once"}, "times": 1}], "default": {"text": "later"}})
    client: genai.Client = genai_client(server)
    unsigned = [  # the model's call is sent back without its thought signature
        types.Content(role="user", parts=[types.Part(text="go")]),
        types.Content(role="model", parts=[types.Part(function_call=types.FunctionCall(name="f", args={}))]),
        types.Content(role="user", parts=[types.Part(function_response=types.FunctionResponse(name="f", response={}))]),
    ]
    with pytest.raises(errors.ClientError):
        client.models.generate_content(model="gemini-3-flash-preview", contents=unsigned)
    assert client.models.generate_content(model="gemini-3-flash-preview", contents="go").text == "once"


def test_gemini_3_signs_only_the_first_of_parallel_calls(make_server: Callable[..., MockGemServer]) -> None:
    calls_reply = {"function_calls": [{"name": "a", "args": {}}, {"name": "b", "args": {}}]}
    server = make_server(rules={"rules": [{"match": {"contains": "both"}, "reply": calls_reply}]})
    client = genai_client(server)
    config = types.GenerateContentConfig(automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True))
    response = client.models.generate_content(model="gemini-3-flash-preview", contents="both", config=config)
    parts = response.candidates[0].content.parts  # type: ignore[index, union-attr]
    assert [part.function_call.name for part in parts] == ["a", "b"]  # type: ignore[union-attr]
    assert [part.thought_signature is not None for part in parts] == [True, False]
