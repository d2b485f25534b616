"""The request journal: what each request asked, who answered it, and how it went.

The server adds one `JournalEntry` per API request (admin calls are left out), newest last;
the journal keeps the latest `limit` entries, while its `Stats` count every request since the
last clear. It is read from other threads (a test's thread while the server runs in its own),
so every access takes the lock and reads return copies.

    server.requests.last.model            # "gemini-2.5-flash"
    server.requests.filter(surface="openai")
    server.requests.last.genai_contents() # the contents as google-genai types
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from collections.abc import Callable, Iterator
import dataclasses
from dataclasses import dataclass, field
from typing import Any

import orjson

from mockgem._types import JSONDict
from mockgem.protocol.catalog import bare_model_id

DEFAULT_LIMIT = 1000
# The request bodies kept, at most: requests with large inline blobs push out the oldest sooner.
DEFAULT_BYTE_LIMIT = 64 * 1024 * 1024
# Where an answer came from, as the journal and `/_mockgem/stats` name it.
SOURCE_KINDS = ("cassettes", "rules", "builtin", "upstream", "simulator", "validation")
# Told of each entry as it is added, on the server's loop: the access log is one.
JournalListener = Callable[["JournalEntry"], None]


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One request. `body` is as the client sent it (canonical camelCase for native calls);
    `native_body` is the Gemini request the sources were asked, when it differs (OpenAI calls).
    Both are kept as JSON bytes (`encoded_body`, `encoded_native_body`): a thousand kept requests
    as nested dicts would make every garbage collection of the server's process slower.
    `answered_by` names the rule or recording (`rule 0 in rules.yaml`, `demo.yaml #3`), `source`
    its kind; `miss` holds the miss message when nothing could answer. `fallback` says how an
    answer stands in for a recording that matched: a recording played by order (vcrpy's way)
    with its differences, or a simulator's answer while the cassette held recordings of the route.
    """

    number: int
    started: float
    method: str
    path: str
    status: int | None
    duration_ms: float
    surface: str | None = None
    action: str | None = None
    model: str | None = None
    encoded_body: bytes | None = None
    encoded_native_body: bytes | None = None
    cassette: str | None = None
    answered_by: str | None = None
    source: str | None = None
    miss: str | None = None
    faults: tuple[str, ...] = ()
    chunk_offsets_ms: tuple[float, ...] = ()
    encoded_frames: bytes | None = None  # a Live session's frames: `frames`

    @property
    def frames(self) -> list[JSONDict]:
        """A Live session's frames in order: `{"from": "client"|"server", "at": seconds, "message": ...}`."""
        return orjson.loads(self.encoded_frames) if self.encoded_frames else []
    fallback: str | None = None

    def __post_init__(self) -> None:
        # The texts come from the client (its path, its X-Mockgem-Cassette header): they are
        # kept as text every later read can encode.
        for name in ("method", "path", "cassette", "model", "miss"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, safe_text(value))

    @property
    def body(self) -> JSONDict | None:
        return _decoded(self.encoded_body)

    @property
    def native_body(self) -> JSONDict | None:
        return _decoded(self.encoded_native_body)

    @property
    def size(self) -> int:
        """The bytes its bodies take."""
        return len(self.encoded_body or b"") + len(self.encoded_native_body or b"") + len(self.encoded_frames or b"")

    @property
    def request(self) -> JSONDict:
        """The Gemini request the sources saw: `native_body`, else `body`."""
        return self.native_body or self.body or {}

    def to_json(self) -> JSONDict:
        fields = {field.name: getattr(self, field.name) for field in dataclasses.fields(self) if not field.name.startswith("encoded_")}
        fields |= {"body": self.body, "native_body": self.native_body} | ({"frames": self.frames} if self.encoded_frames else {})
        fields["chunks"] = [{"offset_ms": offset} for offset in fields.pop("chunk_offsets_ms")]
        return {key: list(value) if isinstance(value, tuple) else value for key, value in fields.items()}

    def genai_contents(self) -> list[Any]:
        """The request's `contents` (an embedding request's contents too) as `google.genai.types.Content`."""
        from google.genai import types

        request = self.request
        contents = request.get("contents")
        if contents is None and "content" in request:  # embedContent
            contents = [request["content"]]
        if contents is None:  # batchEmbedContents
            contents = [item["content"] for item in request.get("requests") or [] if "content" in item]
        return [types.Content.model_validate(content) for content in contents]

    def genai_config(self) -> Any:
        """The request's settings as the `google.genai.types.GenerateContentConfig` a caller passed."""
        from google.genai import types

        request = self.request
        settings = dict(request.get("generationConfig") or {})
        for name in ("systemInstruction", "tools", "toolConfig", "safetySettings", "cachedContent", "labels"):
            if name in request:
                settings[name] = request[name]
        return types.GenerateContentConfig.model_validate(settings)


def encoded(body: Any) -> bytes | None:
    """`body` as JSON bytes, whatever it holds: a value JSON cannot carry as it is (a lone
    surrogate, an integer past 64 bits) is kept as the nearest one it can (U+FFFD, a double);
    a body nested deeper than the encoder goes (a refused one) is not kept."""
    if body is None:
        return None
    try:
        return orjson.dumps(body)
    except TypeError:
        pass
    try:
        return orjson.dumps(_encodable(body))
    except (TypeError, RecursionError):
        return None


def _encodable(value: Any) -> Any:
    if isinstance(value, dict):
        return {safe_text(str(key)): _encodable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_encodable(item) for item in value]
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**64:
        return float(value) if abs(value) < 2**1023 else str(value)
    return value


def safe_text(text: str) -> str:
    """`text` with each lone surrogate (a header's undecodable byte, a `\\ud800` escape) as U+FFFD."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _decoded(data: bytes | None) -> JSONDict | None:
    return None if data is None else orjson.loads(data)


@dataclass
class Stats:
    """Counts since the last clear: `hits` were answered from a recording, `recorded` were written."""

    requests: int = 0
    hits: int = 0
    misses: int = 0
    recorded: int = 0
    answered_by: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    models: dict[str, list[int]] = field(default_factory=dict)  # model: [requests, hits, misses, recorded]

    def count(self, entry: JournalEntry) -> None:
        hit, missed = entry.source == "cassettes", entry.miss is not None
        self.requests += 1
        self.hits += hit
        self.misses += missed
        self.statuses[str(entry.status or "aborted")] += 1
        if entry.source:
            self.answered_by[entry.source] += 1
        if entry.model:
            counts = self.models.setdefault(entry.model, [0, 0, 0, 0])
            counts[0], counts[1], counts[2] = counts[0] + 1, counts[1] + hit, counts[2] + missed

    def count_recorded(self, model: str | None) -> None:
        self.recorded += 1
        if model:
            self.models.setdefault(model, [0, 0, 0, 0])[3] += 1

    def to_json(self) -> JSONDict:
        return {
            "requests": self.requests, "hits": self.hits, "misses": self.misses, "recorded": self.recorded,
            "answeredBy": dict(self.answered_by), "statuses": dict(self.statuses),
            "models": {
                model: {"requests": n, "hits": hits, "misses": misses, "recorded": recorded}
                for model, (n, hits, misses, recorded) in self.models.items()
            },
        }


class RequestJournal:
    """The latest `limit` requests, newest last, and counts of every request since the last clear.

    The bodies kept, those of the misses kept apart included, hold at most `byte_limit` bytes:
    the oldest entries go first, then the oldest misses (a miss kept in both counts twice)."""

    def __init__(self, limit: int = DEFAULT_LIMIT, byte_limit: int = DEFAULT_BYTE_LIMIT) -> None:
        self._lock = threading.Lock()
        self._limit, self._byte_limit = limit, byte_limit
        self._entries: deque[JournalEntry] = deque()
        self._bytes = 0
        # Kept apart too, so that a miss is still there after `limit` newer requests.
        self._misses: deque[JournalEntry] = deque()
        self._miss_bytes = 0
        self._fallbacks: deque[JournalEntry] = deque(maxlen=limit)
        self._stats = Stats()
        self._numbered = 0
        self._listeners: list[JournalListener] = []

    def subscribe(self, listener: JournalListener) -> None:
        """Call `listener(entry)` for every entry added from now on (a clear does not forget it)."""
        self._listeners.append(listener)

    def next_number(self) -> int:
        with self._lock:
            self._numbered += 1
            return self._numbered

    def add(self, entry: JournalEntry) -> None:
        with self._lock:
            self._entries.append(entry)
            self._bytes += entry.size
            if entry.miss is not None:
                self._misses.append(entry)
                self._miss_bytes += entry.size
            self._trim()
            if entry.fallback is not None:
                self._fallbacks.append(entry)
            self._stats.count(entry)
        for listener in self._listeners:
            listener(entry)

    def _trim(self) -> None:
        while len(self._entries) > 1 and (len(self._entries) > self._limit or self._over_bytes()):
            self._bytes -= self._entries.popleft().size
        while len(self._misses) > 1 and (len(self._misses) > self._limit or self._over_bytes()):
            self._miss_bytes -= self._misses.popleft().size

    def _over_bytes(self) -> bool:
        return self._bytes + self._miss_bytes > self._byte_limit

    def count_recorded(self, model: str | None = None) -> None:
        with self._lock:
            self._stats.count_recorded(bare_model_id(model) if model else None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = self._miss_bytes = 0
            self._misses.clear()
            self._fallbacks.clear()
            self._stats = Stats()

    @property
    def entries(self) -> list[JournalEntry]:
        with self._lock:
            return list(self._entries)

    @property
    def last(self) -> JournalEntry | None:
        with self._lock:
            return self._entries[-1] if self._entries else None

    @property
    def misses(self) -> list[JournalEntry]:
        """Every request nothing could answer since the last clear (the latest `limit` of them)."""
        with self._lock:
            return list(self._misses)

    @property
    def fallbacks(self) -> list[JournalEntry]:
        """Every request answered by a fallback since the last clear (the latest `limit` of them)."""
        with self._lock:
            return list(self._fallbacks)

    def stats(self) -> JSONDict:
        with self._lock:
            return self._stats.to_json()

    def filter(self, *, model: str | None = None, surface: str | None = None, action: str | None = None,
               source: str | None = None) -> list[JournalEntry]:
        """The entries that match every given value (`model` with or without its `models/` prefix)."""
        wanted = {"model": model and bare_model_id(model), "surface": surface, "action": action, "source": source}
        return [
            entry for entry in self.entries
            if all(value is None or getattr(entry, name) == value for name, value in wanted.items())
        ]

    def __iter__(self) -> Iterator[JournalEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __getitem__(self, index: int) -> JournalEntry:
        with self._lock:
            return self._entries[index]
