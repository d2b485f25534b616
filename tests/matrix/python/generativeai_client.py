"""The deprecated google-generativeai 0.8 over REST, its endpoint at mockgem (client_options)."""

from __future__ import annotations

import google.generativeai as genai
from google.generativeai import protos
from scenarios import MODEL, URL, run_scenarios

genai.configure(api_key="test-key", transport="rest", client_options={"api_endpoint": URL})
model = genai.GenerativeModel(MODEL)
weather = protos.FunctionDeclaration(
    name="get_weather", description="The weather in a city",
    parameters=protos.Schema(type=protos.Type.OBJECT, properties={"city": protos.Schema(type=protos.Type.STRING)}),
)


def generate() -> dict[str, object]:
    response = model.generate_content("Say hello")
    return {"text": response.text, "tokens": response.usage_metadata.total_token_count}


def stream() -> dict[str, object]:
    texts = [chunk.text for chunk in model.generate_content("Tell me a story", stream=True)]
    return {"chunks": len(texts), "text": "".join(texts)}


def count_tokens() -> dict[str, object]:
    return {"total": model.count_tokens("How many tokens is this?").total_tokens}


def embed() -> dict[str, object]:
    result = genai.embed_content(model="models/gemini-embedding-001", content="one", output_dimensionality=8)
    return {"size": len(result["embedding"])}


def function_response() -> dict[str, object]:
    """Manual function calling as the SDK's docs show it: the result goes back as a `function` turn."""
    with_tools = genai.GenerativeModel(MODEL, tools=[protos.Tool(function_declarations=[weather])])
    question = protos.Content(role="user", parts=[protos.Part(text="What is the weather in Paris?")])
    first = with_tools.generate_content([question])
    call = first.candidates[0].content.parts[0].function_call
    result = protos.Part(function_response=protos.FunctionResponse(name=call.name, response={"output": "sunny"}))
    second = with_tools.generate_content([question, first.candidates[0].content, protos.Content(role="function", parts=[result])])
    return {"call": call.name, "args": dict(call.args), "text": second.text}


run_scenarios({"generate": generate, "stream": stream, "count_tokens": count_tokens, "embed": embed, "function_response": function_response})
