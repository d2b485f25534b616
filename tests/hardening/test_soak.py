"""Mixed SDK clients at once (google-genai and openai, unary and streams, from threads), each
asking with a marker of its own: every answer carries the asker's marker and no other's, and
the journal holds each request once. Sizes: `sizes.scale` (120 clients under `make soak`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import openai
from google import genai
from google.genai import types

from mockgem import MockGemServer
from tests.hardening.sizes import report, scale

CLIENTS = scale(ci=8, soak=120)
ROUNDS = scale(ci=6, soak=900)
MODEL = "gemini-2.5-flash"


def marker_rules(count: int) -> dict[str, object]:
    rules = [{"match": {"contains": f"marker-{n}:"}, "reply": {"text": f"answer for marker-{n} in three words"}, "stream": {"chunks": 3}}
             for n in range(count)]
    return {"rules": rules}


def genai_asker(server: MockGemServer, number: int) -> Callable[[int], list[str]]:
    client = genai.Client(api_key=f"key-{number}", http_options=types.HttpOptions(base_url=server.url))

    def ask(round_number: int) -> list[str]:
        prompt = f"marker-{number}: round {round_number}"
        if round_number % 2:
            return [chunk.text or "" for chunk in client.models.generate_content_stream(model=MODEL, contents=prompt)]
        return [client.models.generate_content(model=MODEL, contents=prompt).text or ""]

    return ask


def openai_asker(server: MockGemServer, number: int) -> Callable[[int], list[str]]:
    client = openai.OpenAI(api_key=f"key-{number}", base_url=server.openai_base_url, max_retries=0)

    def ask(round_number: int) -> list[str]:
        messages = [{"role": "user", "content": f"marker-{number}: round {round_number}"}]
        if round_number % 2:
            stream = client.chat.completions.create(model=MODEL, messages=messages, stream=True)  # type: ignore[arg-type]
            return [chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices]
        return [client.chat.completions.create(model=MODEL, messages=messages).choices[0].message.content or ""]  # type: ignore[arg-type]

    return ask


def test_mixed_sdk_clients_at_once_get_only_their_own_answers() -> None:
    crossed: list[str] = []
    lock = threading.Lock()
    with MockGemServer(rules=marker_rules(CLIENTS), journal_size=CLIENTS * ROUNDS + 10) as server:

        def run(number: int) -> int:
            ask = (genai_asker if number % 2 else openai_asker)(server, number)
            for round_number in range(ROUNDS):
                text = "".join(ask(round_number))
                if text != f"answer for marker-{number} in three words":
                    with lock:
                        crossed.append(f"client {number} round {round_number}: {text!r}")
            return ROUNDS

        started = time.monotonic()
        with ThreadPoolExecutor(CLIENTS) as pool:
            answered = sum(pool.map(run, range(CLIENTS)))
        seconds = time.monotonic() - started
        entries = server.requests.entries
    assert crossed == []
    assert answered == CLIENTS * ROUNDS == len(entries)
    prompts = [str(entry.request["contents"][-1]["parts"][0]["text"]) for entry in entries]
    assert len(set(prompts)) == len(prompts)  # each request journaled once, with its own body
    report("mixed SDK soak", clients=CLIENTS, requests=answered, seconds=round(seconds, 1), cross_talk=len(crossed))
