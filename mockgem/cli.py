"""`mockgem serve` and `mockgem cassette`: the command line."""

from __future__ import annotations

import argparse
import asyncio
import functools
import ipaddress
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from aiohttp import web
from pydantic import ValidationError

from mockgem._version import __version__
from mockgem.cassette_commands import add_cassette_commands, run_cassette_command
from mockgem.config import Config, RecordMode
from mockgem.console import access_log, startup_summary
from mockgem.errors import CassetteError, ConfigError
from mockgem.serve_options import EXAMPLE_CASSETTE, EXAMPLE_RULES, add_serve_command
from mockgem.heap import loaded_for_good
from mockgem.server import create_app
from mockgem.server.http_errors import GeminiAppRunner
from mockgem.server.keys import JOURNAL
from mockgem.server.proxy import InterceptingSite
from mockgem.tls import LocalCA

# Config fields whose flag is not `--` + the field name, and what their valid values are.
_FLAGS = {
    "api_keys": "--api-key", "faults": "--fault", "quotas": "--quota", "ignore_paths": "--ignore-path",
    "redact_headers": "--redact-header", "redact_paths": "--redact-path",
    "file_processing_by_type": "--file-processing", "failing_file_types": "--file-processing",
}  # fmt: skip
_VALID_VALUES = {"replay_timing": "must be instant, recorded or scaled:F with F a number of times the recorded gaps, e.g. scaled:0.5"}



def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mockgem", description="A record/replay mock of the Gemini API.")
    parser.add_argument("--version", action="version", version=f"mockgem {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    add_serve_command(commands)
    add_cassette_commands(commands)
    add_ca_command(commands)
    return parser


def add_ca_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ca = commands.add_parser("ca", help="print the path of the local CA the proxy's certificates come from (made on first use)")
    ca.add_argument("--state-dir", type=Path, help="the server's --state-dir (default: ~/.cache/mockgem)")
    ca.add_argument("--bundle", action="store_true", help="the CA followed by the system's roots, for SSL_CERT_FILE")


def print_ca(args: argparse.Namespace) -> int:
    authority = LocalCA.at(args.state_dir)
    print(authority.bundle_path if args.bundle else authority.cert_path)
    return 0


def config_from_args(args: argparse.Namespace) -> Config:
    processing: list[tuple[str, float | None]] = args.file_processing
    return Config(
        host=args.host,
        port=args.port,
        rules=(EXAMPLE_RULES, *args.rules) if args.example else tuple(args.rules),
        api_keys=tuple(args.api_keys),
        max_body=args.max_body,
        state_dir=args.state_dir,
        file_processing=next((seconds for mime, seconds in reversed(processing) if not mime and seconds is not None), 0.0),
        file_processing_by_type={mime: seconds for mime, seconds in processing if mime and seconds is not None},
        failing_file_types=tuple(mime for mime, seconds in processing if seconds is None),
        batch_duration=args.batch_duration,
        operation_duration=args.operation_duration,
        max_file_size=args.max_file_size,
        max_storage=args.max_storage,
        mode=RecordMode(args.mode),
        cassette=EXAMPLE_CASSETTE if args.example else args.cassette,
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
        tls=args.tls,
        match_on=tuple(args.match_on),
        strict=args.strict,
        admin_token=args.admin_token,
    )


async def serve(config: Config, *, quiet: bool = False, verbose: bool = False) -> None:
    """Serves until SIGINT or SIGTERM, then closes connections cleanly."""
    with loaded_for_good():
        app = create_app(config)
    say = functools.partial(print, flush=True)
    if not quiet:
        app[JOURNAL].subscribe(access_log(verbose, say))
    runner = GeminiAppRunner(app, handle_signals=False, keepalive_timeout=config.idle_timeout)
    await runner.setup()
    site = InterceptingSite(runner, config.host, config.port, ssl_context=LocalCA.at(config.state_dir).server_context() if config.tls else None)
    await site.start()
    port = runner.addresses[0][1] if runner.addresses else config.port
    summary = startup_summary(app, f"{'https' if config.tls else 'http'}://{config.host}:{port}")
    say("\n".join(summary[:1] if quiet else summary))
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


def check_cassette_exists(config: Config) -> None:
    """In replay, a `--cassette` that names no file would answer every request with a miss."""
    if config.mode is not RecordMode.REPLAY or config.cassette is None:
        return
    path = config.cassette if config.cassette_dir is None else config.cassette_dir / config.cassette
    if not any(candidate.is_file() for candidate in (path, path.with_name(path.name + ".yaml"))):
        where = f" in --cassette-dir {config.cassette_dir}" if config.cassette_dir else ""
        raise ConfigError(f"--cassette {config.cassette}: no such file{where} (replay reads it; record it first with --mode record)")


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
    if args.example and (args.mode != RecordMode.REPLAY.value or args.cassette or args.cassette_dir):
        raise ConfigError("--example replays the bundled cassette: it takes no --mode, --cassette or --cassette-dir")
    try:
        config = config_from_args(args)
    except ValidationError as exc:
        raise ConfigError(config_problem(exc)) from None
    check_cassette_exists(config)
    return config


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "cassette":
        return run_cassette_command(args)
    if args.command == "ca":
        return print_ca(args)
    try:
        asyncio.run(serve(checked_config(args), quiet=args.quiet, verbose=args.verbose))
    except (ConfigError, CassetteError) as exc:
        print(f"mockgem: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"mockgem: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 1
    return 0
