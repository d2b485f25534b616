"""What Gemini's built-in tools add to an answer: Google Search grounding, code execution.

A request with a `googleSearch` (or the older `googleSearchRetrieval`) tool gets a candidate with
`groundingMetadata`, one with `codeExecution` gets its `executableCode` and `codeExecutionResult`
parts before the answer. A rule scripts either (`grounding_metadata`, `code_execution`); with no
script the answer carries a plausible one made from the question and the answer text. Shapes
from https://ai.google.dev/gemini-api/docs/google-search and /docs/code-execution.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pydantic import BaseModel, ConfigDict

from mockgem._types import JSONDict

SEARCH_TOOLS = frozenset({"googleSearch", "googleSearchRetrieval", "google_search", "google_search_retrieval"})
CODE_TOOLS = frozenset({"codeExecution", "code_execution"})
# Grounding links point at Google's redirector, never at the page itself.
REDIRECT_BASE = "https://vertexaisearch.cloud.google.com/grounding-api-redirect/"
SOURCE_SITE = "example.com"


class CodeExecutionReply(BaseModel):
    """A rule's scripted code run: the code the model wrote and what running it printed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    output: str = ""
    outcome: str = "OUTCOME_OK"
    language: str = "PYTHON"


def has_tool(request: JSONDict, names: frozenset[str]) -> bool:
    tools = request.get("tools") or []
    return any(isinstance(tool, dict) and names & tool.keys() for tool in (tools if isinstance(tools, list) else [tools]))


def code_execution_parts(scripted: CodeExecutionReply | None, request: JSONDict, answer: str) -> list[JSONDict]:
    """The code and its result, as the model's parts before its answer; none without the tool."""
    if scripted is None and not has_tool(request, CODE_TOOLS):
        return []
    run = scripted or CodeExecutionReply(code=f"print({answer!r})", output=f"{answer}\n")
    return [
        {"executableCode": {"language": run.language, "code": run.code}},
        {"codeExecutionResult": {"outcome": run.outcome, "output": run.output}},
    ]


def grounding_metadata(scripted: JSONDict | None, request: JSONDict, question: str, answer: str) -> JSONDict | None:
    """The candidate's `groundingMetadata`: the rule's, a plausible one for a search, else None."""
    if scripted is not None:
        return scripted
    if not has_tool(request, SEARCH_TOOLS):
        return None
    query = question.strip() or answer
    chunk = {"web": {"uri": REDIRECT_BASE + _token(query), "title": SOURCE_SITE}}
    size = len(answer.encode())
    metadata: JSONDict = {
        "searchEntryPoint": {"renderedContent": _search_chip(query)},
        "groundingChunks": [chunk],
        "webSearchQueries": [query],
    }
    if size:
        segment = {"startIndex": 0, "endIndex": size, "text": answer}
        metadata["groundingSupports"] = [{"segment": segment, "groundingChunkIndices": [0], "confidenceScores": [0.9]}]
    return metadata


def question_text(request: JSONDict) -> str:
    """The text of the last user turn: what a search would look up."""
    for content in reversed(request.get("contents") or []):
        if isinstance(content, dict) and content.get("role", "user") == "user":
            texts = [str(part["text"]) for part in content.get("parts") or [] if isinstance(part, dict) and "text" in part]
            if texts:
                return " ".join(texts)
    return ""


def answer_text(parts: Iterable[JSONDict]) -> str:
    return "".join(str(part["text"]) for part in parts if "text" in part and not part.get("thought"))


def _token(query: str) -> str:
    return "AUZIYQ" + hashlib.sha256(query.encode()).hexdigest()[:40]


def _search_chip(query: str) -> str:
    """The HTML of the "Google Search suggestions" chip the API asks apps to show."""
    escaped = query.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    link = f"https://www.google.com/search?q={escaped.replace(' ', '+')}"
    return f'<div class="container"><div class="chip"><a class="chip" href="{link}">{escaped}</a></div></div>'
