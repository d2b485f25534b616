"""The match key of a request: method, endpoint, meaningful query, canonical body.

Two requests that the real API would answer the same way get equal keys: the API version and
host are left out, camelCase and snake_case field names are unified, key order does not count,
fields that change from run to run can be ignored by JSON path, and an `inlineData` blob counts
by its SHA-256, so a cassette whose blobs were redacted to their hash still matches the bytes.

What the key holds is `match_on`, in vcrpy's matcher names (`method`, `scheme`, `host`, `port`,
`path`, `query`, `body`, `headers`, `uri` for the first five) plus `gemini_body`, the body as the
API reads it (the default). `path` is the API method the path names (model and action, the
version and a base URL's prefix left out), or the bare path where no method has it; `body` is
the JSON value as sent (key order aside) or the raw bytes; `headers` asks that every header the
recording kept was sent with the same value (a recorder's filtered headers do not count).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import re
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any
from urllib.parse import parse_qsl, urlsplit

import orjson

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
URI_PARTS = ("scheme", "host", "port", "path", "query")
MATCHERS = ("method", "scheme", "host", "port", "path", "query", "body", "headers", "uri", "gemini_body")
DEFAULT_MATCH_ON = ("method", "path", "query", "gemini_body")
# Never compared: what a client's transport decides, and credentials (a recording keeps them redacted).
_UNCOMPARED_HEADERS = frozenset({
    "host", "content-length", "connection", "keep-alive", "accept-encoding", "transfer-encoding", "user-agent",
    "x-goog-api-client", "x-mockgem-cassette", "proxy-connection", "proxy-authorization", "x-goog-api-key", "authorization",
})  # fmt: skip
_DEFAULT_PORTS = {"http": "80", "https": "443", "ws": "80", "wss": "443"}


def matchers(names: Iterable[str]) -> frozenset[str]:
    """`match_on` as the aspects it compares (`uri` is its five parts); a name vcrpy or mockgem
    does not know is a ValueError that lists the known ones."""
    found: set[str] = set()
    for name in names:
        if name not in MATCHERS:
            raise ValueError(f"unknown matcher {name!r}; known matchers: {', '.join(MATCHERS)}")
        found.update(URI_PARTS if name == "uri" else (name,))
    return frozenset(found)


@dataclass(frozen=True, slots=True)
class KeyRules:
    """What matching ignores: JSON paths of the body, query parameters, and by default the version."""

    ignored_paths: tuple[str, ...] = ()
    ignored_query: frozenset[str] = IGNORED_QUERY
    match_version: bool = False
    match_on: tuple[str, ...] = DEFAULT_MATCH_ON
    matched: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for path in self.ignored_paths:
            parse_path(path)  # a bad path fails when the rules are made, not at the first request
        object.__setattr__(self, "matched", matchers(self.match_on))

    @property
    def gemini_body(self) -> bool:
        """Whether bodies are read as the API reads them (else as plain JSON, for vcrpy's `body`)."""
        return "gemini_body" in self.matched or "body" not in self.matched


@dataclass(frozen=True, slots=True)
class RequestKey:
    method: str
    endpoint: tuple[str, ...]
    query: tuple[tuple[str, str], ...]
    body: str
    origin: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RequestShape:
    """The readable parts behind a key: what near-miss messages compare. `origin` is scheme,
    host and port (empty for a bare path); `matched` the aspects its key holds (`match_on`)."""

    method: str
    endpoint: tuple[str, ...]
    query: tuple[tuple[str, str], ...]
    body: Any
    body_digest: str
    body_is_json: bool
    origin: tuple[str, str, str] = ("", "", "")
    headers: tuple[tuple[str, str], ...] = ()
    matched: frozenset[str] = field(default=frozenset(matchers(DEFAULT_MATCH_ON)), compare=False)

    @property
    def key(self) -> RequestKey:
        """The aspects `match_on` names; the others count as equal for every request."""
        matched = self.matched
        body = self.body_digest if matched & {"body", "gemini_body"} else ""
        origin = tuple(part if name in matched else "" for name, part in zip(URI_PARTS, self.origin, strict=False))
        return RequestKey(self.method if "method" in matched else "", self.endpoint if "path" in matched else (),
                          self.query if "query" in matched else (), body, origin)

    @property
    def route(self) -> RequestKey:
        """The key without body and query: recordings of the same method and path share it."""
        key = self.key
        return RequestKey(key.method, key.endpoint, (), "", key.origin)

    def headers_fit(self, sent: RequestShape) -> bool:
        """Whether `sent` carries every header this (recorded) request kept, with its value."""
        given = set(sent.headers)
        return all(header in given for header in self.headers)

    @property
    def endpoint_text(self) -> str:
        """`gemini-2.5-flash:generateContent (gemini)`, `files.get abc (gemini)` or the bare path."""
        if self.endpoint[0] == "path":
            return "/" + self.endpoint[1]
        surface, action, model, resource = self.endpoint[:4]
        name = f"{model}:{action}" if model else " ".join(part for part in (action, resource) if part)
        return f"{name} ({surface})"


def describe_request(method: str, target: str, body: bytes, rules: KeyRules | None = None,
                     headers: Iterable[tuple[str, str]] = ()) -> RequestShape:
    """The shape of `method target` with `body`; `target` is a path with query, or a whole URL."""
    rules = rules or KeyRules()
    parts = urlsplit(target)
    query = tuple(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in rules.ignored_query))
    value, digest, is_json = canonical_body(body, rules)
    scheme = parts.scheme.lower()
    origin = (scheme, (parts.hostname or "").lower(), str(parts.port or _DEFAULT_PORTS.get(scheme, ""))) if parts.netloc else ("", "", "")
    return RequestShape(method.upper(), endpoint_of(method, parts.path, rules), query, value, digest, is_json,
                        origin, compared_headers(headers) if "headers" in rules.matched else (), rules.matched)


def compared_headers(headers: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """The headers `headers` matching compares: names lower-cased, the transport's left out."""
    return tuple(sorted({(name.lower(), value) for name, value in headers if name.lower() not in _UNCOMPARED_HEADERS}))


class ShapeMemo:
    """`describe_request` remembered for requests seen before, byte for byte: a test suite sends
    the same request again and again, and its shape does not change. Small bodies only, and a
    bounded number of them."""

    def __init__(self, rules: KeyRules, *, size: int = 4096, body_limit: int = 64 * 1024) -> None:
        self._rules, self._size, self._body_limit = rules, size, body_limit
        self._shapes: OrderedDict[tuple[str, str, bytes], RequestShape] = OrderedDict()

    def describe(self, method: str, target: str, body: bytes, headers: Iterable[tuple[str, str]] = ()) -> RequestShape:
        if len(body) > self._body_limit or "headers" in self._rules.matched:
            return describe_request(method, target, body, self._rules, headers)
        key = (method, target, body)
        shape = self._shapes.get(key)
        if shape is None:
            shape = self._shapes[key] = describe_request(method, target, body, self._rules)
            if len(self._shapes) > self._size:
                self._shapes.popitem(last=False)
        return shape


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
    if rules.gemini_body:
        value = _normalise(camel_keys(value))
    for path in rules.ignored_paths:
        value = edit_path(value, parse_path(path), drop)
    return value, "json:" + hashlib.sha256(_canonical_text(value)).hexdigest(), True


def _loads(body: bytes) -> Any:
    """orjson's parse, or the standard library's for what orjson refuses (a lone surrogate, an
    integer beyond 64 bits), which must still be told apart from a body that is no JSON."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return json.loads(body)


def _canonical_text(value: Any) -> bytes:
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # what orjson cannot write (a lone surrogate, a huge integer)
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "surrogatepass")


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
