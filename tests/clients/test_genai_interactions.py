"""google-genai `client.interactions` (the Interactions API) over a real socket: create, chaining,
background, cancel, delete, the streamed events, the error envelope, and the rules it shares with
generateContent."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from google import genai
from google.genai._interactions_errors import APIStatusError  # what the SDK's Interactions client raises

from mockgem import MockGemServer
from tests.clients.conftest import genai_client, vertex_genai_client

MODEL = "gemini-2.5-flash"
RULES = {
    "rules": [
        {"match": {"contains": "weather"}, "reply": {"text": "Sunny, 21 C"}},
        {"match": {"contains": "look it up"}, "reply": {"function_calls": [{"name": "lookup", "args": {"q": "x"}, "id": "call1"}]}},
    ],
    "default": {"text": "Hello from the rules."},
}


@pytest.fixture
def server(make_server: Callable[..., MockGemServer]) -> MockGemServer:
    return make_server(rules=RULES)


@pytest.fixture
def client(server: MockGemServer) -> genai.Client:
    return genai_client(server)


def test_create_answers_steps_and_output_text(client: genai.Client) -> None:
    interaction = client.interactions.create(model=MODEL, input="What is the weather?")
    assert (interaction.status, interaction.output_text, interaction.model) == ("completed", "Sunny, 21 C", MODEL)
    assert [step.type for step in interaction.steps or []] == ["user_input", "model_output"]
    assert interaction.usage and interaction.usage.total_tokens and interaction.id


def test_one_rule_answers_generate_content_and_interactions_alike(client: genai.Client) -> None:
    generated = client.models.generate_content(model=MODEL, contents="the weather today")
    assert generated.text == client.interactions.create(model=MODEL, input="the weather today").output_text == "Sunny, 21 C"


def test_a_function_call_rule_asks_for_action(client: genai.Client) -> None:
    interaction = client.interactions.create(model=MODEL, input="please look it up", tools=[{"type": "function", "name": "lookup", "parameters": {"type": "object"}}])
    call = (interaction.steps or [])[-1]
    assert interaction.status == "requires_action" and (call.type, call.name, call.arguments, call.id) == ("function_call", "lookup", {"q": "x"}, "call1")  # type: ignore[union-attr]


def test_previous_interaction_id_chains_and_an_unknown_one_is_not_found(client: genai.Client) -> None:
    first = client.interactions.create(model=MODEL, input="hello")
    second = client.interactions.create(model=MODEL, input="and the weather?", previous_interaction_id=first.id)
    assert (second.previous_interaction_id, second.output_text) == (first.id, "Sunny, 21 C")
    with pytest.raises(APIStatusError) as raised:
        client.interactions.create(model=MODEL, input="again", previous_interaction_id="unknown")
    assert raised.value.status_code == 404 and raised.value.body == {"error": {"message": "Interaction unknown not found.", "code": "not_found"}}


def test_get_and_delete(client: genai.Client) -> None:
    created = client.interactions.create(model=MODEL, input="hello")
    assert client.interactions.get(created.id or "").output_text == "Hello from the rules."
    client.interactions.delete(created.id or "")
    with pytest.raises(APIStatusError) as raised:
        client.interactions.get(created.id or "")
    assert raised.value.status_code == 404


def test_background_is_in_progress_then_completed(client: genai.Client) -> None:
    created = client.interactions.create(model=MODEL, input="hello", background=True)
    assert created.status == "in_progress" and not created.steps
    assert client.interactions.get(created.id or "").status == "completed"


def test_cancel_stops_a_background_interaction(make_server: Callable[..., MockGemServer]) -> None:
    client = genai_client(make_server(rules=RULES, operation_duration=3600))
    created = client.interactions.create(model=MODEL, input="hello", background=True)
    assert client.interactions.get(created.id or "").status == "in_progress"
    assert client.interactions.cancel(created.id or "").status == "cancelled"
    assert client.interactions.get(created.id or "").status == "cancelled"
    with pytest.raises(APIStatusError) as raised:
        client.interactions.cancel(created.id or "")
    assert raised.value.status_code == 400 and isinstance(raised.value.body, dict) and raised.value.body["error"]["code"] == "invalid_request"


def test_streamed_create_sends_the_event_types_the_sdk_parses(client: genai.Client) -> None:
    events = list(client.interactions.create(model=MODEL, input="What is the weather?", stream=True))
    kinds = [event.event_type for event in events]
    assert kinds[0] == "interaction.created" and kinds[-1] == "interaction.completed"
    assert {"step.start", "step.delta", "step.stop"} <= set(kinds)
    text = "".join(event.delta.text for event in events if event.event_type == "step.delta")  # type: ignore[union-attr]
    assert text == "Sunny, 21 C" and events[-1].interaction.status == "completed"  # type: ignore[union-attr]


def test_a_create_without_input_is_an_invalid_request(client: genai.Client) -> None:
    with pytest.raises(APIStatusError) as raised:
        client.interactions.create(model=MODEL, input="")
    assert raised.value.status_code == 400 and isinstance(raised.value.body, dict) and raised.value.body["error"]["code"] == "invalid_request"


def test_vertex_interactions_are_answered_too(server: MockGemServer) -> None:
    client = vertex_genai_client(server)
    assert client.interactions.create(model=MODEL, input="the weather").output_text == "Sunny, 21 C"
