"""pydantic-ai with a GoogleProvider at mockgem (base_url). Its requests carry two User-Agents."""

from __future__ import annotations

from pydantic import BaseModel
from pydantic_ai import Agent
from pydantic_ai.models.google import GoogleModel
from pydantic_ai.providers.google import GoogleProvider
from scenarios import MODEL, URL, run_scenarios

model = GoogleModel(MODEL, provider=GoogleProvider(api_key="test-key", base_url=URL))


class City(BaseModel):
    city: str
    temperature: int


def run() -> dict[str, object]:
    result = Agent(model).run_sync("Say hello")
    return {"text": result.output, "tokens": result.usage().total_tokens}


async def stream() -> dict[str, object]:
    async with Agent(model).run_stream("Tell me a story") as result:
        deltas = [delta async for delta in result.stream_text(delta=True)]
    return {"chunks": len(deltas), "text": "".join(deltas)}


def tools() -> dict[str, object]:
    agent = Agent(model)
    calls: list[str] = []

    @agent.tool_plain
    def get_weather(city: str) -> str:
        """The weather in a city."""
        calls.append(city)
        return "sunny"

    text = agent.run_sync("What is the weather in Paris?").output
    return {"calls": calls, "text": text}


def structured() -> dict[str, object]:
    result = Agent(model, output_type=City).run_sync("Which city is it?")
    return {"type": type(result.output).__name__, "output": result.output.model_dump()}


run_scenarios({"run": run, "stream": stream, "tools": tools, "structured": structured})
