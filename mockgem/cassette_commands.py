"""`mockgem cassette ls | show | check | redact`: look into cassettes without a server."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from mockgem.errors import CassetteError, NotACassette
from mockgem.sources.cassettes.display import format_cassette_heading, format_interaction, mask_query
from mockgem.sources.cassettes.formats import load_cassette
from mockgem.sources.cassettes.jsonpath import parse_path
from mockgem.sources.cassettes.model import Cassette
from mockgem.sources.cassettes.redact import RedactionRules, find_secrets, redact
from mockgem.sources.cassettes.places import cassette_files
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
    add_paths(actions.add_parser("ls", help="one line per interaction"))
    show = actions.add_parser("show", help="print interactions readably, streams chunk by chunk")
    add_paths(show)
    show.add_argument("--index", type=int, metavar="N", help="show only interaction N (1-based)")
    check = actions.add_parser("check", help="find leftover secrets and unreadable entries")
    add_paths(check)
    redact = actions.add_parser("redact", help="redact files in place")
    add_redaction_options(redact)
    redact.add_argument("--dry-run", action="store_true", help="say what would change, write nothing")
    add_paths(redact)


def add_paths(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE_OR_DIR", help="cassette files, or directories of them (subfolders too)")


def run_cassette_command(args: argparse.Namespace) -> int:
    """0 when every file is fine; 1 naming file and place of each problem."""
    cassettes, unreadable = _load_all(args.files)
    if args.action == "show":
        problems = sum(show_cassette(cassette, args.index) for cassette in cassettes)
    elif args.action == "redact":
        problems = _redact(cassettes, redaction_from_args(args), dry_run=args.dry_run)
    elif args.action == "check":
        problems = _check(cassettes)
    else:
        problems = 0
        for cassette in cassettes:
            _list(cassette)
    return 1 if problems or unreadable else 0


def _load_all(paths: list[Path]) -> tuple[list[Cassette], int]:
    """The cassettes the arguments name (a directory: every cassette in it) and how many failed to load.

    A file inside a directory that is plainly no cassette is skipped with a warning; a file named
    on its own is expected to be one.
    """
    cassettes, unreadable = [], 0
    for path in paths:
        for file in cassette_files(path) if path.is_dir() else [path]:
            try:
                cassettes.append(load_cassette(file))
            except NotACassette as exc:
                unreadable += not path.is_dir()
                _say(exc, "skipped " if path.is_dir() else "")
            except CassetteError as exc:
                unreadable += 1
                _say(exc)
    return cassettes, unreadable


def _say(problem: Exception, prefix: str = "") -> None:
    print("mockgem: " + prefix + " ".join(str(problem).splitlines()), file=sys.stderr)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def show_cassette(cassette: Cassette, index: int | None = None) -> int:
    """Prints `cassette` (only its interaction `index`); 1 when there is no such interaction."""
    count = len(cassette.interactions)
    if index is not None and not 1 <= index <= count:
        print(f"mockgem: {cassette.path}: no interaction #{index}; the file has {count} (1 to {count})", file=sys.stderr)
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


def _list(cassette: Cassette) -> None:
    for position, interaction in enumerate(cassette.interactions, 1):
        request, response = interaction.request, interaction.response
        print(f"{cassette.path} #{position}: {request.method} {mask_query(request.uri)} -> {response.status}")


def _check(cassettes: list[Cassette]) -> int:
    leaks = 0
    for cassette in cassettes:
        for position, interaction in enumerate(cassette.interactions, 1):
            for leak in find_secrets(interaction):
                print(f"{cassette.path} #{position}: {leak}", file=sys.stderr)
                leaks += 1
    interactions = sum(len(cassette.interactions) for cassette in cassettes)
    found = f"{_plural(leaks, 'leftover secret')} found" if leaks else "no leftover secret"
    print(f"checked {_plural(len(cassettes), 'cassette')}, {_plural(interactions, 'interaction')}: {found}")
    return leaks


def _redact(cassettes: list[Cassette], rules: RedactionRules, *, dry_run: bool) -> int:
    """Redacts each cassette in place (not when `dry_run`), saying how many interactions changed."""
    store = CassetteStore(redaction=rules)
    changed_files = 0
    for cassette in cassettes:
        changed = sum(redact(interaction, rules) != interaction for interaction in cassette.interactions)
        if changed and not dry_run:
            store.write(cassette.path, cassette.interactions)
        changed_files += bool(changed)
        verb = "would redact" if dry_run else "redacted"
        print(f"{cassette.path}: {verb} {changed} of {_plural(len(cassette.interactions), 'interaction')}" if changed else f"{cassette.path}: nothing to redact")
    verb = "would change" if dry_run else "changed"
    print(f"{verb} {changed_files} of {_plural(len(cassettes), 'cassette')}" + (" (dry run: nothing written)" if dry_run else ""))
    return 0
