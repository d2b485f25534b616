"""What `mockgem serve` prints: a summary when it is ready, then one access-log line per request.

    mockgem listening on http://127.0.0.1:8080
      mode        replay: answers from recordings and rules, never touches the network
      cassettes   1 cassette, 2 interactions (example.yaml)
      rules       7 rules and a default (mockgem/examples/rules.yaml)
      recordings  none: replay never records
      inspector   http://127.0.0.1:8080/_mockgem/
    POST /v1beta/models/gemini-2.5-flash:generateContent 200 example.yaml #1 (cassettes) 2.1ms

The first line stays the same whatever follows: scripts wait for it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from aiohttp import web

from mockgem.config import Config, RecordMode
from mockgem.journal import JournalEntry
from mockgem.server.keys import CASSETTES, CONFIG, RULES
from mockgem.sources.cassettes.source import DEFAULT_RECORDING, CassetteSource

INSPECTOR_PATH = "/_mockgem/"
_MODES = {
    RecordMode.REPLAY: "replay: answers from recordings and rules, never touches the network",
    RecordMode.RECORD: "record: forwards every request and writes it down",
    RecordMode.AUTO: "auto: replays what is recorded, forwards and records the rest",
    RecordMode.PASSTHROUGH: "passthrough: forwards every request, records nothing",
}
_UPSTREAM = "the real Google hosts (generativelanguage.googleapis.com; Vertex AI: LOCATION-aiplatform.googleapis.com)"


def startup_summary(app: web.Application, url: str) -> list[str]:
    """The ready line, then what the server will do, one `  name  value` line each."""
    config: Config = app[CONFIG]
    rows = [
        ("mode", _MODES[config.mode]),
        ("cassettes", _cassettes(app[CASSETTES], config)),
        ("rules", _rules(app, config)),
        ("upstream", _upstream(config)),
        ("recordings", _recordings(app[CASSETTES], config)),
        ("inspector", url + INSPECTOR_PATH),
    ]
    return [f"mockgem listening on {url}", *(f"  {name:<11} {value}" for name, value in rows if value)]


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _cassettes(cassettes: CassetteSource, config: Config) -> str:
    if config.cassette is None and config.cassette_dir is None:
        return "none given (--cassette FILE or --cassette-dir DIR)"
    names = cassettes.index.names
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    where = f" in {config.cassette_dir}" if config.cassette_dir else ""
    return f"{_plural(len(names), 'cassette')}, {_plural(len(cassettes.index), 'interaction')}{where}" + (f" ({shown})" if shown else "")


def _rules(app: web.Application, config: Config) -> str:
    count = len(app[RULES].rules)
    default = " and a default" if app[RULES].default is not None else ""
    files = ", ".join(str(rule) for rule in config.rules if isinstance(rule, Path))
    if not count and not default:
        return "none (--rules FILE)"
    return f"{_plural(count, 'rule')}{default}" + (f" ({files})" if files else "")


def _upstream(config: Config) -> str:
    if config.mode is RecordMode.REPLAY:
        return ""
    return config.upstream or _UPSTREAM


def _recordings(cassettes: CassetteSource, config: Config) -> str:
    if config.mode is RecordMode.REPLAY:
        return "none: replay never records"
    if config.mode is RecordMode.PASSTHROUGH:
        return "none: passthrough records nothing"
    name = cassettes.active or DEFAULT_RECORDING
    path = Path(name) if Path(name).is_absolute() else (cassettes.directory or Path.cwd()) / name
    return f"{path} (or the cassette an X-Mockgem-Cassette header names)"


def access_line(entry: JournalEntry) -> str:
    """`POST /v1beta/models/m:generateContent 200 example.yaml #1 (cassettes) 2.1ms`."""
    status = str(entry.status) if entry.status is not None else "cut"
    if entry.miss is not None:
        who = "miss"
    elif entry.answered_by:
        who = f"{entry.answered_by} ({entry.source})" if entry.source and entry.source != entry.answered_by else entry.answered_by
    else:
        who = "-"
    faults = f" faults={','.join(entry.faults)}" if entry.faults else ""
    return f"{entry.method} {entry.path} {status} {who}{faults} {entry.duration_ms:.1f}ms"


def verbose_lines(entry: JournalEntry) -> list[str]:
    """The access line, then the model, the cassette and a miss's whole message, indented."""
    details = [f"model={entry.model}" if entry.model else "", f"cassette={entry.cassette}" if entry.cassette else ""]
    lines = [access_line(entry)]
    if any(details):
        lines.append("  " + " ".join(detail for detail in details if detail))
    lines += [f"  {line}" for line in (entry.miss or "").splitlines()]
    return lines


def access_log(verbose: bool, write: Callable[[str], None]) -> Callable[[JournalEntry], None]:
    """A journal listener that writes each entry as one line (several when `verbose`)."""

    def log(entry: JournalEntry) -> None:
        try:
            write("\n".join(verbose_lines(entry)) if verbose else access_line(entry))
        except OSError:
            pass  # the reader of our output went away (`| head`): keep serving, with no log

    return log
