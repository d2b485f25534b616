"""What never reaches a cassette file: API keys, credentials, cookies, OAuth tokens.

The defaults are always applied; `RedactionRules` adds headers, query parameters and JSON paths,
and can replace large `inlineData` blobs by their digest (matching treats both as equal). JSON
filters reach into every chunk of a stream, SSE or JSON array, and leave untouched bytes as they were.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qsl, unquote_plus, urlsplit, urlunsplit

from mockgem.protocol.json_text import load_json
from mockgem.sources.cassettes.jsonpath import edit_path, parse_path
from mockgem.sources.cassettes.keys import OPAQUE_DIGEST_PREFIX, blob_digest, opaque_digest
from mockgem.sources.cassettes.model import Headers, Interaction, header_values
from mockgem.sse import dump_line

REDACTED = "<REDACTED>"
SECRET_HEADERS = frozenset(
    {"x-goog-api-key", "authorization", "proxy-authorization", "cookie", "set-cookie", "x-goog-iam-authorization-token"}
)
SECRET_QUERY = frozenset({"key", "access_token", "token"})
# OAuth token exchanges (Vertex AI credentials) carry these in JSON or form bodies.
SECRET_FIELDS = ("access_token", "refresh_token", "id_token", "client_secret", "assertion", "subject_token")
# Values that stand for a secret instead of being one, as a whole: empty, <API_KEY>, {{token}},
# ${KEY}, or only the words recorders and people write instead (REDACTED, FILTERED, dummy, fake,
# X-GOOG-API-KEY-XXX...). A value with anything else in it ("sk-FAKE-4f9a0c...") may be real.
_PLACEHOLDER = re.compile(r"\s*(?:(?:bearer|basic)\s+)?(?:<[^>]*>|\{\{.*\}\}|\$\{.*\})?\s*", re.IGNORECASE)
_PLACEHOLDER_WORDS = frozenset(
    "redacted filtered scrubbed removed masked hidden dummy fake placeholder invalid example sample your my "
    "api key keys token access auth authorization bearer basic cookie secret goog google gemini x none null".split()
)
_MASK = re.compile(r"x{3,}|\*{3,}", re.IGNORECASE)
# A value in a header or a query that carries a credential of its own: an upload session URL.
_URL_QUERY_SECRET = re.compile(r"([?&](?:key|access_token|token)=)[^&#\s\"']+", re.IGNORECASE)
_LEAK_PATTERNS = {
    # Real keys are 39 characters; a shorter one (a truncated or test key) still leaks something.
    "a Google API key": re.compile(rb"AIza[0-9A-Za-z_\-]{8,}"),
    "an OAuth access token": re.compile(rb"ya29\.[0-9A-Za-z_\-.]{20,}"),
    "an OAuth refresh token": re.compile(rb"1//0[0-9A-Za-z_\-]{20,}"),
}


@dataclass(frozen=True, slots=True)
class RedactionRules:
    """Filters on top of the defaults; `blob_limit` (decoded bytes) turns blob hashing on."""

    headers: frozenset[str] = frozenset()
    query: frozenset[str] = frozenset()
    json_paths: tuple[str, ...] = ()
    blob_limit: int | None = None

    def __post_init__(self) -> None:
        for path in self.json_paths:
            parse_path(path)


def redact(interaction: Interaction, rules: RedactionRules | None = None) -> Interaction:
    """`interaction` as it may be written to disk."""
    rules = rules or RedactionRules()
    request, response = interaction.request, interaction.response
    secret_headers = SECRET_HEADERS | {name.lower() for name in rules.headers}
    clean_request = replace(
        request,
        uri=_redact_uri(request.uri, SECRET_QUERY | rules.query),
        headers=_drop_headers(request.headers, secret_headers),
        body=_hashed_upload(request.body, rules) or _redact_body(request.body, request.headers, rules),
    )
    clean_response = replace(
        response,
        headers=_redacted_urls(_drop_headers(response.headers, secret_headers), SECRET_QUERY | rules.query),
        body=_redact_body(response.body, response.headers, rules),
    )
    return Interaction(clean_request, clean_response)


def _drop_headers(headers: Headers, names: frozenset[str]) -> Headers:
    return tuple((name, value) for name, value in headers if name.lower() not in names)


def _redacted_urls(headers: Headers, names: frozenset[str]) -> Headers:
    """Headers whose value is a URL (`x-goog-upload-url`, `location`) without its secret query."""
    return tuple((name, _redact_uri(value, names) if _is_url(value) else value) for name, value in headers)


def _is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def redact_text(text: str) -> str:
    """`text` (an error message) with any URL's key or token masked."""
    return _URL_QUERY_SECRET.sub(rf"\1{REDACTED}", text)


def _redact_uri(uri: str, names: frozenset[str]) -> str:
    parts = urlsplit(uri)
    if not parts.query:
        return uri
    # Edit the raw query piece by piece, so the parameters that stay keep their exact spelling.
    kept = [piece for piece in parts.query.split("&") if unquote_plus(piece.partition("=")[0]) not in names]
    return urlunsplit(parts._replace(query="&".join(kept)))


def _redact_body(body: bytes, headers: Headers, rules: RedactionRules) -> bytes:
    content_type = ";".join(header_values(headers, "content-type")).lower()
    if "x-www-form-urlencoded" in content_type:
        return _redact_form(body)
    if "text/event-stream" in content_type or body.lstrip().startswith(b"data:"):
        return b"".join(_redact_sse_line(line, rules) for line in body.splitlines(keepends=True))
    try:
        value = load_json(body)
    except ValueError:
        return body
    # A top-level array is the stream form without `alt=sse`: each item is one response.
    cleaned = [_redact_json(item, rules) for item in value] if isinstance(value, list) else _redact_json(value, rules)
    return body if cleaned == value else json.dumps(cleaned, ensure_ascii=False).encode()


def _hashed_upload(body: bytes, rules: RedactionRules) -> bytes | None:
    """A request body that is no JSON (uploaded bytes, a multipart upload) over the blob limit,
    as its digest: matching reads the digest as it reads the bytes (`keys.opaque_digest`)."""
    if rules.blob_limit is None or len(body) <= rules.blob_limit or body.lstrip()[:1] in (b"{", b"["):
        return None
    return f"{OPAQUE_DIGEST_PREFIX}{opaque_digest(body)}".encode()


def _redact_sse_line(line: bytes, rules: RedactionRules) -> bytes:
    """One line of an SSE body, rewritten only when a filter changed its `data:` JSON."""
    if not line.startswith(b"data:"):
        return line
    try:
        value = load_json(line[5:])
    except ValueError:
        return line  # `[DONE]`, or data split over several lines
    cleaned = _redact_json(value, rules)
    return line if cleaned == value else b"data: " + dump_line(cleaned) + line[len(line.rstrip(b"\r\n")) :]


def _redact_json(value: Any, rules: RedactionRules) -> Any:
    for path in (*SECRET_FIELDS, *rules.json_paths):
        value = edit_path(value, parse_path(path), _mask)
    return _hash_blobs(value, rules.blob_limit) if rules.blob_limit is not None else value


def _mask(_: Any) -> str:
    return REDACTED


def _hash_blobs(value: Any, limit: int) -> Any:
    if isinstance(value, list):
        return [_hash_blobs(item, limit) for item in value]
    if not isinstance(value, dict):
        return value
    result = {key: _hash_blobs(item, limit) for key, item in value.items()}
    for name in ("inlineData", "inline_data"):
        blob = result.get(name)
        if isinstance(blob, dict) and isinstance(blob.get("data"), str) and _decoded_size(blob["data"]) > limit:
            result[name] = {**blob, "data": blob_digest(blob["data"])}
    return result


def _decoded_size(base64_text: str) -> int:
    return len(base64_text.rstrip("=")) * 3 // 4


def _redact_form(body: bytes) -> bytes:
    pieces = body.split(b"&")
    names = {name.encode() for name in SECRET_FIELDS}
    cleaned = [
        piece.partition(b"=")[0] + b"=" + REDACTED.encode() if piece.partition(b"=")[0] in names else piece
        for piece in pieces
    ]
    return b"&".join(cleaned)


def find_secrets(interaction: Interaction) -> list[str]:
    """Places where a real credential seems to be left: for `mockgem cassette check`.

    Anything that looks like a Google key or OAuth token, anywhere; and a secret header or query
    parameter (which mockgem never writes) holding a value that is not an obvious placeholder."""
    request, response = interaction.request, interaction.response
    places = [
        ("request URI", request.uri.encode()),
        *((f"request header {name}", value.encode()) for name, value in request.headers),
        ("request body", request.body),
        *((f"response header {name}", value.encode()) for name, value in response.headers),
        ("response body", response.body),
    ]
    found = [f"{what} in the {place}" for place, data in places for what in _leaks(data)]
    return found + [
        f"an unredacted secret in the {place}"
        for place, value in _secret_values(interaction)
        if not _leaks(value.encode()) and not is_placeholder(value)  # a leak pattern already said it
    ]


def is_placeholder(value: str) -> bool:
    """Whether `value`, as a whole, stands for a secret instead of being one."""
    if _PLACEHOLDER.fullmatch(value):
        return True
    text = re.sub(r"^\s*(?:bearer|basic)\s+", "", value, flags=re.IGNORECASE)
    words = [word for word in re.split(r"[^0-9A-Za-z*]+", text) if word]
    return bool(words) and all(word.lower() in _PLACEHOLDER_WORDS or _MASK.fullmatch(word) for word in words)


def _leaks(data: bytes) -> list[str]:
    return [what for what, pattern in _LEAK_PATTERNS.items() if pattern.search(data)]


def _secret_values(interaction: Interaction) -> list[tuple[str, str]]:
    """The values of secret headers (both sides) and secret query parameters, with their place."""
    request, response = interaction.request, interaction.response
    query = parse_qsl(urlsplit(request.uri).query, keep_blank_values=True)
    return [
        *((f"request header {name}", value) for name, value in request.headers if name.lower() in SECRET_HEADERS),
        *((f"response header {name}", value) for name, value in response.headers if name.lower() in SECRET_HEADERS),
        *((f"request query parameter {name}", value) for name, value in query if name in SECRET_QUERY),
        *_url_secrets("request", request.headers),
        *_url_secrets("response", response.headers),
    ]


def _url_secrets(side: str, headers: Headers) -> list[tuple[str, str]]:
    """The secret query parameters of URL-valued headers (an upload session URL with `key=`)."""
    return [
        (f"{side} header {name} (its {key} parameter)", value)
        for name, url in headers if _is_url(url)
        for key, value in parse_qsl(urlsplit(url).query, keep_blank_values=True) if key in SECRET_QUERY
    ]
