"""HAR 1.2 (browser devtools, Polly.JS) read into interactions."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from mockgem.errors import CassetteError
from mockgem.sources.cassettes.bodies import as_bytes, decode_content
from mockgem.sources.cassettes.model import Headers, Interaction, RecordedRequest, RecordedResponse


def read_har(document: Mapping[str, Any]) -> tuple[Interaction, ...]:
    entries = document["log"].get("entries")
    if not isinstance(entries, list):
        raise CassetteError("log.entries: expected a list of HAR entries")
    return tuple(_read_entry(entry, index) for index, entry in enumerate(entries))


def _read_entry(entry: Any, index: int) -> Interaction:
    place = f"log.entries[{index}]"
    if not isinstance(entry, dict):
        raise CassetteError(f"{place}: interaction #{index + 1} is not a mapping")
    for side in ("request", "response"):
        if not isinstance(entry.get(side), dict):
            raise CassetteError(f"{place}: `{side}` is missing or not a mapping")
    try:
        return Interaction(_read_request(entry["request"]), _read_response(entry["response"]))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        detail = f"missing `{exc.args[0]}`" if isinstance(exc, KeyError) else str(exc)
        raise CassetteError(f"{place}: {detail}") from exc


def _read_headers(raw: Any) -> Headers:
    # HTTP/2 pseudo-headers (`:authority`) are not headers a server can send back.
    return tuple((str(h["name"]), str(h["value"])) for h in raw or () if not str(h["name"]).startswith(":"))


def _read_request(raw: Mapping[str, Any]) -> RecordedRequest:
    return RecordedRequest(
        str(raw["method"]).upper(), str(raw["url"]), _read_headers(raw.get("headers")), _post_data(raw.get("postData"))
    )


def _post_data(raw: Any) -> bytes:
    if not raw:
        return b""
    if raw.get("text") is not None:
        text = raw["text"]
        return base64.b64decode(text) if raw.get("encoding") == "base64" else as_bytes(text)
    return urlencode([(p["name"], p.get("value", "")) for p in raw.get("params") or ()]).encode()


def _read_response(raw: Mapping[str, Any]) -> RecordedResponse:
    status = int(raw["status"])
    body, headers = decode_content(_content(raw.get("content") or {}), _read_headers(raw.get("headers")))
    return RecordedResponse(status, headers, body, str(raw.get("statusText") or ""))


def _content(content: Mapping[str, Any]) -> bytes:
    text = content.get("text")
    if text is None:
        return b""
    if content.get("encoding") != "base64":
        return as_bytes(text)
    # Polly.JS keeps an encoded response as a JSON list of its base64 chunks.
    if isinstance(text, str) and text.startswith("["):
        return b"".join(base64.b64decode(chunk) for chunk in json.loads(text))
    return base64.b64decode(text)
