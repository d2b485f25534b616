"""`mockgem serve`: the command line."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import math
import re
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from aiohttp import web
from pydantic import ValidationError

from mockgem.cassette_commands import add_cassette_commands, add_redaction_options, json_path, run_cassette_command
from mockgem.config import DEFAULT_MAX_BODY, GIB, Config, RecordMode
from mockgem.errors import CassetteError, ConfigError
from mockgem.server.serving import app_runner

_SIZE = re.compile(r"^(\d+)\s*([kmg]i?b?|b)?$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1000, "m": 1000**2, "g": 1000**3, "ki": 1024, "mi": 1024**2, "gi": 1024**3}
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$", re.IGNORECASE)
MAX_SETTING_SECONDS = 365 * 24 * 3600.0
_SECONDS = {"ms": 0.001, "": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0}
# Config fields whose flag is not `--` + the field name, and what their valid values are.
_FLAGS = {
    "api_keys": "--api-key", "faults": "--fault", "quotas": "--quota", "ignore_paths": "--ignore-path",
    "redact_headers": "--redact-header", "redact_paths": "--redact-path",
    "file_processing_by_type": "--file-processing", "failing_file_types": "--file-processing",
}  # fmt: skip
_VALID_VALUES = {"replay_timing": "must be instant, recorded or scaled:F with F a number of times the recorded gaps, e.g. scaled:0.5"}


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
        raise argparse.ArgumentTypeError(f"not a duration of at most a year: {text[:40]!r} (examples: 2s, 500ms, 1m)")
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mockgem", description="A record/replay mock of the Gemini API.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the mock API")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port (0 picks a free one; default 8080)")
    serve.add_argument("--rules", action="append", default=[], type=Path, help="scripted rules YAML (repeatable; first match wins in file order)")
    serve.add_argument("--admin-token", help="require this token (Authorization: Bearer or X-Mockgem-Admin-Token) on the /_mockgem/ admin API; pass one when --host is not loopback")
    serve.add_argument("--api-key", action="append", default=[], dest="api_keys", help="accept only this key (repeatable); by default any non-empty key works")
    serve.add_argument("--max-body", type=parse_size, default=DEFAULT_MAX_BODY, help="largest request body accepted (default 20MiB)")
    serve.add_argument("--fault", action="append", default=[], dest="faults", metavar="TERM", help="inject a fault into generate calls, e.g. 503:0.05 or latency:200ms..800ms (repeatable)")
    serve.add_argument("--seed", type=int, default=None, help="seed for fault probabilities and jitter, so a run can be repeated")
    serve.add_argument("--journal-size", type=int, default=1000, metavar="N", help="requests the journal keeps (default 1000)")
    serve.add_argument("--idle-timeout", type=parse_duration, default=30.0, help="close a connection that sends nothing for this long, between requests or inside one (default 30s)")
    serve.add_argument("--quota", action="append", default=[], dest="quotas", metavar="SPEC", help="simulated rate limit, e.g. gemini-2.5-flash:rpm=10,tpm=250000 (repeatable)")
    add_state_arguments(serve)
    add_recording_options(serve)
    add_cassette_commands(commands)
    return parser


def add_state_arguments(serve: argparse.ArgumentParser) -> None:
    serve.add_argument("--state-dir", type=Path, help="keep files, cached contents and batches in DIR across restarts (default: in memory)")
    serve.add_argument("--file-processing", action="append", default=[], type=parse_processing, metavar="[MIME=]TIME", help="time a new file stays PROCESSING: 2s, video/*=5s, or video/*=fail to end FAILED (repeatable)")
    serve.add_argument("--batch-duration", type=parse_duration, default=0.0, help="time a batch takes to finish (default 0s)")
    serve.add_argument("--max-file-size", type=parse_size, default=2 * GIB, help="largest uploaded file (default 2GiB)")
    serve.add_argument("--max-storage", type=parse_size, default=20 * GIB, help="total bytes of stored files (default 20GiB)")


def add_recording_options(serve: argparse.ArgumentParser) -> None:
    modes = [mode.value for mode in RecordMode]
    serve.add_argument("--mode", choices=modes, default="replay", help="replay (default, never touches the network), record, auto or passthrough")
    serve.add_argument("--cassette", type=Path, help="cassette file; with --cassette-dir, the active cassette's name in it")
    serve.add_argument("--cassette-dir", type=Path, help="every cassette in this directory and its subfolders")
    serve.add_argument("--replay-timing", default="instant", help="stream chunk gaps: instant (default), recorded or scaled:F")
    serve.add_argument("--upstream", help="base URL to forward to (default: the real Google hosts)")
    serve.add_argument("--upstream-key", help="key sent upstream instead of the client's own")
    serve.add_argument("--upstream-connect-timeout", type=parse_duration, default=30.0, help="time to connect to the upstream (default 30s; a timeout answers 504)")
    serve.add_argument("--upstream-read-timeout", type=parse_duration, default=300.0, help="time the upstream may stay silent between two chunks of its answer (default 300s; no limit on the whole)")
    serve.add_argument("--rewrite", action="store_true", help="record mode: each cassette's first new recording replaces what the file held (default: add to it, as vcrpy does)")
    serve.add_argument("--ignore-path", action="append", default=[], dest="ignore_paths", type=json_path, metavar="JSONPATH", help="leave this JSON path of request bodies out of matching, e.g. generationConfig.seed (repeatable)")
    serve.add_argument("--match-version", action="store_true", help="match the API version (v1, v1beta) too; ignored by default")
    add_redaction_options(serve)


def config_from_args(args: argparse.Namespace) -> Config:
    processing: list[tuple[str, float | None]] = args.file_processing
    return Config(
        host=args.host,
        port=args.port,
        rules=tuple(args.rules),
        api_keys=tuple(args.api_keys),
        max_body=args.max_body,
        state_dir=args.state_dir,
        file_processing=next((seconds for mime, seconds in reversed(processing) if not mime and seconds is not None), 0.0),
        file_processing_by_type={mime: seconds for mime, seconds in processing if mime and seconds is not None},
        failing_file_types=tuple(mime for mime, seconds in processing if seconds is None),
        batch_duration=args.batch_duration,
        max_file_size=args.max_file_size,
        max_storage=args.max_storage,
        mode=RecordMode(args.mode),
        cassette=args.cassette,
        cassette_dir=args.cassette_dir,
        replay_timing=args.replay_timing,
        upstream=args.upstream,
        upstream_key=args.upstream_key,
        upstream_connect_timeout=args.upstream_connect_timeout,
        upstream_read_timeout=args.upstream_read_timeout,
        faults=tuple(args.faults),
        seed=args.seed,
        quotas=tuple(args.quotas),
        journal_size=args.journal_size,
        idle_timeout=args.idle_timeout,
        redact_headers=tuple(args.redact_headers),
        redact_query=tuple(args.redact_query),
        redact_paths=tuple(args.redact_paths),
        hash_blobs_over=args.hash_blobs_over,
        ignore_paths=tuple(args.ignore_paths),
        match_version=args.match_version,
        rewrite=args.rewrite,
        admin_token=args.admin_token,
    )


async def serve(config: Config) -> None:
    """Serves until SIGINT or SIGTERM, then closes connections cleanly."""
    runner = app_runner(config)
    await runner.setup()
    site = web.TCPSite(runner, config.host, config.port)
    await site.start()
    port = runner.addresses[0][1] if runner.addresses else config.port
    print(f"mockgem listening on http://{config.host}:{port}", flush=True)
    if config.admin_token is None and not is_loopback(config.host):
        print(f"mockgem: warning: the admin API (/_mockgem/) answers anyone who reaches {config.host}; pass --admin-token", file=sys.stderr, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def is_loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def config_problem(error: ValidationError) -> str:
    """A Config refusal in the command line's words: the flag, the value given, what is valid."""
    problems = []
    for detail in error.errors():
        field = str(detail["loc"][0]) if detail["loc"] else ""
        flag = _FLAGS.get(field, "--" + field.replace("_", "-"))
        valid = _VALID_VALUES.get(field, detail["msg"].removeprefix("Value error, "))
        problems.append(f"{flag} {detail.get('input')!r}: {valid}")
    return "; ".join(problems)


def checked_config(args: argparse.Namespace) -> Config:
    """The Config the flags give; ConfigError for values it refuses."""
    try:
        return config_from_args(args)
    except ValidationError as exc:
        raise ConfigError(config_problem(exc)) from None


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "cassette":
        return run_cassette_command(args)
    try:
        asyncio.run(serve(checked_config(args)))
    except (ConfigError, CassetteError) as exc:
        print(f"mockgem: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"mockgem: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 1
    return 0
