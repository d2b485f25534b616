"""langchain-google-genai's chat model and embeddings pointed at mockgem by base_url."""

from __future__ import annotations

from langchain_core.messages import HumanMessage, ToolMessage
from langchain_core.tools import tool
from langchain_google_genai import ChatGoogleGenerativeAI, GoogleGenerativeAIEmbeddings
from pydantic import BaseModel
from scenarios import MODEL, URL, run_scenarios

chat = ChatGoogleGenerativeAI(model=MODEL, google_api_key="test-key", base_url=URL)


class City(BaseModel):
    city: str
    temperature: int


@tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return "sunny"


def invoke() -> dict[str, object]:
    message = chat.invoke("Say hello")
    return {"text": message.text, "tokens": (message.usage_metadata or {}).get("total_tokens")}


def stream() -> dict[str, object]:
    texts = [chunk.text for chunk in chat.stream("Tell me a story")]
    return {"chunks": len(texts), "text": "".join(texts)}


def bind_tools() -> dict[str, object]:
    with_tools = chat.bind_tools([get_weather])
    messages: list = [HumanMessage("What is the weather in Paris?")]
    first = with_tools.invoke(messages)
    call = first.tool_calls[0]
    messages += [first, ToolMessage(get_weather.invoke(call["args"]), tool_call_id=call["id"], name=call["name"])]
    return {"call": call["name"], "args": call["args"], "text": with_tools.invoke(messages).text}


def with_structured_output() -> dict[str, object]:
    result = chat.with_structured_output(City).invoke("Which city is it?")
    return {"type": type(result).__name__, "output": result.model_dump() if isinstance(result, BaseModel) else result}


def embeddings() -> dict[str, object]:
    embedder = GoogleGenerativeAIEmbeddings(model="gemini-embedding-001", google_api_key="test-key", base_url=URL)
    vectors = embedder.embed_documents(["one", "two"])
    return {"count": len(vectors), "size": len(vectors[0]), "query": len(embedder.embed_query("one"))}


run_scenarios({
    "invoke": invoke, "stream": stream, "bind_tools": bind_tools,
    "with_structured_output": with_structured_output, "embeddings": embeddings,
})
