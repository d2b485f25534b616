"""What the built-in tools give a reply: Google Search grounding, URL context, code execution, File Search.

A rule may script each (`grounding`, `code_execution`); otherwise a request that offers the tool
gets a plausible, well-formed result of it, shaped as real answers are: `groundingMetadata`
with a search entry point, chunks, supports (byte offsets) and the queries; `urlContextMetadata`
per URL of the prompt; `executableCode` then `codeExecutionResult` parts before the text;
`retrievedContext` chunks naming the File Search store.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from pydantic import Field

from mockgem._types import JSONDict
from mockgem.sources.strict import Strict

REDIRECT = "https://vertexaisearch.cloud.google.com/grounding-api-redirect/"
_URL = re.compile(r"https?://[^\s\"'<>)]+")
QUERY_LENGTH = 80


class WebSource(Strict):
    uri: str
    title: str


class GroundingReply(Strict):
    """Scripted grounding: the search queries and web sources, or the whole `groundingMetadata` as `raw`."""

    queries: list[str] = Field(default_factory=list)
    sources: list[WebSource] = Field(default_factory=list)
    raw: dict[str, Any] | None = None


class CodeExecutionReply(Strict):
    code: str
    output: str = ""
    outcome: str = "OUTCOME_OK"
    language: str = "PYTHON"


def offered_tools(request: JSONDict) -> dict[str, JSONDict]:
    """The built-in tools of a GenerateContentRequest by name (`googleSearch`, `codeExecution`...)."""
    tools = request.get("tools") or []
    offered: dict[str, JSONDict] = {}
    for tool in [tools] if isinstance(tools, dict) else tools:
        for name in ("googleSearch", "googleSearchRetrieval", "urlContext", "codeExecution", "fileSearch"):
            if isinstance(tool, dict) and name in tool:
                offered["googleSearch" if name == "googleSearchRetrieval" else name] = tool[name] if isinstance(tool[name], dict) else {}
    return offered


def code_execution_parts(scripted: list[CodeExecutionReply] | None, offered: bool, text: str) -> list[JSONDict]:
    """The code the model ran and its result, as parts that come before the answer's text."""
    runs = scripted if scripted is not None else ([CodeExecutionReply(code=f"print({text!r})", output=text + "\n")] if offered else [])
    parts: list[JSONDict] = []
    for run in runs:
        parts.append({"executableCode": {"language": run.language, "code": run.code}})
        parts.append({"codeExecutionResult": {"outcome": run.outcome, "output": run.output}})
    return parts


def tool_metadata(scripted: GroundingReply | None, request: JSONDict, prompt: str, text: str) -> JSONDict:
    """The candidate fields the offered tools add: `groundingMetadata`, `urlContextMetadata`."""
    offered = offered_tools(request)
    fields: JSONDict = {}
    if scripted is not None:
        fields["groundingMetadata"] = scripted.raw if scripted.raw is not None else _web_grounding(scripted, text)
    elif "googleSearch" in offered:
        fields["groundingMetadata"] = _web_grounding(_default_search(prompt), text)
    elif "fileSearch" in offered:
        fields["groundingMetadata"] = _file_grounding(offered["fileSearch"], text)
    if "urlContext" in offered:
        urls = _URL.findall(prompt)
        fields["urlContextMetadata"] = {"urlMetadata": [{"retrievedUrl": url, "urlRetrievalStatus": "URL_RETRIEVAL_STATUS_SUCCESS"} for url in urls]}
    return fields


def _default_search(prompt: str) -> GroundingReply:
    query = " ".join(prompt.split())[:QUERY_LENGTH] or "search"
    digest = hashlib.sha256(query.encode()).hexdigest()[:48]
    return GroundingReply(queries=[query], sources=[WebSource(uri=REDIRECT + digest, title="example.com")])


def _web_grounding(grounding: GroundingReply, text: str) -> JSONDict:
    chunks = [{"web": {"uri": source.uri, "title": source.title}} for source in grounding.sources]
    metadata: JSONDict = {"searchEntryPoint": {"renderedContent": _entry_point(grounding.queries)}}
    metadata["groundingChunks"] = chunks
    if chunks and text:
        metadata["groundingSupports"] = [_support(text, list(range(len(chunks))))]
    metadata["webSearchQueries"] = grounding.queries
    return metadata


def _file_grounding(tool: JSONDict, text: str) -> JSONDict:
    stores = tool.get("fileSearchStoreNames") or tool.get("file_search_store_names") or []
    store = str(stores[0]) if stores else "fileSearchStores/unknown"
    chunk = {"retrievedContext": {"fileSearchStore": store, "text": f"A passage of a document in {store}."}}
    return {"groundingChunks": [chunk], **({"groundingSupports": [_support(text, [0])]} if text else {})}


def _support(text: str, chunks: list[int]) -> JSONDict:
    # Segment offsets count UTF-8 bytes; proto3 leaves a zero startIndex out, as real answers show.
    return {"segment": {"endIndex": len(text.encode()), "text": text}, "groundingChunkIndices": chunks}


def _entry_point(queries: list[str]) -> str:
    chips = "".join(f'<a class="chip" href="https://www.google.com/search?q={_escape(q)}">{_escape(q)}</a>' for q in queries)
    return f'<div class="container"><div class="headline">Google Search</div><div class="carousel">{chips}</div></div>\n'


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
