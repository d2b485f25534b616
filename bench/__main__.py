"""`python -m bench [--smoke]`: the whole table into bench/results.md, or a seconds-long smoke.

Exits 1 only when the benchmark could not run (a server did not start, a scenario did not answer
as expected); never because a number is low.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from bench.load import load_generator
from bench.processes import BenchError
from bench.profiling import profile
from bench.report import Results, render
from bench.scale import CORPUS, cold_starts, lookup_scale
from bench.throughput import CONNECTIONS, Bench, run_rounds

RESULTS = Path(__file__).parent / "results.md"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="one short round, small scales: proves the harness runs (CI)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=2.0, help="seconds per load run")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help=f"recorded cassettes to time a cold start with, twice over (default {CORPUS})")
    parser.add_argument("--out", type=Path, help=f"where the table goes (default {RESULTS}; with --smoke, stdout only)")
    return parser.parse_args(argv)


def run(args: argparse.Namespace, workdir: Path) -> Results:
    smoke = args.smoke
    load = load_generator(workdir, install=not smoke)
    results = Results(load.name, 1 if smoke else args.rounds, 1.0 if smoke else args.seconds)
    print(f"load generator: {load.name}", flush=True)
    with Bench(workdir) as bench:
        connections = (64,) if smoke else CONNECTIONS
        results.rows = run_rounds(bench, load, results.rounds, results.seconds, connections)
        if not smoke:
            for title, scenario in (("one unary replay (generateContent)", "unary"), ("one stream replay (20 events, instant)", "stream")):
                found = profile(title, bench.servers["main"], load, bench.requests[scenario], scenario, 5, workdir)
                results.profiles += [found] if found else []
        answers = workdir / "answers.json"
        sizes = (10, 1_000) if smoke else (10, 1_000, 10_000, 100_000)
        results.lookups = lookup_scale(sizes, workdir, load, results.seconds)
        results.cold = cold_starts(workdir, answers, 20 if smoke else 1_000, 1 if smoke else 3, args.corpus)
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mockgem-bench-") as workdir:
        try:
            results = run(args, Path(workdir))
        except (BenchError, OSError) as exc:
            print(f"bench: could not run: {exc}", file=sys.stderr)
            return 1
    table = render(results)
    out = args.out or (None if args.smoke else RESULTS)
    if out is not None:
        out.write_text(table)
        print(f"wrote {out}")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
