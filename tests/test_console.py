"""The access log's lines, and a reader that went away."""

from __future__ import annotations

from mockgem.console import access_line, access_log
from mockgem.journal import JournalEntry

HIT = JournalEntry(1, 0.0, "POST", "/v1beta/models/m:generateContent", 200, 2.04, answered_by="demo.yaml #3", source="cassettes")
MISS = JournalEntry(2, 0.0, "POST", "/v1beta/models/m:generateContent", 400, 1.0, miss="no recorded interaction matches", faults=("503",))


def test_access_line_names_who_answered_and_the_faults() -> None:
    assert access_line(HIT) == "POST /v1beta/models/m:generateContent 200 demo.yaml #3 (cassettes) 2.0ms"
    assert access_line(MISS) == "POST /v1beta/models/m:generateContent 400 miss faults=503 1.0ms"


def test_access_log_survives_a_closed_output() -> None:
    def closed(_: str) -> None:
        raise BrokenPipeError

    access_log(False, closed)(HIT)
