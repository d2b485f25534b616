"""`mockgem cassette ls | check | redact FILE...`: look into cassettes without a server."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mockgem.errors import CassetteError
from mockgem.sources.cassettes.formats import load_cassette
from mockgem.sources.cassettes.redact import find_secrets
from mockgem.sources.cassettes.store import CassetteStore


def add_cassette_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cassette = commands.add_parser("cassette", help="list, check or redact cassette files")
    cassette.add_argument("action", choices=["ls", "check", "redact"])
    cassette.add_argument("files", nargs="+", type=Path)


def run_cassette_command(action: str, files: list[Path]) -> int:
    """0 when every file is fine; 1 naming file and place of each problem."""
    problems = 0
    for path in files:
        try:
            cassette = load_cassette(path)
        except CassetteError as exc:
            print(f"mockgem: {exc}", file=sys.stderr)
            problems += 1
            continue
        if action == "redact":
            CassetteStore().write(path, cassette.interactions)
        for position, interaction in enumerate(cassette.interactions, 1):
            if action == "ls":
                response = interaction.response
                print(f"{path} #{position}: {interaction.request.method} {interaction.request.uri} -> {response.status}")
            elif action == "check":
                for leak in find_secrets(interaction):
                    print(f"{path} #{position}: {leak}", file=sys.stderr)
                    problems += 1
    return 1 if problems else 0
