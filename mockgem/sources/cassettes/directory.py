"""A cassette directory loaded whole: every bad file named at once, stray files skipped.

One broken cassette among fifty should not take fifty restarts to find the rest; a `data.json`
or a README that happens to sit in the directory is no cassette and only gets a warning.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from mockgem.errors import CassetteError, NotACassette
from mockgem.sources.cassettes.formats import load_cassette
from mockgem.sources.cassettes.model import Cassette

log = logging.getLogger("mockgem.cassettes")


def load_directory(paths: Iterable[Path], directory: Path) -> list[Cassette]:
    """The cassettes among `paths` (named relative to `directory`); CassetteError lists every bad one."""
    loaded: list[Cassette] = []
    problems: list[str] = []
    for path in paths:
        try:
            loaded.append(load_cassette(path, directory))
        except NotACassette as exc:
            log.warning("mockgem: skipped %s", " ".join(str(exc).splitlines()))
        except CassetteError as exc:
            problems.append(" ".join(str(exc).splitlines()))
    if len(problems) == 1:
        raise CassetteError(problems[0])
    if problems:
        listed = "\n".join(f"  {problem}" for problem in problems)
        raise CassetteError(f"{len(problems)} files in {directory} cannot be read as cassettes:\n{listed}")
    return loaded
