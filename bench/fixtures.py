"""The recordings, rules and requests the benchmark serves, written into a temporary directory.

Sizes follow the issue's measurement: a ~290-byte request, a ~1.5 KB answer, a 20-event stream.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mockgem.translate.chat_request import to_generate_request

MODEL = "gemini-2.5-flash"
HOST = "https://generativelanguage.googleapis.com"
GENERATE = f"/v1beta/models/{MODEL}:generateContent"
STREAM = f"/v1beta/models/{MODEL}:streamGenerateContent?alt=sse"
CHAT = "/v1beta/openai/chat/completions"
STREAM_EVENTS = 20
ANSWER_TEXT = (
    "Paris is mild today: a grey morning clears by noon, with a high of 21 C and a light westerly wind. "
) * 11
RULE_MARKER = "bench-scripted-rule"


def prompt_body(text: str) -> bytes:
    """A generateContent request body of about 290 bytes around `text`."""
    return json.dumps({
        "contents": [{"role": "user", "parts": [{"text": text}]}],
        "systemInstruction": {"parts": [{"text": "You are a concise assistant. Answer in one paragraph."}]},
        "generationConfig": {"temperature": 0.2, "maxOutputTokens": 512, "candidateCount": 1},
    }, separators=(",", ":")).encode()


UNARY_BODY = prompt_body("What is the weather like in Paris today, and should I take an umbrella?")
STREAM_BODY = prompt_body("Tell me, in twenty short pieces, what the weather in Paris is like today.")
RULE_BODY = prompt_body(f"{RULE_MARKER}: what is the weather like in Lyon today?")
MISS_BODY = prompt_body("A question that was never recorded: what is the weather like in Oslo?")
CHAT_BODY = json.dumps({
    "model": MODEL,
    "messages": [{"role": "user", "content": "What is the weather like in Paris today, in one paragraph?"}],
}).encode()


def generate_response(text: str, response_id: str) -> dict[str, Any]:
    return {
        "candidates": [{"content": {"parts": [{"text": text}], "role": "model"}, "finishReason": "STOP", "index": 0}],
        "usageMetadata": {"promptTokenCount": 31, "candidatesTokenCount": 262, "totalTokenCount": 293,
                          "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 31}]},
        "modelVersion": MODEL,
        "responseId": response_id,
    }


def stream_events() -> bytes:
    """Twenty SSE events, as the API sends them: CRLF-separated, usage on every one."""
    pieces = ANSWER_TEXT.split(" ")
    step = len(pieces) // STREAM_EVENTS + 1
    events = []
    for index in range(STREAM_EVENTS):
        chunk = generate_response(" ".join(pieces[index * step:(index + 1) * step]) + " ", "bench-stream")
        if index < STREAM_EVENTS - 1:
            del chunk["candidates"][0]["finishReason"]
        events.append(b"data: " + json.dumps(chunk, separators=(",", ":")).encode() + b"\r\n\r\n")
    return b"".join(events)


def interaction(method: str, path: str, body: bytes, status: int, content_type: str, answer: bytes,
                offsets: list[float] | None = None) -> dict[str, Any]:
    """One vcrpy interaction; `offsets` are a stream's chunk times (mockgem's `chunk_offsets`)."""
    response: dict[str, Any] = {
        "status": {"code": status, "message": "OK"},
        "headers": {"Content-Type": [content_type], "Server": ["scaffolding on HTTPServer2"], "Vary": ["Origin", "X-Origin", "Referer"]},
        "body": {"string": answer.decode()},
    }
    if offsets is not None:
        response["chunk_offsets"] = offsets
    return {
        "request": {"method": method, "uri": HOST + path, "body": body.decode(),
                    "headers": {"Content-Type": ["application/json"], "x-goog-api-key": ["<REDACTED>"]}},
        "response": response,
    }


def unary_interaction(body: bytes = UNARY_BODY, response_id: str = "bench-unary") -> dict[str, Any]:
    answer = json.dumps(generate_response(ANSWER_TEXT, response_id), indent=2).encode()
    return interaction("POST", GENERATE, body, 200, "application/json; charset=UTF-8", answer)


def stream_interaction() -> dict[str, Any]:
    # Zero gaps recorded: `--replay-timing recorded` plays them through the paced path with no wait.
    return interaction("POST", STREAM, STREAM_BODY, 200, "text/event-stream", stream_events(), [0.0] * STREAM_EVENTS)


def chat_native_interaction() -> dict[str, Any]:
    """The native recording the OpenAI-compatible request is translated to."""
    native = to_generate_request(json.loads(CHAT_BODY)).request
    return unary_interaction(json.dumps(native).encode(), "bench-chat")


def write_cassette(path: Path, interactions: list[dict[str, Any]], *, as_json: bool = False) -> Path:
    """A vcrpy cassette (YAML, or vcrpy's JSON serializer when `as_json`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"interactions": interactions, "version": 1}
    if as_json:
        path.write_text(json.dumps(document))
    else:
        path.write_text(yaml.dump(document, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True))
    return path


def write_scenario_cassettes(directory: Path) -> Path:
    """The cassettes every throughput scenario replays from."""
    write_cassette(directory / "unary.yaml", [unary_interaction()])
    write_cassette(directory / "stream.yaml", [stream_interaction()])
    write_cassette(directory / "chat.yaml", [chat_native_interaction()])
    return directory


def write_rules(path: Path) -> Path:
    rules = {"rules": [{"match": {"contains": RULE_MARKER}, "reply": {"text": ANSWER_TEXT}}]}
    path.write_text(yaml.safe_dump(rules))
    return path


def filler(index: int) -> dict[str, Any]:
    """A small distinct recording: the haystack of the scale runs."""
    answer = json.dumps(generate_response(f"Recorded answer number {index}.", f"filler-{index}")).encode()
    return interaction("POST", GENERATE, prompt_body(f"Recorded question number {index}"), 200, "application/json", answer)


def write_haystack(directory: Path, count: int, per_file: int = 100) -> Path:
    """`count` recorded interactions (the unary one last) in JSON cassettes of `per_file` each."""
    entries = [filler(index) for index in range(count - 1)] + [unary_interaction()]
    for start in range(0, count, per_file):
        write_cassette(directory / f"part-{start // per_file:05d}.json", entries[start:start + per_file], as_json=True)
    return directory


def write_cassette_tree(directory: Path, count: int) -> Path:
    """`count` YAML cassettes of two interactions each (a question and a stream), as a test suite has."""
    stream = stream_interaction()
    for index in range(count):
        entries = [unary_interaction(prompt_body(f"Test {index}: what is the weather like?"), f"tree-{index}"), stream]
        write_cassette(directory / f"suite-{index // 100:02d}" / f"test_{index:04d}.yaml", entries)
    write_cassette(directory / "unary.yaml", [unary_interaction()])
    return directory


@dataclass(frozen=True)
class Request:
    """What the load generator sends: the same bytes to mockgem and to the baseline."""

    method: str
    path: str
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()

    def all_headers(self, scenario: str) -> dict[str, str]:
        base = {"x-goog-api-key": "bench", "X-Bench-Scenario": scenario}
        if self.body:
            base["Content-Type"] = "application/json"
        return {**base, **dict(self.headers)}
