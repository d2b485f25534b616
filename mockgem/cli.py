"""`mockgem serve`: the command line."""

from __future__ import annotations

import argparse
import asyncio
import re
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from aiohttp import web

from mockgem.config import DEFAULT_MAX_BODY, Config
from mockgem.errors import ConfigError
from mockgem.server import create_app

_SIZE = re.compile(r"^(\d+)\s*([kmg]i?b?|b)?$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1000, "m": 1000**2, "g": 1000**3, "ki": 1024, "mi": 1024**2, "gi": 1024**3}


def parse_size(text: str) -> int:
    """`1048576`, `20MB`, `20MiB`, `512k` -> bytes."""
    found = _SIZE.match(text.strip())
    if found is None:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (examples: 1048576, 512k, 20MB, 20MiB)")
    unit = (found[2] or "").lower().removesuffix("b")
    return int(found[1]) * _UNITS[unit]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mockgem", description="A record/replay mock of the Gemini API.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the mock API")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port (0 picks a free one; default 8080)")
    serve.add_argument("--rules", action="append", default=[], type=Path, help="scripted rules YAML (repeatable; first match wins in file order)")
    serve.add_argument("--api-key", action="append", default=[], dest="api_keys", help="accept only this key (repeatable); by default any non-empty key works")
    serve.add_argument("--max-body", type=parse_size, default=DEFAULT_MAX_BODY, help="largest request body accepted (default 20MiB)")
    serve.add_argument("--fault", action="append", default=[], dest="faults", metavar="TERM", help="inject a fault into generate calls, e.g. 503:0.05 or latency:200ms..800ms (repeatable)")
    serve.add_argument("--seed", type=int, default=None, help="seed for fault probabilities and jitter, so a run can be repeated")
    serve.add_argument("--quota", action="append", default=[], dest="quotas", metavar="SPEC", help="simulated rate limit, e.g. gemini-2.5-flash:rpm=10,tpm=250000 (repeatable)")
    return parser


def config_from_args(args: argparse.Namespace) -> Config:
    return Config(
        host=args.host,
        port=args.port,
        rules=tuple(args.rules),
        api_keys=tuple(args.api_keys),
        max_body=args.max_body,
        faults=tuple(args.faults),
        seed=args.seed,
        quotas=tuple(args.quotas),
    )


async def serve(config: Config) -> None:
    """Serves until SIGINT or SIGTERM, then closes connections cleanly."""
    runner = web.AppRunner(create_app(config), handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, config.host, config.port)
    await site.start()
    port = runner.addresses[0][1] if runner.addresses else config.port
    print(f"mockgem listening on http://{config.host}:{port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        asyncio.run(serve(config_from_args(args)))
    except ConfigError as exc:
        print(f"mockgem: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"mockgem: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 1
    return 0
