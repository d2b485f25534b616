"""The flags of `mockgem serve`, in the groups `serve --help` shows, and the values they parse."""

from __future__ import annotations

import argparse
import math
import re
from pathlib import Path

from mockgem.cassette_commands import add_redaction_options, json_path
from mockgem.sources.cassettes.keys import DEFAULT_MATCH_ON
from mockgem.config import DEFAULT_MAX_BODY, GIB, RecordMode

_SIZE = re.compile(r"^(\d+)\s*([kmg]i?b?|b)?$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1000, "m": 1000**2, "g": 1000**3, "ki": 1024, "mi": 1024**2, "gi": 1024**3}
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$", re.IGNORECASE)
MAX_SETTING_SECONDS = 365 * 24 * 3600.0
_SECONDS = {"ms": 0.001, "": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0}
# Shipped with the package, so `--example` works from a pip install as from a clone.
EXAMPLE_CASSETTE = Path(__file__).parent / "examples" / "cassettes" / "example.yaml"
EXAMPLE_RULES = Path(__file__).parent / "examples" / "rules.yaml"
EXAMPLES = """examples:
  replay a cassette, with rules for what it does not hold:
    mockgem serve --cassette cassettes/demo.yaml --rules rules.yaml
  record real traffic into a directory of cassettes, then replay it:
    GEMINI_API_KEY=... mockgem serve --mode record --cassette-dir cassettes
    mockgem serve --cassette-dir cassettes
"""


def parse_size(text: str) -> int:
    """`1048576`, `20MB`, `20MiB`, `512k` -> bytes."""
    found = _SIZE.match(text.strip())
    if found is None:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (examples: 1048576, 512k, 20MB, 20MiB)")
    unit = (found[2] or "").lower().removesuffix("b")
    return int(found[1]) * _UNITS[unit]


def parse_duration(text: str) -> float:
    """`2s`, `500ms`, `1.5m`, `3` (seconds) -> seconds."""
    found = _DURATION.match(text.strip())
    seconds = float(found[1]) * _SECONDS[(found[2] or "").lower()] if found else math.inf
    if not seconds <= MAX_SETTING_SECONDS:
        raise argparse.ArgumentTypeError(f"not a duration of at most a year: {text!r} (examples: 2s, 500ms, 1m)")
    return seconds


def parse_processing(text: str) -> tuple[str, float | None]:
    """`2s` (every file), `video/*=5s` or `image/png=fail` -> (MIME pattern or "", seconds or None to fail)."""
    mime_type, equals, value = text.rpartition("=")
    if equals and not mime_type:
        raise argparse.ArgumentTypeError(f"no MIME type before '=' in {text!r} (example: video/*=5s)")
    if value.strip().lower() == "fail":
        if not mime_type:
            raise argparse.ArgumentTypeError(f"'fail' needs a MIME type: {text!r} (example: video/*=fail)")
        return mime_type.strip(), None
    return mime_type.strip(), parse_duration(value)


def add_serve_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = commands.add_parser(
        "serve", help="serve the mock API", description="Serve the Gemini API (native, Vertex AI, OpenAI-compatible) on one port.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_listening(serve.add_argument_group("listening"))
    add_sources(serve.add_argument_group("sources and modes"))
    add_matching(serve.add_argument_group("matching"))
    recording = serve.add_argument_group("recording and redaction")
    recording.add_argument("--rewrite", action="store_true", help="record mode: each cassette's first new recording replaces what the file held (default: add to it, as vcrpy does)")
    add_redaction_options(recording)
    add_faults(serve.add_argument_group("faults and quotas"))
    add_resources(serve.add_argument_group("resources (files, cached contents, batches)"))


def add_listening(group: argparse._ArgumentGroup) -> None:
    group.add_argument("--host", metavar="ADDRESS", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    group.add_argument("--port", metavar="PORT", type=int, default=8080, help="port (0 picks a free one; default 8080)")
    group.add_argument("--admin-token", help="require this token (Authorization: Bearer or X-Mockgem-Admin-Token) on the /_mockgem/ admin API; pass one when --host is not loopback")
    group.add_argument("--idle-timeout", metavar="TIME", type=parse_duration, default=30.0, help="close a connection that sends nothing for this long, between requests or inside one (default 30s)")
    group.add_argument("--tls", action="store_true", help="serve HTTPS and WSS (needed by google-genai's Live API client) with a certificate of mockgem's local CA")
    group.add_argument("--api-key", metavar="KEY", action="append", default=[], dest="api_keys", help="accept only this key (repeatable); by default any non-empty key works")
    group.add_argument("--max-body", metavar="SIZE", type=parse_size, default=DEFAULT_MAX_BODY, help="largest request body accepted (default 20MiB)")
    group.add_argument("--journal-size", type=int, default=1000, metavar="N", help="requests the journal keeps (default 1000)")
    chatter = group.add_mutually_exclusive_group()
    chatter.add_argument("--quiet", "-q", action="store_true", help="print only the ready line and errors: no summary, no access log")
    chatter.add_argument("--verbose", "-v", action="store_true", help="also print each request's model and cassette, and a miss's whole message")


def add_sources(group: argparse._ArgumentGroup) -> None:
    modes = [mode.value for mode in RecordMode]
    group.add_argument("--example", action="store_true", help="replay the bundled example cassette, with the bundled example rules for the rest")
    group.add_argument("--mode", choices=modes, default="replay", help="replay (default, never touches the network), record, auto or passthrough")
    group.add_argument("--cassette", metavar="FILE", type=Path, help="cassette file; with --cassette-dir, the active cassette's name in it")
    group.add_argument("--cassette-dir", metavar="DIR", type=Path, help="every cassette in this directory and its subfolders")
    group.add_argument("--rules", metavar="FILE", action="append", default=[], type=Path, help="scripted rules YAML (repeatable; first match wins in file order)")
    group.add_argument("--replay-timing", metavar="TIMING", default="instant", help="stream chunk gaps: instant (default), recorded or scaled:F")
    group.add_argument("--upstream", metavar="URL", help="base URL to forward to (default: the real Google hosts)")
    group.add_argument("--upstream-key", metavar="KEY", help="key sent upstream instead of the client's own")
    group.add_argument("--upstream-connect-timeout", metavar="TIME", type=parse_duration, default=30.0, help="time to connect to the upstream (default 30s; a timeout answers 504)")
    group.add_argument("--upstream-read-timeout", metavar="TIME", type=parse_duration, default=300.0, help="time the upstream may stay silent between two chunks of its answer (default 300s; no limit on the whole)")


def add_matching(group: argparse._ArgumentGroup) -> None:
    group.add_argument("--ignore-path", action="append", default=[], dest="ignore_paths", type=json_path, metavar="JSONPATH", help="leave this JSON path of request bodies out of matching, e.g. generationConfig.seed (repeatable)")
    group.add_argument("--match-version", action="store_true", help="match the API version (v1, v1beta) too; ignored by default")
    group.add_argument("--match-on", nargs="+", default=list(DEFAULT_MATCH_ON), metavar="MATCHER",
                       help=f"what a recording must match, in vcrpy's names, or gemini_body (default: {' '.join(DEFAULT_MATCH_ON)})")
    group.add_argument("--strict", action="store_true", help="a request that matches no recording is a miss: no order-based fallback")


def add_faults(group: argparse._ArgumentGroup) -> None:
    group.add_argument("--fault", action="append", default=[], dest="faults", metavar="TERM", help="inject a fault into generate calls, e.g. 503:0.05 or latency:200ms..800ms (repeatable)")
    group.add_argument("--seed", metavar="N", type=int, default=None, help="seed for fault probabilities and jitter, so a run can be repeated")
    group.add_argument("--quota", action="append", default=[], dest="quotas", metavar="SPEC", help="simulated rate limit, e.g. gemini-2.5-flash:rpm=10,tpm=250000 (repeatable)")


def add_resources(group: argparse._ArgumentGroup) -> None:
    group.add_argument("--state-dir", metavar="DIR", type=Path, help="keep files, cached contents and batches in DIR across restarts (default: in memory)")
    group.add_argument("--file-processing", action="append", default=[], type=parse_processing, metavar="[MIME=]TIME", help="time a new file stays PROCESSING: 2s, video/*=5s, or video/*=fail to end FAILED (repeatable)")
    group.add_argument("--batch-duration", metavar="TIME", type=parse_duration, default=0.0, help="time a batch takes to finish (default 0s)")
    group.add_argument("--operation-duration", metavar="TIME", type=parse_duration, default=0.0, help="time a long-running operation (video, File Search import, tuning) takes to finish (default 0s)")
    group.add_argument("--max-file-size", metavar="SIZE", type=parse_size, default=2 * GIB, help="largest uploaded file (default 2GiB)")
    group.add_argument("--max-storage", metavar="SIZE", type=parse_size, default=20 * GIB, help="total bytes of stored files (default 20GiB)")
