"""Scale: lookup with 10 to 100,000 recorded interactions, cold start, memory per recording.

Lookup is measured twice: in process (`CassetteSource.answer`, no HTTP, so the figure is the
lookup's own) and through the server (p50 at one connection, requests/s at 64).
"""

from __future__ import annotations

import asyncio
import gc
import shutil
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench import fixtures
from bench.load import Load, PythonLoad, WrkLoad
from bench.processes import Server, baseline_command, mockgem_command, send, start
from mockgem.protocol.calls import ApiRequest, parse_call
from mockgem.protocol.validation import parse_json_body, validate_request
from mockgem.sources.base import Answer
from mockgem.sources.cassettes.formats import read_vcrpy
from mockgem.sources.cassettes.model import Cassette
from mockgem.sources.cassettes.parsed_cache import CACHE_DIR
from mockgem.sources.cassettes.source import CassetteSource

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"  # ../shared/corpus beside the checkout
UNARY = fixtures.Request("POST", fixtures.GENERATE, fixtures.UNARY_BODY)


@dataclass(frozen=True)
class LookupResult:
    """One haystack size: index build, hit and miss times in process; the server's figures."""

    interactions: int
    build_us_each: float
    hit_us: float
    miss_ms: float
    server_start_s: float = 0.0
    server_p50_ms: float = 0.0
    server_rps: float = 0.0
    rss_mb: float = 0.0


def api_request(request: fixtures.Request) -> ApiRequest:
    """The ApiRequest the server would build for `request` (as mockgem.server.parse does)."""
    path, _, query = request.path.partition("?")
    call = parse_call(request.method, path)
    assert call is not None
    body = validate_request(call.action, parse_json_body(request.body))
    pairs = tuple(tuple(pair.split("=", 1)) for pair in query.split("&") if pair)
    return ApiRequest(call, body, request.body, pairs, tuple(request.all_headers("lookup").items()))  # type: ignore[arg-type]


def in_process(count: int, repeats: int) -> tuple[float, float, float]:
    """µs per indexed interaction, µs per hit (median of `repeats`), ms for one miss."""
    entries = [fixtures.filler(index) for index in range(count - 1)] + [fixtures.unary_interaction()]
    interactions = read_vcrpy(entries)
    gc.disable()  # as `mockgem serve` loads (mockgem.heap)
    began = time.perf_counter()
    source = CassetteSource([Cassette("haystack.json", Path("haystack.json"), interactions)])
    build = (time.perf_counter() - began) / count * 1e6
    gc.enable()
    hit, miss = api_request(UNARY), api_request(fixtures.Request("POST", fixtures.GENERATE, fixtures.MISS_BODY))
    hit_times = [_timed(source, hit) for _ in range(repeats)]
    return build, statistics.median(hit_times) * 1e6, _timed(source, miss, expect_hit=False) * 1e3


def _timed(source: CassetteSource, request: ApiRequest, *, expect_hit: bool = True) -> float:
    began = time.perf_counter()
    found = _answer(source, request)
    elapsed = time.perf_counter() - began
    assert isinstance(found, Answer) == expect_hit, found
    return elapsed


_LOOP = asyncio.new_event_loop()


def _answer(source: CassetteSource, request: ApiRequest) -> object:
    """`source.answer` on one loop kept for the whole measurement (a miss's near miss runs in a worker thread)."""
    return _LOOP.run_until_complete(source.answer(request))


def lookup_scale(sizes: tuple[int, ...], workdir: Path, load: WrkLoad | PythonLoad, seconds: float,
                 report: Callable[[str], None] = print) -> list[LookupResult]:
    results = []
    for count in sizes:
        build, hit, miss = in_process(count, repeats=300)
        directory = fixtures.write_haystack(workdir / f"haystack-{count}", count)
        server = start(f"mockgem-{count}", mockgem_command("--cassette-dir", str(directory)), workdir)
        try:
            one = _load(load, server, 1, seconds)
            many = _load(load, server, 64, seconds)
            results.append(LookupResult(count, build, hit, miss, server.started_in, one.p50_ms, many.rps, server.rss_mb()))
        finally:
            server.stop()
            shutil.rmtree(directory, ignore_errors=True)
        report(f"  lookup with {count:,} interactions: {hit:.0f} µs in process, p50 {one.p50_ms:.2f} ms, {many.rps:,.0f} req/s")
    return results


def _load(load: WrkLoad | PythonLoad, server: Server, connections: int, seconds: float) -> Load:
    return load.run(server.url, UNARY, "lookup", connections, seconds)


@dataclass(frozen=True)
class ColdStart:
    """Seconds from spawn to the first answered request (median of the repeats), and RSS then."""

    label: str
    seconds: float
    rss_mb: float
    runs: int


def cold_start(label: str, command: list[str], workdir: Path, repeats: int, *, clear: Path | None = None) -> ColdStart:
    """Spawn, send the first request as soon as the port is open, stop; `clear` drops the parsed cache
    first. One more run than `repeats` goes first, uncounted: it compiles the bytecode and warms the
    OS's file cache, which a user's second start finds too."""
    times, rss = [], []
    for _ in range(repeats + 1):
        if clear is not None:
            shutil.rmtree(clear / CACHE_DIR, ignore_errors=True)
        began = time.perf_counter()
        server = start(label, command, workdir)
        try:
            status, _, body = send(server.port, UNARY.method, UNARY.path, UNARY.body, UNARY.all_headers("unary"))
            times.append(time.perf_counter() - began)
            rss.append(server.rss_mb())
        finally:
            server.stop()
        if status != 200:
            raise RuntimeError(f"{label}: the first request answered {status}: {body[:300]!r}")
    return ColdStart(label, statistics.median(times[1:]), statistics.median(rss[1:]), repeats)


def cold_starts(workdir: Path, answers: Path, cassettes: int, repeats: int, corpus: Path = CORPUS,
                report: Callable[[str], None] = print) -> list[ColdStart]:
    """The baseline, mockgem with one cassette, with `cassettes` (without and with the parsed cache),
    and with the visible corpus twice over when it is there."""
    one = fixtures.write_cassette(workdir / "one" / "unary.yaml", [fixtures.unary_interaction()]).parent
    tree = fixtures.write_cassette_tree(workdir / "tree", cassettes)
    cases: list[tuple[str, list[str], Path | None]] = [
        ("bare aiohttp baseline", baseline_command(answers), None),
        ("mockgem, 1 cassette", mockgem_command("--cassette-dir", str(one)), None),
        (f"mockgem, {cassettes:,} cassettes, no parsed cache", mockgem_command("--cassette-dir", str(tree)), tree),
        (f"mockgem, {cassettes:,} cassettes, parsed cache", mockgem_command("--cassette-dir", str(tree)), None),
    ]
    copied = _corpus_twice(corpus, workdir / "corpus")
    if copied is not None:
        files = sum(1 for path in copied.rglob("*") if path.is_file())
        served = mockgem_command("--cassette-dir", str(copied))
        cases.append((f"mockgem, shared corpus x2 ({files:,} files), no parsed cache", served, copied))
        cases.append((f"mockgem, shared corpus x2 ({files:,} files), parsed cache", served, None))
    results = []
    for label, command, clear in cases:
        results.append(cold_start(label, command, workdir, repeats, clear=clear))
        report(f"  cold start, {label}: {results[-1].seconds * 1e3:.0f} ms")
    return results


def _corpus_twice(corpus: Path, target: Path) -> Path | None:
    """The recorded corpus copied twice into a temporary directory (never into the project), plus
    the scenario cassette the first request hits; None when there is no corpus."""
    if not corpus.is_dir():
        return None
    for copy in ("a", "b"):
        shutil.copytree(corpus, target / copy, ignore=shutil.ignore_patterns(".*"))
    fixtures.write_cassette(target / "unary.yaml", [fixtures.unary_interaction()])
    return target
