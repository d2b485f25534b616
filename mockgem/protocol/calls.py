"""Which API method a request names: method + path -> ApiCall.

One parser for every surface, so that handlers, matching and the journal all speak of the
same thing. A base-URL path prefix (`http://host/prefix/v1/...`) is skipped, as the SDKs keep it.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode
from dataclasses import dataclass
from typing import Any, Literal

from mockgem.errors import ApiError

Surface = Literal["gemini", "vertex", "openai", "admin"]

VERSIONS = frozenset({"v1", "v1beta", "v1alpha", "v1beta1"})
_MODEL_ACTION = re.compile(r"^(?P<model>[^:]+):(?P<action>[A-Za-z]+)$")
_RESOURCE_ACTION = re.compile(r"^(?P<id>[^:]+)(?::(?P<action>[A-Za-z]+))?$")
_COLLECTIONS = {"files": "files", "cachedContents": "cachedContents", "batches": "batches"}
# UNVERIFIED: Google documents the OpenAI-compatible layer under /v1beta/openai/ only; /v1/openai/ is taken as a 404.
OPENAI_VERSION = "v1beta"


@dataclass(frozen=True, slots=True)
class ApiCall:
    """A request's meaning: surface, API version, model and action (e.g. `generateContent`)."""

    surface: Surface
    version: str
    action: str
    model: str | None = None
    resource: str | None = None
    project: str | None = None
    location: str | None = None
    upload: bool = False

    @property
    def is_generate(self) -> bool:
        return self.action in {"generateContent", "streamGenerateContent", "chat.completions"}


def parse_call(method: str, path: str) -> ApiCall | None:
    """The API call that `method path` names, or None when no method of the API has that path."""
    segments = [s for s in path.split("/") if s]
    if segments[:1] == ["_mockgem"]:
        return ApiCall("admin", "", "/".join(segments[1:]))
    start = _version_index(segments)
    if start is None:
        return None
    upload = start > 0 and segments[start - 1] == "upload"
    version, rest = segments[start], segments[start + 1 :]
    call = _parse_rest(method.upper(), version, rest)
    if call is not None and upload:
        return ApiCall(call.surface, version, "files.upload", upload=True) if call.action == "files.create" else None
    return call


def names_openai_layer(path: str) -> bool:
    """Whether `path` lies under an OpenAI-compatible base URL, whether or not it names a method."""
    segments = [s for s in path.split("/") if s]
    start = _version_index(segments)
    if start is None:
        return False
    version, rest = segments[start], segments[start + 1 :]
    if rest[:1] == ["openai"]:
        return version == OPENAI_VERSION
    return rest[:1] == ["projects"] and rest[2:3] == ["locations"] and rest[4:6] == ["endpoints", "openapi"]


def _version_index(segments: list[str]) -> int | None:
    for index, segment in enumerate(segments):
        if segment in VERSIONS:
            return index
    return None


def _parse_rest(method: str, version: str, rest: list[str]) -> ApiCall | None:
    if rest[:1] == ["openai"]:
        return _parse_openai(method, version, rest[1:], "openai") if version == OPENAI_VERSION else None
    if rest[:1] == ["projects"] and len(rest) >= 4 and rest[2] == "locations":
        project, location, tail = rest[1], rest[3], rest[4:]
        if tail[:2] == ["endpoints", "openapi"]:
            call = _parse_openai(method, version, tail[2:], "vertex")
        else:
            call = _parse_vertex(method, version, tail)
        return None if call is None else _with_place(call, project, location)
    if rest[:1] == ["publishers"]:
        return _parse_vertex(method, version, rest)
    return _parse_gemini(method, version, rest)


def _with_place(call: ApiCall, project: str, location: str) -> ApiCall:
    return ApiCall(call.surface, call.version, call.action, call.model, call.resource, project, location)


def _parse_gemini(method: str, version: str, rest: list[str]) -> ApiCall | None:
    if rest[:1] in (["models"], ["tunedModels"]):
        return _parse_models(method, version, rest[1:], "gemini")
    if rest and rest[0] in _COLLECTIONS:
        return _parse_collection(method, version, rest)
    return None


def _parse_vertex(method: str, version: str, rest: list[str]) -> ApiCall | None:
    if len(rest) >= 2 and rest[0] == "publishers" and rest[2:3] == ["models"]:
        return _parse_models(method, version, rest[3:], "vertex")
    if rest and rest[0] in {"cachedContents", "batchPredictionJobs"}:
        return _parse_collection(method, version, rest, "vertex")
    return None


def _parse_models(method: str, version: str, rest: list[str], surface: Surface) -> ApiCall | None:
    if not rest:
        return ApiCall(surface, version, "models.list") if method == "GET" else None
    if len(rest) != 1:
        return None
    found = _MODEL_ACTION.match(rest[0])
    if found is None:
        return ApiCall(surface, version, "models.get", model=rest[0]) if method == "GET" else None
    if method != "POST":
        return None
    return ApiCall(surface, version, found["action"], model=found["model"])


def _parse_collection(method: str, version: str, rest: list[str], surface: Surface = "gemini") -> ApiCall | None:
    kind = rest[0]
    if len(rest) == 1:
        verb = {"GET": "list", "POST": "create"}.get(method)
        return ApiCall(surface, version, f"{kind}.{verb}") if verb else None
    if len(rest) != 2:
        return None
    found = _RESOURCE_ACTION.match(rest[1])
    if found is None:
        return None
    if found["action"]:
        action = f"{kind}.{found['action']}"
        allowed = {"download": "GET", "cancel": "POST"}.get(found["action"])
        return ApiCall(surface, version, action, resource=found["id"]) if allowed == method else None
    verb = {"GET": "get", "DELETE": "delete", "PATCH": "patch"}.get(method)
    return ApiCall(surface, version, f"{kind}.{verb}", resource=found["id"]) if verb else None


def _parse_openai(method: str, version: str, rest: list[str], surface: Surface) -> ApiCall | None:
    joined = "/".join(rest)
    if joined == "chat/completions" and method == "POST":
        return ApiCall(surface, version, "chat.completions")
    if joined == "embeddings" and method == "POST":
        return ApiCall(surface, version, "embeddings")
    if rest[:1] == ["models"] and method == "GET":
        if len(rest) == 1:
            return ApiCall(surface, version, "openai.models.list")
        return ApiCall(surface, version, "openai.models.get", model="/".join(rest[1:]))
    return None


@dataclass(frozen=True, slots=True)
class ApiRequest:
    """One parsed request as every source sees it.

    `body` is canonical: keys of known API fields in camelCase whatever the client sent,
    user maps (function args, schemas) untouched. `method` and `path` are the client's HTTP
    request, with `raw` its bytes: a recording is matched against those first, so an
    OpenAI-compatible request translated to `call` still finds a recording of its own path.
    `invalid` is the error the real API would give for the body: a recording may still answer
    (the real API accepted what was recorded), the simulators raise it. `origin` is the
    `scheme://host` the client addressed (Google's, through the proxy).
    """

    call: ApiCall
    body: dict[str, Any]
    raw: bytes = b""
    query: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    method: str = ""
    path: str = ""
    invalid: ApiError | None = None
    origin: str = ""

    @property
    def stream(self) -> bool:
        return self.call.action == "streamGenerateContent" or bool(self.body.get("stream"))

    @property
    def target(self) -> str:
        """The client's path and query, as a recording's URI is compared with it."""
        return f"{self.path}?{urlencode(self.query)}" if self.query else self.path

    @property
    def url(self) -> str:
        """The whole URL the client asked for: what `match_on` compares scheme, host and port in."""
        return self.origin + self.target

    def query_value(self, name: str) -> str | None:
        return next((value for key, value in self.query if key == name), None)
