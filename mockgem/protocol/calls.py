"""Which API method a request names: method + path -> ApiCall.

One parser for every surface, so that handlers, matching and the journal all speak of the
same thing. A base-URL path prefix (`http://host/prefix/v1/...`) is skipped, as the SDKs keep it.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from urllib.parse import urlencode
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from mockgem.errors import ApiError

Surface = Literal["gemini", "vertex", "openai", "admin"]

VERSIONS = frozenset({"v1", "v1beta", "v1alpha", "v1beta1"})
_MODEL_ACTION = re.compile(r"^(?P<model>[^:]+):(?P<action>[A-Za-z]+)$")
_RESOURCE_ACTION = re.compile(r"^(?P<id>[^:]+)(?::(?P<action>[A-Za-z]+))?$")
_COLLECTIONS = {"files": "files", "cachedContents": "cachedContents", "batches": "batches", "fileSearchStores": "fileSearchStores", "auth_tokens": "auth_tokens"}
_ACTIONS: dict[str, str] = {"download": "GET", "cancel": "POST", "importFile": "POST", "uploadToFileSearchStore": "POST"}
# The Live API's WebSocket paths (google-genai `live.py`, @google/genai `Live.connect`).
_LIVE_PATH = re.compile(
    r"^ws/(?:google\.ai\.generativelanguage\.(?P<version>v1|v1beta|v1alpha)\.GenerativeService\."
    r"(?P<method>BidiGenerateContent(?:Constrained)?)"
    r"|google\.cloud\.aiplatform\.(?P<vertex_version>v1|v1beta1)\.LlmBidiService/(?P<vertex_method>BidiGenerateContent))$"
)
LIVE_ACTIONS = frozenset({"BidiGenerateContent", "BidiGenerateContentConstrained"})
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
    def is_live(self) -> bool:
        """A Live API session: a WebSocket, whose credentials and errors travel inside it."""
        return self.action in LIVE_ACTIONS

    @property
    def is_generate(self) -> bool:
        return self.action in {"generateContent", "streamGenerateContent", "chat.completions"}


@functools.lru_cache(maxsize=4096)
def parse_call(method: str, path: str) -> ApiCall | None:
    """The API call that `method path` names, or None when no method of the API has that path."""
    segments = [s for s in path.split("/") if s]
    if segments[:1] == ["_mockgem"]:
        return ApiCall("admin", "", "/".join(segments[1:]))
    live = parse_live_path(segments[segments.index("ws") :]) if "ws" in segments else None
    if live is not None:
        return live
    start = _version_index(segments)
    if start is None:
        return None
    upload = start > 0 and segments[start - 1] == "upload"
    version, rest = segments[start], segments[start + 1 :]
    call = _parse_rest(method.upper(), version, rest)
    if call is not None and upload:
        return _upload_call(call)
    return call


def _upload_call(call: ApiCall) -> ApiCall | None:
    """The methods with an upload path: files.create and fileSearchStores:uploadToFileSearchStore."""
    if call.action == "files.create":
        return ApiCall(call.surface, call.version, "files.upload", upload=True)
    if call.action == "fileSearchStores.uploadToFileSearchStore":
        return dataclasses.replace(call, upload=True)
    return None
def parse_live_path(segments: list[str]) -> ApiCall | None:
    """`ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent` and Vertex AI's form."""
    found = _LIVE_PATH.match("/".join(segments))
    if found is None:
        return None
    if found["vertex_method"]:
        return ApiCall("vertex", found["vertex_version"], found["vertex_method"])
    return ApiCall("gemini", found["version"], found["method"])


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
    if rest[:1] == ["models"]:
        return _parse_models(method, version, rest[1:], "gemini")
    if rest[:1] == ["tunedModels"]:
        return _parse_tuned_models(method, version, rest)
    if rest == ["files:register"]:
        return ApiCall("gemini", version, "files.register") if method == "POST" else None
    if rest[:1] == ["interactions"]:
        return _parse_interactions(method, version, rest[1:], "gemini")
    if rest and rest[0] in _COLLECTIONS:
        return _parse_collection(method, version, rest)
    return None


def _parse_tuned_models(method: str, version: str, rest: list[str]) -> ApiCall | None:
    """`tunedModels/{m}` as a resource (tunings, update, delete); `tunedModels/{m}:generateContent` as a model."""
    if len(rest) == 2 and _MODEL_ACTION.match(rest[1]) and not rest[1].endswith(":cancel"):
        return _parse_models(method, version, rest[1:], "gemini")
    return _parse_collection(method, version, rest)


def _parse_interactions(method: str, version: str, rest: list[str], surface: Surface) -> ApiCall | None:
    """The Interactions API: `interactions`, `interactions/{id}`, `interactions/{id}/cancel`."""
    if not rest:
        return ApiCall(surface, version, "interactions.create") if method == "POST" else None
    if len(rest) == 2 and rest[1] == "cancel" and method == "POST":
        return ApiCall(surface, version, "interactions.cancel", resource=rest[0])
    verb = {"GET": "get", "DELETE": "delete"}.get(method)
    return ApiCall(surface, version, f"interactions.{verb}", resource=rest[0]) if verb and len(rest) == 1 else None


def _parse_vertex(method: str, version: str, rest: list[str]) -> ApiCall | None:
    if len(rest) >= 2 and rest[0] == "publishers" and rest[2:3] == ["models"]:
        return _parse_models(method, version, rest[3:], "vertex")
    if rest and rest[0] in {"cachedContents", "batchPredictionJobs", "tuningJobs"}:
        return _parse_collection(method, version, rest, "vertex")
    if rest[:1] == ["models"] and len(rest) == 2:
        verb = {"GET": "get", "PATCH": "patch", "DELETE": "delete"}.get(method)
        return ApiCall("vertex", version, f"tunedModels.{verb}", resource=rest[1]) if verb else None
    if rest[:1] == ["operations"] and len(rest) == 2 and method == "GET":
        return ApiCall("vertex", version, "operations.get", resource=rest[1])
    if rest[:1] == ["interactions"]:
        return _parse_interactions(method, version, rest[1:], "vertex")
    return None


def _parse_models(method: str, version: str, rest: list[str], surface: Surface) -> ApiCall | None:
    if not rest:
        return ApiCall(surface, version, "models.list") if method == "GET" else None
    if len(rest) == 3 and rest[1] == "operations" and method == "GET":
        return ApiCall(surface, version, "models.operations.get", model=rest[0], resource=rest[2])
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
    if len(rest) > 2:
        return _parse_nested(method, version, rest, surface)
    found = _RESOURCE_ACTION.match(rest[1])
    if found is None:
        return None
    if found["action"]:
        action = f"{kind}.{found['action']}"
        return ApiCall(surface, version, action, resource=found["id"]) if _ACTIONS.get(found["action"]) == method else None
    verb = {"GET": "get", "DELETE": "delete", "PATCH": "patch"}.get(method)
    return ApiCall(surface, version, f"{kind}.{verb}", resource=found["id"]) if verb else None


def _parse_nested(method: str, version: str, rest: list[str], surface: Surface) -> ApiCall | None:
    """`kind/{id}/documents[/{d}]`, `kind/{id}/operations/{o}`, `kind/{id}/upload/operations/{o}`;
    the resource is the whole path after `kind/`."""
    kind, tail = rest[0], rest[2:]
    resource = "/".join(rest[1:])
    if tail == ["documents"]:
        return ApiCall(surface, version, f"{kind}.documents.list", resource=resource) if method == "GET" else None
    if len(tail) == 2 and tail[0] == "documents":
        verb = {"GET": "get", "DELETE": "delete"}.get(method)
        return ApiCall(surface, version, f"{kind}.documents.{verb}", resource=resource) if verb else None
    if tail[:-1] in (["operations"], ["upload", "operations"]) and method == "GET":
        return ApiCall(surface, version, f"{kind}.operations.get", resource=resource)
    return None


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


class Verdict:
    """Whether the real API would accept a request's body, worked out when first asked: a
    request a recording answers needs none."""

    __slots__ = ("_check", "_error", "_known")

    def __init__(self, check: Callable[[], None] | None = None) -> None:
        self._check = check
        self._error: ApiError | None = None
        self._known = check is None

    @classmethod
    def refused(cls, error: ApiError) -> Verdict:
        verdict = cls()
        verdict._error = error
        return verdict

    @property
    def error(self) -> ApiError | None:
        if not self._known and self._check is not None:
            try:
                self._check()
            except ApiError as error:
                self._error = error
            self._known = True
        return self._error


ACCEPTED = Verdict()


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
    verdict: Verdict = field(default_factory=lambda: ACCEPTED, compare=False)
    origin: str = ""

    @property
    def stream(self) -> bool:
        return self.call.action == "streamGenerateContent" or bool(self.body.get("stream"))

    @property
    def invalid(self) -> ApiError | None:
        return self.verdict.error

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
