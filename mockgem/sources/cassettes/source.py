"""`CassetteSource`: recorded interactions answered as Gemini answers, streams chunk by chunk.

The lookup is built from the native `ApiRequest`, not from the HTTP request, so an
OpenAI-compatible request (translated to its native form before any source sees it) is answered
from a native recording: one recording serves both kinds of client.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from mockgem._types import JSONDict
from mockgem.errors import CassetteError
from mockgem.protocol.calls import ApiRequest, parse_call
from mockgem.protocol.forms import ResponseForm, form_of
from mockgem.sources.base import Answer, Miss
from mockgem.sources.cassettes.formats import load_cassette
from mockgem.sources.cassettes.index import CassetteIndex, NearMiss, Recorded, rank
from mockgem.sources.cassettes.keys import KeyRules, RequestShape, canonical_body, describe_request
from mockgem.sources.cassettes.model import Cassette, Headers, Interaction, RecordedResponse
from mockgem.sources.cassettes.places import cassette_files, checked_recording_path, inside_name, remove_stale_temporaries
from mockgem.sources.cassettes.redact import RedactionRules
from mockgem.sources.cassettes.store import CassetteStore
from mockgem.sse import parse_json_array, parse_sse

CASSETTE_HEADER = "x-mockgem-cassette"
DEFAULT_RECORDING = "recorded.yaml"
SSE_TYPE = "text/event-stream"
_GET_ACTIONS = frozenset({"models.list", "models.get", "list", "get", "download"})


@dataclass(frozen=True, slots=True)
class ReplayTiming:
    """How recorded chunk gaps are played: `factor` 0 is instant, 1 as recorded, 0.5 twice as fast."""

    factor: float = 0.0

    @classmethod
    def parse(cls, text: str) -> ReplayTiming:
        """`instant`, `recorded` or `scaled:F`."""
        if text == "instant":
            return cls(0.0)
        if text == "recorded":
            return cls(1.0)
        kind, _, factor = text.partition(":")
        try:
            if kind == "scaled" and float(factor) >= 0:
                return cls(float(factor))
        except ValueError:
            pass
        raise CassetteError(f"replay timing {text!r}: expected instant, recorded or scaled:F (F >= 0)")

    def delays(self, offsets: Sequence[float] | None) -> tuple[float, ...]:
        """The wait before each chunk, from each chunk's offset since the response began."""
        if not offsets or self.factor == 0:
            return ()
        previous = [0.0, *offsets[:-1]]
        return tuple(max(0.0, (now - before) * self.factor) for now, before in zip(offsets, previous, strict=True))


def http_method(api: ApiRequest) -> str:
    """The HTTP method of a native call (an ApiRequest keeps only the action)."""
    verb = api.call.action.rpartition(".")[2]
    if api.call.action in _GET_ACTIONS or verb in _GET_ACTIONS:
        return "GET"
    return {"delete": "DELETE", "patch": "PATCH"}.get(verb, "POST")


def request_shape(api: ApiRequest, rules: KeyRules) -> RequestShape:
    """The match shape of a native request, as if its native HTTP form had been recorded."""
    call = api.call
    surface = "gemini" if call.surface == "openai" else call.surface
    version = (call.version,) if rules.match_version else ()
    endpoint: tuple[str, ...] = (surface, call.action, call.model or "", call.resource or "", *version)
    query = urlencode(api.query)
    # An upload chunk or a multipart body has no JSON body: its bytes are what was recorded.
    body = json.dumps(api.body).encode() if api.body else api.raw
    shape = describe_request(http_method(api), f"/?{query}" if query else "/", b"", rules)
    value, digest, is_json = canonical_body(body, rules)
    return RequestShape(shape.method, endpoint, shape.query, value, digest, is_json)


def answer_from(recorded: Recorded, timing: ReplayTiming) -> Answer:
    """A recorded response as an Answer: its bytes in the form they were recorded in, and their
    decoded JSON (a stream's chunks with their delays) for a client that asks another form."""
    interaction = recorded.interaction
    response = interaction.response
    content_type = response.header("content-type")
    payloads = decode_payloads(response)
    is_stream = "streamGenerateContent" in interaction.request.uri and response.status == 200
    kept = dict(raw=response.body, raw_content_type=content_type, form=recorded_form(interaction),
                headers=kept_headers(response), origin=recorded.origin, source="cassettes", status=response.status)
    if not is_stream:
        body = payloads[0] if payloads and isinstance(payloads[0], dict) else {}
        return Answer((body,), **kept)  # type: ignore[arg-type]
    return Answer(payloads, chunked=True, delays=timing.delays(response.chunk_offsets), **kept)  # type: ignore[arg-type]


def recorded_form(interaction: Interaction) -> ResponseForm:
    request = interaction.request
    parts = urlsplit(request.uri)
    alt = next((value for name, value in parse_qsl(parts.query) if name == "alt"), None)
    streamed = SSE_TYPE in (interaction.response.header("content-type") or "") or interaction.response.body.startswith(b"data:")
    return form_of(parse_call(request.method, parts.path), alt, openai_stream=streamed)


def kept_headers(response: RecordedResponse) -> tuple[tuple[str, str], ...]:
    """The recorded headers a client reads: the content type and the upload session's."""
    return tuple((name, value) for name, value in response.headers if name.lower() == "content-type" or name.lower().startswith("x-goog-upload-"))


def decode_payloads(response: RecordedResponse) -> tuple[JSONDict, ...]:
    """The JSON objects of a body: SSE events, a JSON array's items, or one object."""
    body = response.body
    if not body.strip():
        return ()
    try:
        if SSE_TYPE in (response.header("content-type") or "") or body.lstrip().startswith(b"data:"):
            return tuple(parse_sse(body))
        return tuple(parse_json_array(body))
    except ValueError:
        return ()  # not JSON: a download or an HTML error page, served from `raw` only


def _translated(request: ApiRequest) -> bool:
    """Whether the call is not what the client's path names (an OpenAI-compatible chat request)."""
    if not request.path:
        return True
    return parse_call(request.method or http_method(request), request.path) != request.call


def closer(first: NearMiss, second: NearMiss) -> NearMiss:
    """Of two near misses, the one whose closest recording differs less from the request."""
    if second.closest is None:
        return first
    if first.closest is None:
        return second
    return first if rank(list(first.mismatches)) <= rank(list(second.mismatches)) else second


@dataclass
class StreamRecording:
    """A stream written from its first byte: completed (and indexed) at its end, or discarded."""

    cassettes: CassetteSource
    path: Path
    entry: int

    async def complete(self, interaction: Interaction) -> None:
        written = await asyncio.to_thread(self.cassettes.store.replace, self.path, self.entry, interaction)
        self.cassettes.index.record(self.cassettes._name_of(self.path), written, served=True)

    async def discard(self) -> None:
        await asyncio.to_thread(self.cassettes.store.remove, self.path, self.entry)


class CassetteSource:
    """Answers from recorded interactions; `X-Mockgem-Cassette: NAME` scopes one request."""

    def __init__(self, cassettes: Iterable[Cassette], *, directory: Path | None = None, active: str | None = None,
                 timing: ReplayTiming | None = None, rules: KeyRules | None = None,
                 redaction: RedactionRules | None = None, repeat_last: bool = True, rewrite: bool = False) -> None:
        self.index = CassetteIndex(cassettes, rules=rules, repeat_last=repeat_last)
        self.store = CassetteStore(redaction=redaction)
        self.directory = directory
        self.active = active
        self.timing = timing or ReplayTiming()
        self.rewrite = rewrite
        self._rewritten: set[Path] = set()

    @classmethod
    def load(cls, *, file: Path | None = None, directory: Path | None = None, timing: ReplayTiming | None = None,
             rules: KeyRules | None = None, redaction: RedactionRules | None = None,
             repeat_last: bool = True, rewrite: bool = False) -> CassetteSource:
        """`--cassette FILE` alone, or `--cassette-dir DIR` with `--cassette NAME` as the active one.

        `repeat_last=False` (auto): a request whose recordings were all served is a miss.
        `rewrite` (record): the first recording into a cassette replaces what the file held.
        """
        make = functools.partial(cls, timing=timing, rules=rules, redaction=redaction, repeat_last=repeat_last, rewrite=rewrite)
        if directory is not None:
            if directory.is_dir():
                remove_stale_temporaries(directory)
            found = [load_cassette(path, directory) for path in cassette_files(directory)] if directory.is_dir() else []
            return make(found, directory=directory, active=str(file) if file else None)
        if file is None:
            return make(())
        found = [load_cassette(file, file.parent)] if file.exists() else []
        return make(found, directory=file.parent, active=file.name)

    async def answer(self, request: ApiRequest) -> Answer | Miss:
        """The recording of the client's own request; for a translated one (an OpenAI-compatible
        call), else the recording of its native form."""
        scope = self.scope(request)
        found = self.index.lookup_shape(describe_request(request.method, request.target, request.raw, self.index.rules), cassette=scope)
        if isinstance(found, Recorded):
            return answer_from(found, self.timing)
        if _translated(request):
            native = self.index.lookup_shape(request_shape(request, self.index.rules), cassette=scope)
            if isinstance(native, Recorded):
                return answer_from(native, self.timing)
            found = closer(found, native)
        return Miss(found.message, "cassettes")

    def take(self, method: str, target: str, body: bytes, headers: Headers) -> Answer | None:
        """The recording of this HTTP request, on any route, or None (no near miss worked out)."""
        if len(self.index) == 0:
            return None
        found = self.index.take(describe_request(method, target, body, self.index.rules), cassette=self._scope_of(headers))
        return answer_from(found, self.timing) if found is not None else None

    def holds(self, request: ApiRequest) -> bool:
        """Whether a recording answers `request`, leaving the replay order as it is."""
        shape = describe_request(request.method, request.target, request.raw, self.index.rules)
        return self.index.holds(shape, cassette=self.scope(request))

    def scope(self, request: ApiRequest) -> str | None:
        """The cassette named by the request header, else the active one, else None (all loaded)."""
        return self._scope_of(request.headers)

    def _scope_of(self, headers: Headers) -> str | None:
        named = next((value for name, value in headers if name.lower() == CASSETTE_HEADER), None)
        return inside_name(named, "X-Mockgem-Cassette:") if named else self.active

    def recording_path(self, request: ApiRequest) -> Path:
        """Where a new recording for `request` goes: its header's cassette, else the active one."""
        name = self.scope(request) or self.active or DEFAULT_RECORDING
        chosen = self.index.resolve(name) or name
        # An absolute name is the user's own choice (a per-test cassette next to its test).
        return self._path_of(chosen) if Path(chosen).is_absolute() else checked_recording_path(self._path_of(chosen), self.directory)

    async def record(self, request: ApiRequest, interaction: Interaction) -> None:
        """Write a forwarded exchange (redacted) to its cassette and index it for replay."""
        path = self._prepared_path(request)
        written = await self.store.append_async(path, interaction)
        self.index.record(self._name_of(path), written, served=True)

    async def begin(self, request: ApiRequest, interaction: Interaction) -> StreamRecording:
        """Write a stream's start to its cassette now; it is indexed once complete."""
        path = self._prepared_path(request)
        _, entry = await asyncio.to_thread(self.store.add, path, interaction)
        return StreamRecording(self, path, entry)

    def _prepared_path(self, request: ApiRequest) -> Path:
        path = self.recording_path(request)
        if self.rewrite and path.resolve() not in self._rewritten:
            self._rewritten.add(path.resolve())
            self.index.forget(self._name_of(path))
            self.store.start_afresh(path)
        return path

    def select(self, name: str, *, afresh: bool = False) -> str:
        """Make `name` the active cassette (new recordings go there); returns its loaded name.

        `name` is relative to the cassette directory, or an absolute path: a file outside the
        directory (a per-test cassette next to its test) is loaded now, named by its path.
        `afresh` forgets its recordings: what is recorded next replaces the file's content.
        """
        path = Path(name)
        if path.is_absolute():
            name = self._name_of(path)
            if self.index.resolve(name) is None and path.is_file() and not afresh:
                self.index.add(dataclasses.replace(load_cassette(path), name=name))
        self.active = self.index.resolve(name) or name
        if afresh:
            self.index.forget(self.active)
            self.store.start_afresh(self._path_of(self.active))
        return self.active

    def _path_of(self, name: str) -> Path:
        path = Path(name if Path(name).suffix else f"{name}.yaml")
        return path if path.is_absolute() else (self.directory or Path.cwd()) / path

    def _name_of(self, path: Path) -> str:
        """A cassette's name: its path relative to the directory, or its absolute path outside it."""
        if self.directory is not None:
            for candidate, base in ((path, self.directory), (path.resolve(), self.directory.resolve())):
                if candidate.is_relative_to(base):
                    return candidate.relative_to(base).as_posix()
        return path.as_posix()
