"""`mockgem cassette ls | show | check | redact`: look into cassettes without a server."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from mockgem.errors import CassetteError
from mockgem.sources.cassettes.display import format_cassette_heading, format_interaction, mask_query
from mockgem.sources.cassettes.formats import load_cassette
from mockgem.sources.cassettes.jsonpath import parse_path
from mockgem.sources.cassettes.model import Cassette
from mockgem.sources.cassettes.redact import RedactionRules, find_secrets
from mockgem.sources.cassettes.store import CassetteStore


def json_path(text: str) -> str:
    """An argument that must be a JSON path such as `generationConfig.seed`."""
    try:
        parse_path(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    return text


def byte_count(text: str) -> int:
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"not a number of bytes: {text!r} (example: 100000)")
    return int(text)


def add_redaction_options(parser: argparse._ActionsContainer) -> None:
    """Filters on top of the default redaction, for `serve` (recording) and `cassette redact`."""
    parser.add_argument("--redact-header", action="append", default=[], dest="redact_headers", metavar="NAME", help="also leave this header out of cassettes (repeatable)")
    parser.add_argument("--redact-query", action="append", default=[], dest="redact_query", metavar="NAME", help="also leave this query parameter out of cassettes (repeatable)")
    parser.add_argument("--redact-path", action="append", default=[], dest="redact_paths", type=json_path, metavar="JSONPATH", help="mask this JSON path in request and response bodies, e.g. systemInstruction (repeatable)")
    parser.add_argument("--hash-blobs-over", type=byte_count, metavar="BYTES", help="write inlineData blobs larger than BYTES as their sha256 digest (matching still works)")


def redaction_from_args(args: argparse.Namespace) -> RedactionRules:
    return RedactionRules(
        headers=frozenset(args.redact_headers), query=frozenset(args.redact_query),
        json_paths=tuple(args.redact_paths), blob_limit=args.hash_blobs_over,
    )


def add_cassette_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cassette = commands.add_parser("cassette", help="list, show, check or redact cassette files")
    actions = cassette.add_subparsers(dest="action", required=True)
    actions.add_parser("ls", help="one line per interaction").add_argument("files", nargs="+", type=Path)
    show = actions.add_parser("show", help="print interactions readably, streams chunk by chunk")
    show.add_argument("file", type=Path)
    show.add_argument("--index", type=int, metavar="N", help="show only interaction N (1-based)")
    check = actions.add_parser("check", help="find leftover secrets and unreadable entries")
    check.add_argument("files", nargs="+", type=Path)
    redact = actions.add_parser("redact", help="redact files in place")
    add_redaction_options(redact)
    redact.add_argument("files", nargs="+", type=Path)


def run_cassette_command(args: argparse.Namespace) -> int:
    """0 when every file is fine; 1 naming file and place of each problem."""
    if args.action == "show":
        return show_cassette(args.file, args.index)
    store = CassetteStore(redaction=redaction_from_args(args)) if args.action == "redact" else None
    problems = 0
    for path in args.files:
        cassette = _load_or_report(path)
        if cassette is None:
            problems += 1
        elif store is not None:
            store.write(path, cassette.interactions)
        elif args.action == "ls":
            _list(cassette)
        else:
            problems += _check(cassette)
    return 1 if problems else 0


def show_cassette(path: Path, index: int | None = None) -> int:
    cassette = _load_or_report(path)
    if cassette is None:
        return 1
    count = len(cassette.interactions)
    if index is not None and not 1 <= index <= count:
        print(f"mockgem: {path}: no interaction #{index}; the file has {count} (1 to {count})", file=sys.stderr)
        return 1
    try:
        print(format_cassette_heading(cassette))
        for number in [index] if index is not None else range(1, count + 1):
            print()
            print(format_interaction(cassette.interactions[number - 1], number))
    except BrokenPipeError:
        # The reader (`| head`, `| less`) stopped early: not an error, and nothing more to say.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _load_or_report(path: Path) -> Cassette | None:
    try:
        return load_cassette(path)
    except CassetteError as exc:
        print("mockgem: " + " ".join(str(exc).splitlines()), file=sys.stderr)
        return None


def _list(cassette: Cassette) -> None:
    for position, interaction in enumerate(cassette.interactions, 1):
        request, response = interaction.request, interaction.response
        print(f"{cassette.path} #{position}: {request.method} {mask_query(request.uri)} -> {response.status}")


def _check(cassette: Cassette) -> int:
    leaks = 0
    for position, interaction in enumerate(cassette.interactions, 1):
        for leak in find_secrets(interaction):
            print(f"{cassette.path} #{position}: {leak}", file=sys.stderr)
            leaks += 1
    return leaks
