"""The match key of a request: method, endpoint, meaningful query, canonical body.

Two requests that the real API would answer the same way get equal keys: the API version and
host are left out, camelCase and snake_case field names are unified, key order does not count,
fields that change from run to run can be ignored by JSON path, and an `inlineData` blob counts
by its SHA-256, so a cassette whose blobs were redacted to their hash still matches the bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import re
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import parse_qsl, urlsplit

from mockgem.protocol.json_text import load_json
from mockgem.protocol.calls import VERSIONS, parse_call
from mockgem.protocol.casing import camel_keys
from mockgem.sources.cassettes.jsonpath import drop, edit_path, parse_path

BLOB_DIGEST_PREFIX = "sha256:"
# Standard Google parameters that change how an answer is delivered or billed, not what it is.
IGNORED_QUERY = frozenset(
    {"key", "alt", "$alt", "prettyPrint", "$.xgafv", "quotaUser", "uploadType", "upload_protocol", "upload_id"}
)
_MULTIPART_DELIMITER = re.compile(rb"\A--([!-~]{1,200})\r?\n")
# A request body that is no JSON, recorded as its digest.
OPAQUE_DIGEST_PREFIX = "sha256-bytes:"
_PIECE = 1 << 20
_OPAQUE_DIGEST = re.compile(rb"sha256-bytes:[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class KeyRules:
    """What matching ignores: JSON paths of the body, query parameters, and by default the version."""

    ignored_paths: tuple[str, ...] = ()
    ignored_query: frozenset[str] = IGNORED_QUERY
    match_version: bool = False

    def __post_init__(self) -> None:
        for path in self.ignored_paths:
            parse_path(path)  # a bad path fails when the rules are made, not at the first request


@dataclass(frozen=True, slots=True)
class RequestKey:
    method: str
    endpoint: tuple[str, ...]
    query: tuple[tuple[str, str], ...]
    body: str


@dataclass(frozen=True, slots=True)
class RequestShape:
    """The readable parts behind a key: what near-miss messages compare."""

    method: str
    endpoint: tuple[str, ...]
    query: tuple[tuple[str, str], ...]
    body: Any
    body_digest: str
    body_is_json: bool

    @property
    def key(self) -> RequestKey:
        return RequestKey(self.method, self.endpoint, self.query, self.body_digest)

    @property
    def endpoint_text(self) -> str:
        """`gemini-2.5-flash:generateContent (gemini)`, `files.get abc (gemini)` or the bare path."""
        if self.endpoint[0] == "path":
            return "/" + self.endpoint[1]
        surface, action, model, resource = self.endpoint[:4]
        name = f"{model}:{action}" if model else " ".join(part for part in (action, resource) if part)
        return f"{name} ({surface})"


def describe_request(method: str, target: str, body: bytes, rules: KeyRules | None = None) -> RequestShape:
    """The shape of `method target` with `body`; `target` is a path with query, or a whole URL."""
    rules = rules or KeyRules()
    parts = urlsplit(target)
    query = tuple(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in rules.ignored_query))
    value, digest, is_json = canonical_body(body, rules)
    return RequestShape(method.upper(), endpoint_of(method, parts.path, rules), query, value, digest, is_json)


def request_key(method: str, target: str, body: bytes, rules: KeyRules | None = None) -> RequestKey:
    return describe_request(method, target, body, rules).key


def endpoint_of(method: str, path: str, rules: KeyRules) -> tuple[str, ...]:
    """Surface, action, model and resource of the call; the bare path when no API method has it."""
    call = parse_call(method, path)
    version: tuple[str, ...] = ()
    if call is None:
        segments = [s for s in path.split("/") if s and (rules.match_version or s not in VERSIONS)]
        return ("path", "/".join(segments))
    if rules.match_version:
        version = (call.version,)
    return (call.surface, call.action, call.model or "", call.resource or "", *version)


def canonical_body(body: bytes, rules: KeyRules) -> tuple[Any, str, bool]:
    """The canonical JSON value, its digest, and whether the body was JSON at all."""
    if not body.strip():
        return None, "", False
    if _OPAQUE_DIGEST.fullmatch(body):  # bytes recorded as their digest (`--hash-blobs-over`)
        return None, "bytes:" + body[len(OPAQUE_DIGEST_PREFIX) :].decode(), False
    try:
        value = load_json(body)
    except ValueError:
        return None, "bytes:" + opaque_digest(body), False
    value = _normalise(camel_keys(value))
    for path in rules.ignored_paths:
        value = edit_path(value, parse_path(path), drop)
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return value, "json:" + hashlib.sha256(text.encode()).hexdigest(), True


def _normalise(value: Any) -> Any:
    """Blobs to their digest, 1.0 to 1 (JSON does not tell them apart), and a turn of `contents`
    with no role as a `user` turn, as the API reads it."""
    if isinstance(value, list):
        return [_normalise(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if not isinstance(value, dict):
        return value
    result = {key: _normalise(item) for key, item in value.items()}
    blob = result.get("inlineData")
    if isinstance(blob, dict) and isinstance(blob.get("data"), str):
        result["inlineData"] = {**blob, "data": blob_digest(blob["data"])}
    contents = result.get("contents")
    if isinstance(contents, list):
        result["contents"] = [{"role": "user", **turn} if isinstance(turn, dict) and "role" not in turn else turn for turn in contents]
    return result


def blob_digest(data: str) -> str:
    """`sha256:<hex>` of a base64 blob's bytes; a digest stays itself."""
    if data.startswith(BLOB_DIGEST_PREFIX):
        return data
    try:
        raw = base64.b64decode(data + "=" * (-len(data) % 4), altchars=b"-_")
    except (binascii.Error, ValueError):
        raw = data.encode()
    return BLOB_DIGEST_PREFIX + hashlib.sha256(raw).hexdigest()


def opaque_digest(body: bytes) -> str:
    """The SHA-256 of a body that is no JSON, its multipart boundary read as `BOUNDARY`:
    multipart uploads pick a random one per request, which must not change the key."""
    return opaque_file_digest(io.BytesIO(body))


def opaque_file_digest(body: IO[bytes]) -> str:
    """`opaque_digest` of a file's bytes (a spooled upload), read a piece at a time."""
    found = _MULTIPART_DELIMITER.match(body.read(256))
    body.seek(0)
    boundary = found.group(1) if found else b""
    digest, carry = hashlib.sha256(), b""
    while piece := body.read(_PIECE):
        carry = _digest_replacing(digest, carry + piece, boundary, final=False)
    _digest_replacing(digest, carry, boundary, final=True)
    return digest.hexdigest()


def _digest_replacing(digest: Any, data: bytes, boundary: bytes, *, final: bool) -> bytes:
    """Feeds `data` with each `boundary` as `BOUNDARY`; returns the end that may begin one that
    the next piece completes (nothing when `final`)."""
    if not boundary:
        digest.update(data)
        return b""
    complete_before = len(data) if final else len(data) - len(boundary) + 1
    position = 0
    while (at := data.find(boundary, position)) >= 0 and at < complete_before:
        digest.update(data[position:at] + b"BOUNDARY")
        position = at + len(boundary)
    safe = max(position, complete_before)
    digest.update(data[position:safe])
    return data[safe:]
