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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from mockgem._types import JSONDict
from mockgem.errors import CassetteError
from mockgem.protocol.calls import ApiRequest, parse_call
from mockgem.protocol.forms import ResponseForm, form_of
from mockgem.sources.base import Answer, Chunks, Miss, RecordedBytes, Whole
from mockgem.sources.cassettes.directory import load_directory
from mockgem.sources.cassettes.formats import load_cassette
from mockgem.sources.cassettes.index import CassetteIndex, NearMiss, Recorded, rank
from mockgem.sources.cassettes.keys import KeyRules, RequestShape, ShapeMemo, canonical_body, describe_request
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
    shape = describe_request(http_method(api), f"{api.origin}/?{query}" if query else f"{api.origin}/", b"", rules, api.headers)
    value, digest, is_json = canonical_body(body, rules)
    return dataclasses.replace(shape, endpoint=endpoint, body=value, body_digest=digest, body_is_json=is_json)


def answer_from(recorded: Recorded, timing: ReplayTiming) -> RecordedBytes:
    """A recorded response as an Answer: its bytes in the form they were recorded in, and their
    decoded JSON (a stream's chunks with their delays) for a client that asks another form."""
    interaction = recorded.interaction
    response = interaction.response
    payloads = decode_payloads(response)
    decoded: Whole | Chunks
    if "streamGenerateContent" in interaction.request.uri and response.status == 200:
        decoded = Chunks(payloads=payloads, delays=timing.delays(response.chunk_offsets))
    else:
        decoded = Whole(body=payloads[0] if payloads and isinstance(payloads[0], dict) else {}, status=response.status)
    return RecordedBytes(
        raw=response.body, status=response.status, form=recorded_form(interaction), content_type=response.header("content-type"),
        headers=kept_headers(response), decoded=decoded, origin=recorded.origin, source="cassettes", fallback=recorded.fallback,
    )


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
    """Answers from recorded interactions; `X-Mockgem-Cassette: NAME` scopes one request.

    `fallback`: in a selected cassette, a request that matches no recording gets the next
    unplayed recording of its method and path (vcrpy's order), its answer saying how they differ.
    """

    def __init__(self, cassettes: Iterable[Cassette], *, directory: Path | None = None, active: str | None = None,
                 timing: ReplayTiming | None = None, rules: KeyRules | None = None,
                 redaction: RedactionRules | None = None, repeat_last: bool = True, rewrite: bool = False,
                 fallback: bool = False) -> None:
        self.index = CassetteIndex(cassettes, rules=rules, repeat_last=repeat_last, fallback=fallback)
        self.store = CassetteStore(redaction=redaction)
        self.directory = directory
        self.active = active
        self.timing = timing or ReplayTiming()
        self.rewrite = rewrite
        self._rewritten: set[Path] = set()
        self._answers: dict[int, tuple[Recorded, RecordedBytes]] = {}
        self._shapes = ShapeMemo(self.index.rules)

    @classmethod
    def load(cls, *, file: Path | None = None, directory: Path | None = None, timing: ReplayTiming | None = None,
             rules: KeyRules | None = None, redaction: RedactionRules | None = None,
             repeat_last: bool = True, rewrite: bool = False, fallback: bool = False) -> CassetteSource:
        """`--cassette FILE` alone, or `--cassette-dir DIR` with `--cassette NAME` as the active one.

        `repeat_last=False` (auto): a request whose recordings were all served is a miss.
        `rewrite` (record): the first recording into a cassette replaces what the file held.
        """
        make = functools.partial(cls, timing=timing, rules=rules, redaction=redaction, repeat_last=repeat_last, rewrite=rewrite,
                                 fallback=fallback)
        if directory is not None:
            if directory.is_dir():
                remove_stale_temporaries(directory)
            found = load_directory(cassette_files(directory), directory) if directory.is_dir() else []
            return make(found, directory=directory, active=str(file) if file else None)
        if file is None:
            return make(())
        found = [load_cassette(file, file.parent)] if file.exists() else []
        return make(found, directory=file.parent, active=file.name)

    async def answer(self, request: ApiRequest) -> Answer | Miss:
        """The recording of the client's own request; for a translated one (an OpenAI-compatible
        call), else the recording of its native form."""
        scope = self.scope(request)
        shapes = [self._shape_of(request)]
        if _translated(request):
            shapes.append(request_shape(request, self.index.rules))
        for shape in shapes:
            found = self.index.take(shape, cassette=scope)
            if found is not None:
                return self._answer_of(found)
        # Comparing with every recording takes a while in a large cassette: not on the event loop.
        misses = [await asyncio.to_thread(self.index.near_miss, shape, cassette=scope) for shape in shapes]
        return Miss(functools.reduce(closer, misses).message, "cassettes")

    def take(self, method: str, url: str, body: bytes, headers: Headers,
             accept: Callable[[RecordedBytes], bool] | None = None) -> RecordedBytes | None:
        """The recording of this HTTP request (`url` whole), on any route, or None (no near miss
        worked out); one that `accept` turns down stays next in the replay order."""
        if len(self.index) == 0:
            return None
        shape = self._shapes.describe(method, url, body, headers)
        taking = None if accept is None else (lambda recorded: accept(self._answer_of(recorded)))
        found = self.index.take(shape, cassette=self._scope_of(headers), accept=taking)
        return self._answer_of(found) if found is not None else None

    def _answer_of(self, recorded: Recorded) -> RecordedBytes:
        """The recording's Answer, decoded once: a recording is served unchanged every time (one
        played by order carries this request's differences: it is not kept)."""
        if recorded.fallback:
            return answer_from(recorded, self.timing)
        kept = self._answers.get(id(recorded))
        if kept is None or kept[0] is not recorded:
            kept = self._answers[id(recorded)] = (recorded, answer_from(recorded, self.timing))
        return kept[1]

    def holds(self, request: ApiRequest) -> bool:
        """Whether a recording answers `request`, leaving the replay order as it is."""
        return self.index.holds(self._shape_of(request), cassette=self.scope(request))

    def unmatched(self, method: str, url: str, body: bytes, headers: Headers) -> str | None:
        """When the selected cassette holds recordings of this request's method and path, none of
        which answered it: how many, and the near miss (its closest recording, the differences)."""
        scope = self._scope_of(headers)
        shape = describe_request(method, url, body, self.index.rules, headers)
        held = self.index.recordings_of_route(shape, cassette=scope) if scope is not None else 0
        if not held:
            return None
        noun = "recording" if held == 1 else "recordings"
        return f"the cassette {scope} holds {held} {noun} of this method and path, none played for it: " + self.index.near_miss(shape, cassette=scope).message

    def explain(self, method: str, url: str, body: bytes, headers: Headers) -> str:
        """Why no recording answers this request: what was searched, the closest recording, the differences."""
        shape = describe_request(method, url, body, self.index.rules, headers)
        return self.index.near_miss(shape, cassette=self._scope_of(headers)).message

    def unknown(self, name: str) -> str | None:
        """Why `name` cannot be replayed from (no such cassette is loaded), or None if it can."""
        if self.index.resolve(name) is not None or name == self.active:
            return None
        where = f" from {self.directory}" if self.directory is not None else ""
        loaded = ", ".join(self.index.names[:10]) or "none"
        return f"no cassette {name!r} is loaded{where} (loaded: {loaded})"

    def _shape_of(self, request: ApiRequest) -> RequestShape:
        return self._shapes.describe(request.method, request.url, request.raw, request.headers)

    def scope(self, request: ApiRequest) -> str | None:
        """The cassette named by the request header, else the active one, else None (all loaded)."""
        return self._scope_of(request.headers)

    def _scope_of(self, headers: Headers) -> str | None:
        """The named cassette: a loaded one (a per-test cassette loaded by its path too), else a
        new one inside the directory."""
        named = next((value for name, value in headers if name.lower() == CASSETTE_HEADER), None)
        if named and (self.index.resolve(named) is not None or named == self.active):
            return named
        return inside_name(named, "X-Mockgem-Cassette:") if named else self.active

    def recording_path(self, headers: Headers) -> Path:
        """Where a new recording goes: the cassette the request's header names, else the active one."""
        name = self._scope_of(headers) or self.active or DEFAULT_RECORDING
        chosen = self.index.resolve(name) or name
        # An absolute name is the user's own choice (a per-test cassette next to its test).
        return self._path_of(chosen) if Path(chosen).is_absolute() else checked_recording_path(self._path_of(chosen), self.directory)

    async def record(self, request: ApiRequest, interaction: Interaction) -> None:
        """Write a forwarded exchange (redacted) to its cassette and index it for replay."""
        await self.record_into(request.headers, interaction)

    async def record_into(self, headers: Headers, interaction: Interaction) -> None:
        """Write an exchange (redacted) to the cassette `headers` name and index it for replay."""
        path = self._prepared_path(headers)
        written = await self.store.append_async(path, interaction)
        self.index.record(self._name_of(path), written, served=True)

    async def begin(self, request: ApiRequest, interaction: Interaction) -> StreamRecording:
        """Write a stream's start to its cassette now; it is indexed once complete."""
        path = self._prepared_path(request.headers)
        _, entry = await asyncio.to_thread(self.store.add, path, interaction)
        return StreamRecording(self, path, entry)

    def _prepared_path(self, headers: Headers) -> Path:
        path = self.recording_path(headers)
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
