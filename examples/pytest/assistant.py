"""A small app that uses Gemini through google-genai: what the example tests exercise."""

from __future__ import annotations

from google import genai
from google.genai import types

MODEL = "gemini-2.5-flash"


def summarize(text: str) -> str:
    """One sentence about `text`."""
    client = genai.Client()
    config = types.GenerateContentConfig(system_instruction="Summarize in one sentence.", temperature=0.2)
    return client.models.generate_content(model=MODEL, contents=text, config=config).text or ""


def tell_story(topic: str) -> list[str]:
    """A short story about `topic`, as the pieces it streamed in."""
    client = genai.Client()
    stream = client.models.generate_content_stream(model=MODEL, contents=f"Tell a very short story about {topic}.")
    return [chunk.text or "" for chunk in stream]


def prompt_size(text: str) -> int:
    """How many tokens `text` costs as a prompt."""
    client = genai.Client()
    return client.models.count_tokens(model=MODEL, contents=text).total_tokens or 0
