"""`bench/results.md`: the run's tables, with date, machine and the profile summaries."""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import orjson

from bench.load import Load
from bench.profiling import Profile
from bench.scale import ColdStart, LookupResult
from bench.throughput import Row

TARGETS = {"unary": 0.8, "stream": 0.8, "rule": 0.5, "openai": 0.5, "fault429": 0.5, "miss": 0.5}
SHOWN_FUNCTIONS = 30
SHOWN_OWN = 15


@dataclass
class Results:
    load_generator: str
    rounds: int
    seconds: float
    rows: list[Row] = field(default_factory=list)
    lookups: list[LookupResult] = field(default_factory=list)
    cold: list[ColdStart] = field(default_factory=list)
    profiles: list[Profile] = field(default_factory=list)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines() if line.startswith("model name")), platform.processor())
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; load average at the end {load}; "
            f"Python {platform.python_version()}, aiohttp {aiohttp.__version__}, orjson {orjson.__version__}")


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False, cwd=Path(__file__).parent)
    return done.stdout.strip() or "unknown"


def render(results: Results) -> str:
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "# mockgem benchmark results", "",
        f"Run {now} at commit `{commit()}` by `make bench` (`python -m bench`).", "",
        f"Machine: {machine()}.", "",
        f"Load: {results.load_generator}, one thread; {results.rounds} round(s) of {results.seconds:g} s per server, scenario and "
        "connection count, mockgem and the baseline alternating (the order flips each round). The ratio is the median of each "
        "round's own mockgem / baseline ratio: the figure that counts, as absolute numbers move with the machine's other work.", "",
        "Baseline: a bare aiohttp server (same Python, asyncio loop, orjson parsing the request) answering the bytes mockgem "
        "answered, status and headers included, with no logic; a stream is written in ONE write.", "",
    ]
    for section in (_throughput(results.rows), _lookups(results.lookups), _cold(results.cold), *map(_profile, results.profiles)):
        if section:
            parts += [*section, ""]
    return "\n".join(parts)


def _throughput(rows: list[Row]) -> list[str]:
    if not rows:
        return []
    lines = ["## Throughput", "",
             "| scenario | mockgem req/s, 64 conn | baseline req/s | ratio | target | p50 1 conn mockgem / baseline (ms) | p50 ratio | ratio 1 conn |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        target = TARGETS.get(row.scenario.name)
        lines.append(
            f"| {row.scenario.title} | {row.median('mockgem', 64, _rps):,.0f} | {row.median('baseline', 64, _rps):,.0f} | "
            f"**{row.ratio(64):.2f}** | {f'>= {target}' if target else '-'} | "
            f"{_p50(row, 'mockgem')} / {_p50(row, 'baseline')} | {_maybe(row.latency_ratio())} | {_maybe(row.ratio(1))} |"
        )
    errors = sum(load.errors for row in rows for loads in row.runs.values() for load in loads)
    lines += ["", f"Socket errors over all runs: {errors}. The 429, the miss (400) count as answers: they are the expected status."]
    return lines


def _rps(load: Load) -> float:
    return load.rps


def _p50(row: Row, server: str) -> str:
    value = row.median(server, 1, lambda load: load.p50_ms)
    return f"{value:.2f}" if value else "-"


def _maybe(value: float) -> str:
    return f"{value:.2f}" if value else "-"


def _lookups(lookups: list[LookupResult]) -> list[str]:
    if not lookups:
        return []
    lines = ["## Lookup scale", "",
             "In process: `CassetteSource.answer` for the last-recorded request (median of 300), one miss, and the index "
             "build per interaction. Server: the same request, p50 at 1 connection and req/s at 64; start to listening; RSS.", "",
             "| interactions | index build µs each | hit µs (in process) | miss ms (in process) | server start s | p50 1 conn ms | req/s 64 conn | RSS MB |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for item in lookups:
        lines.append(f"| {item.interactions:,} | {item.build_us_each:.0f} | {item.hit_us:.1f} | {item.miss_ms:,.1f} | {item.server_start_s:.2f} | "
                     f"{item.server_p50_ms:.2f} | {item.server_rps:,.0f} | {item.rss_mb:.0f} |")
    small, large = lookups[0], lookups[-1]
    if large.interactions > small.interactions:
        per_thousand = (large.rss_mb - small.rss_mb) / ((large.interactions - small.interactions) / 1000)
        lines += ["", f"Hit at {large.interactions:,} / at {small.interactions:,}: **{large.hit_us / small.hit_us:.2f}x** in process, "
                      f"{_ratio(large.server_p50_ms, small.server_p50_ms)} p50 through the server (target 1.2x).",
                  f"RSS per 1,000 recorded interactions: **{per_thousand:.1f} MB** (small recordings: a ~300-byte request, a ~400-byte answer)."]
    return lines


def _ratio(first: float, second: float) -> str:
    return f"**{first / second:.2f}x**" if second else "-"


def _cold(cold: list[ColdStart]) -> list[str]:
    if not cold:
        return []
    lines = ["## Cold start", "", "Spawn to the first answered request (a replayed generateContent), median of the runs; RSS then.", "",
             "| server | to first answer ms | RSS MB | runs |", "|---|---:|---:|---:|"]
    lines += [f"| {item.label} | {item.seconds * 1e3:,.0f} | {item.rss_mb:.0f} | {item.runs} |" for item in cold]
    by_label = {item.label: item for item in cold}
    baseline, one = by_label.get("bare aiohttp baseline"), by_label.get("mockgem, 1 cassette")
    cached = next((item for item in cold if "cassettes, parsed cache" in item.label), None)
    if baseline and one and cached:
        lines += ["", f"{cached.label}: {cached.seconds * 1e3:,.0f} ms (target < 1,000 ms); "
                      f"{cached.seconds / baseline.seconds:.2f}x the baseline, {cached.seconds / one.seconds:.2f}x mockgem with one cassette (target < 2x)."]
    return lines


def _profile(profile: Profile) -> list[str]:
    lines = [f"## Profile: {profile.title}", "",
             f"py-spy, {profile.total:,} samples at 250 Hz over {profile.seconds:g} s under 64 connections ({profile.rps:,.0f} req/s while "
             "sampled). µs = CPU microseconds per request.", "",
             "Own time by area (the leaf frame's package):", "", "| area | share | µs/request |", "|---|---:|---:|"]
    lines += [f"| {name} | {profile.share(count):.1f}% | {profile.us_per_request(count):.1f} |" for name, count in profile.areas.most_common()]
    lines += ["", "Functions, inclusive (what they and their callees take), below aiohttp's request handler:", "",
              "| function | inclusive | µs/request | own |", "|---|---:|---:|---:|"]
    for name, count in _below_handler(profile):
        lines.append(f"| `{name}` | {profile.share(count):.1f}% | {profile.us_per_request(count):.1f} | {profile.share(profile.leaf[name]):.1f}% |")
    lines += ["", "Functions by own time (the leaf frame):", "", "| function | own | µs/request |", "|---|---:|---:|"]
    for name, count in profile.leaf.most_common(SHOWN_OWN):
        lines.append(f"| `{name}` | {profile.share(count):.1f}% | {profile.us_per_request(count):.1f} |")
    return lines


def _below_handler(profile: Profile) -> list[tuple[str, int]]:
    """The functions worth reading: not the loop and runner frames every sample passes through."""
    skipped = ("<module>", "run (", "Runner.run", "main (", "_run_", "BaseEventLoop.", "Handle._run")
    return [(name, count) for name, count in profile.inclusive.most_common() if not name.startswith(skipped)][:SHOWN_FUNCTIONS]
