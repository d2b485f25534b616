"""How hard the hardening tests push: short and bounded in CI (`make test`), longer with
`make soak` (MOCKGEM_SOAK=1). Each test reads its sizes from `scale`."""

from __future__ import annotations

import json
import os

SOAK = os.environ.get("MOCKGEM_SOAK") == "1"


def scale(ci: int, soak: int) -> int:
    """`ci` in the suite, `soak` under `make soak`."""
    return soak if SOAK else ci


def report(name: str, **numbers: object) -> None:
    """Appends what a run did (counts, seconds, concurrency) to $MOCKGEM_REPORT, if set: the
    README's "What was tried" quotes the last `make soak`."""
    path = os.environ.get("MOCKGEM_REPORT")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps({"test": name, "soak": SOAK, **numbers}) + "\n")
