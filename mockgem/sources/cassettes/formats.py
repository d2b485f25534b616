"""Cassette files of every recorder we know, read into the same `Interaction` list.

Each reader is a pure function of already-parsed data. `load_cassette` picks one by content:
vcrpy YAML or JSON (pytest-recording too, and pydantic-ai's `parsed_body` variant), Ruby VCR and
R vcr (`http_interactions`), HAR 1.2, Go's httprr traces; a gzip-compressed file is unpacked first.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml

from mockgem.errors import CassetteError, NotACassette
from mockgem.sources.cassettes.bodies import as_bytes, decode_content
from mockgem.sources.cassettes.har import read_har
from mockgem.sources.cassettes.httprr import HTTPRR_MAGIC, read_httprr
from mockgem.sources.cassettes.model import Cassette, Headers, Interaction, RecordedRequest, RecordedResponse, WebSocketMessage
from mockgem.sources.cassettes.parsed_cache import read_cached
from mockgem.sources.cassettes.safe_yaml import load_yaml

_Side = TypeVar("_Side", RecordedRequest, RecordedResponse)
CHUNK_OFFSETS_KEY = "chunk_offsets"
WEBSOCKET_KEY = "websocket_messages"


def load_cassette(path: Path, root: Path | None = None) -> Cassette:
    """The cassette in `path`, named relative to `root`; CassetteError names file and place."""
    name = path.relative_to(root).as_posix() if root is not None else path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CassetteError(f"{path}: cannot read the cassette: {exc.strerror or exc}") from exc
    try:
        file_format, interactions = read_cached(path, root or path.parent, data, read_interactions)
    except CassetteError as exc:
        raise type(exc)(f"{path}: {exc}") from exc
    return Cassette(name, path, interactions, file_format)


# How mockgem's own cassettes start and end (`store.py`), and how each item starts.
_OWN_HEAD, _OWN_TAIL, _OWN_ITEM = b"interactions:\n- request:\n    body:", b"\nversion: 1\n", b"\n- request:\n    body:"


def read_interactions(data: bytes) -> tuple[str, tuple[Interaction, ...]]:
    """The format name and interactions of a cassette file's bytes; of a cassette mockgem was
    killed while appending to, those before the torn last item (which may even parse, with a
    value cut short)."""
    return _read_interactions(_without_torn_item(data) or data)


def _without_torn_item(data: bytes) -> bytes | None:
    """A mockgem cassette that lacks its closing line (its writer stopped mid-item), cut before
    that last item; None for any other file."""
    if not data.startswith(_OWN_HEAD) or data.endswith(_OWN_TAIL):
        return None
    cut = data.rfind(_OWN_ITEM)
    first = len(b"interactions:")
    return data[: cut + 1] + _OWN_TAIL[1:] if cut > first else b"interactions: []\n" + _OWN_TAIL[1:]


def _read_interactions(data: bytes) -> tuple[str, tuple[Interaction, ...]]:
    if data.startswith(b"\x1f\x8b"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise CassetteError(f"the file looks gzip-compressed but does not inflate: {exc}") from exc
    if data.startswith(HTTPRR_MAGIC):
        return "httprr", read_httprr(data)
    document = _parse_document(data)
    if isinstance(document, dict) and isinstance(document.get("log"), dict):
        return "har", read_har(document)
    return _read_vcr_family(document)


def _parse_document(data: bytes) -> Any:
    if data.lstrip()[:1] in (b"{", b"["):
        try:
            return json.loads(data)
        except ValueError:
            pass  # YAML flow style also starts with a brace: let the YAML parser say what is wrong
    try:
        return load_yaml(data)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise CassetteError(f"{where}not a readable cassette ({exc.problem or exc.context})") from exc
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        raise CassetteError(f"not a readable cassette: {exc}") from exc


def _read_vcr_family(document: Any) -> tuple[str, tuple[Interaction, ...]]:
    if isinstance(document, dict) and isinstance(document.get("interactions"), list):
        entries: list[Any] = document["interactions"]
        file_format = "pydantic-ai" if _has_parsed_body(entries) else "vcrpy"
        return file_format, read_vcrpy(entries, where="interactions")
    if isinstance(document, dict) and isinstance(document.get("http_interactions"), list):
        return "vcr", read_vcr(document["http_interactions"], where="http_interactions")
    known = isinstance(document, dict) and any(key in document for key in ("interactions", "http_interactions", "log"))
    raise (CassetteError if known else NotACassette)(
        "not a cassette: expected `interactions` (vcrpy), `http_interactions` (Ruby / R vcr), "
        "a HAR `log` or an `httprr trace v1` header"
    )


def _has_parsed_body(entries: list[Any]) -> bool:
    return any(
        isinstance(side, dict) and "parsed_body" in side
        for entry in entries
        if isinstance(entry, dict)
        for side in (entry.get("request"), entry.get("response"))
    )


def read_vcrpy(entries: Sequence[Any], where: str = "interactions") -> tuple[Interaction, ...]:
    """vcrpy version 1 (YAML or JSON serializer), including pydantic-ai's `parsed_body` bodies."""
    return _read_entries(entries, where, _vcrpy_request, _vcrpy_response)


def read_vcr(entries: Sequence[Any], where: str = "http_interactions") -> tuple[Interaction, ...]:
    """Ruby VCR 6 and R vcr: bodies under `string` or `base64_string`, lower-case methods."""
    return _read_entries(entries, where, _vcr_request, _vcr_response)


def _read_entries(
    entries: Sequence[Any],
    where: str,
    request: Callable[[Mapping[str, Any]], RecordedRequest],
    response: Callable[[Mapping[str, Any]], RecordedResponse],
) -> tuple[Interaction, ...]:
    return tuple(
        Interaction(_read_side(entry, place, "request", request), _read_side(entry, place, "response", response))
        for entry, place in _placed(entries, where)
    )


def _placed(entries: Sequence[Any], where: str) -> Iterator[tuple[Mapping[str, Any], str]]:
    """Each entry with its place, `interactions[0]`; one that is no mapping is refused."""
    for index, entry in enumerate(entries):
        place = f"{where}[{index}]"
        if not isinstance(entry, dict):
            raise CassetteError(f"{place}: interaction #{index + 1} is not a mapping")
        yield entry, place


def _read_side(entry: Mapping[str, Any], place: str, side: str, reader: Callable[[Mapping[str, Any]], _Side]) -> _Side:
    if not isinstance(entry.get(side), dict):
        raise CassetteError(f"{place}: `{side}` is missing or not a mapping")
    try:
        return reader(entry[side])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CassetteError(f"{place}.{side}: {_describe(exc)}") from exc


def _describe(exc: Exception) -> str:
    return f"missing `{exc.args[0]}`" if isinstance(exc, KeyError) else str(exc)


def read_headers(raw: Any) -> Headers:
    """`{name: [values]}` (vcrpy, Ruby), `{name: value}` (R vcr) or None, as name/value pairs."""
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise ValueError(f"headers must be a mapping, not {type(raw).__name__}")
    pairs: list[tuple[str, str]] = []
    for name, values in raw.items():
        for value in values if isinstance(values, list) else [values]:
            pairs.append((str(name), "" if value is None else str(value)))
    return tuple(pairs)


def _json_text(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def _vcrpy_body(side: Mapping[str, Any], nested: bool) -> bytes:
    if "parsed_body" in side:
        return _json_text(side["parsed_body"])
    body = side.get("body")
    if nested and isinstance(body, dict):
        body = body.get("string")
    if isinstance(body, dict) and "state" in body:  # vcrpy's old pickled BytesIO request body
        body = (body["state"] or [b""])[0]
    return as_bytes(body)


def _vcrpy_request(side: Mapping[str, Any]) -> RecordedRequest:
    return RecordedRequest(
        str(side["method"]).upper(), str(side["uri"]), read_headers(side.get("headers")), _vcrpy_body(side, False)
    )


def _vcrpy_response(side: Mapping[str, Any]) -> RecordedResponse:
    status, reason = read_status(side["status"])
    body, headers = decode_content(_vcrpy_body(side, True), read_headers(side.get("headers")))
    return RecordedResponse(status, headers, body, reason, read_offsets(side.get(CHUNK_OFFSETS_KEY)), read_websocket(side.get(WEBSOCKET_KEY)))


def read_status(raw: Any) -> tuple[int, str]:
    """`{code, message}` (vcrpy, Ruby), `{status_code, message}` or a bare number (R vcr)."""
    if isinstance(raw, dict):
        code = raw.get("code", raw.get("status_code"))
        return _status_code(code), str(raw.get("message") or "")
    return _status_code(raw), ""


def _status_code(raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int | str) or not str(raw).strip().isdigit():
        raise ValueError(f"the status must be a number, not {raw!r}")
    code = int(raw)
    if not 100 <= code <= 599:
        raise ValueError(f"the status {code} is not an HTTP status")
    return code


def read_offsets(raw: Any) -> tuple[float, ...] | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(x, int | float) for x in raw):
        raise ValueError(f"`{CHUNK_OFFSETS_KEY}` must be a list of seconds")
    return tuple(float(x) for x in raw)


def read_websocket(raw: Any) -> tuple[WebSocketMessage, ...] | None:
    """mockgem's extension for a recorded WebSocket session: `[{type, time, opcode, data}]`."""
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise ValueError(f"`{WEBSOCKET_KEY}` must be a list of messages")
    return tuple(_websocket_message(item, index) for index, item in enumerate(raw))


def _websocket_message(item: Mapping[str, Any], index: int) -> WebSocketMessage:
    kind, opcode, at = item.get("type"), item.get("opcode", 1), item.get("time", 0)
    if kind not in {"send", "receive"} or opcode not in {1, 2, 8} or not isinstance(at, int | float):
        raise ValueError(f"`{WEBSOCKET_KEY}[{index}]`: expected type send|receive, opcode 1|2|8 and a time in seconds")
    code = item.get("code")
    return WebSocketMessage(str(kind), float(at), int(opcode), as_bytes(item.get("data")), int(code) if isinstance(code, int) else None)


def _vcr_body(raw: Any) -> bytes:
    if not isinstance(raw, dict):
        return as_bytes(raw)
    if raw.get("base64_string") is not None:
        return base64.b64decode(str(raw["base64_string"]))
    return as_bytes(raw.get("string"))


def _vcr_request(side: Mapping[str, Any]) -> RecordedRequest:
    headers = read_headers(side.get("headers"))
    return RecordedRequest(str(side["method"]).upper(), str(side["uri"]), headers, _vcr_body(side.get("body")))


def _vcr_response(side: Mapping[str, Any]) -> RecordedResponse:
    status, reason = read_status(side["status"])
    headers = tuple((k, v) for k, v in read_headers(side.get("headers")) if not _is_status_line(k, v))
    body, headers = decode_content(_vcr_body(side.get("body")), headers)
    return RecordedResponse(status, headers, body, reason)


def _is_status_line(name: str, value: str) -> bool:
    # R vcr keeps the status line as a pseudo-header: `status: HTTP/1.1 200 OK`
    return name.lower() == "status" and value.startswith("HTTP/")
