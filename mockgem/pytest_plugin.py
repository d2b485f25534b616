"""The pytest plugin: one mockgem server per session, a cassette per test, clients pointed at it.

Installed with mockgem (entry point `pytest11`), so a test only asks for the fixture:

    def test_summary(mockgem):
        assert summarize("...") == "..."          # the app builds its own genai.Client()
        assert mockgem.requests.last.model == "gemini-2.5-flash"

Each test replays `cassettes/{module}/{test}.yaml` next to its file, as pytest-recording names
them; `pytest --mockgem-mode=record` records them. `@pytest.mark.mockgem(cassette=..., rules=...,
mode=..., **settings)` overrides the defaults for one test; `mockgem_<setting>` ini options
set them for every test (`mockgem_mode = auto`, `mockgem_faults = 503@0.1`: the names of
`mockgem.settings.Settings`, checked as `MockGemServer` checks them). Tests whose settings differ get
their own server; servers start on first use and stop at the end of the session (per xdist
worker). A request that nothing could answer fails its test with the miss message.
"""

from __future__ import annotations

import json
import os
import typing
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mockgem.config import RecordMode
from mockgem.embedded import MockGemServer
from mockgem.errors import ConfigError
from mockgem.journal import JournalEntry
from mockgem.settings import SETTING_NAMES, Settings, checked_config, unknown_setting

DUMMY_KEY = "mockgem-test-key"
SERVER = pytest.StashKey[MockGemServer]()
CASSETTE = pytest.StashKey[Path]()
REPORTED = pytest.StashKey[int]()  # misses already reported, in an earlier phase of the test
# The characters pytest-recording replaces in a cassette's file name.
_UNSAFE_NAME_CHARACTERS = "<>?%*:|\"'/\\"
MARKER = "@pytest.mark.mockgem"


IniKind = typing.Literal["string", "linelist"]


def ini_settings() -> dict[str, tuple[IniKind, bool]]:
    """Each setting an ini line can give: its pytest ini type, and whether it is a path (relative
    to the rootdir). A setting that is a mapping has no ini form."""
    found: dict[str, tuple[IniKind, bool]] = {"rules": ("linelist", True)}
    for name, kind in typing.get_type_hints(Settings).items():
        if typing.get_origin(kind) is not dict:
            is_path = kind is Path or Path in typing.get_args(kind)
            found[name] = ("linelist" if typing.get_origin(kind) is tuple else "string", is_path)
    return found


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mockgem", "mockgem: record and replay the Gemini API")
    group.addoption(
        "--mockgem-mode", choices=[mode.value for mode in RecordMode], default=None,
        help="replay (default: never touches the network), record, auto or passthrough; overrides the mockgem_mode ini option",
    )
    group.addoption("--mockgem-upstream", default=None, metavar="URL", help="where record, auto and passthrough send requests")
    parser.addini("mockgem_openai", type="bool", default=True,
                  help="point OPENAI_BASE_URL at mockgem's OpenAI-compatible path (default true; false when the tests also call the real OpenAI API)")
    for name, (kind, _) in ini_settings().items():
        parser.addini(f"mockgem_{name}", type=kind, default=[] if kind == "linelist" else "", help=f"mockgem setting `{name}` for every test")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "mockgem(cassette=None, rules=None, mode=None, **settings): this test's cassette, rules, mode or server settings",
    )


class ServerPool:
    """One running server per distinct settings, started on first use."""

    def __init__(self) -> None:
        self._servers: dict[str, MockGemServer] = {}
        self._rerecorded: set[Path] = set()

    def get(self, settings: dict[str, Any], first_cassette: Path) -> MockGemServer:
        key = json.dumps(settings, sort_keys=True, default=str)
        if key not in self._servers:
            # The first cassette only tells the server it replays cassettes: each test selects its own.
            self._servers[key] = MockGemServer(cassette=first_cassette, **settings).start()
        return self._servers[key]

    def first_to_record(self, cassette: Path) -> bool:
        """Whether no earlier test of this session records into `cassette` (tests may share one)."""
        first = cassette not in self._rerecorded
        self._rerecorded.add(cassette)
        return first

    def stop(self) -> None:
        for server in self._servers.values():
            server.stop()
        self._servers.clear()


@pytest.fixture(scope="session")
def mockgem_servers() -> Iterator[ServerPool]:
    pool = ServerPool()
    yield pool
    pool.stop()


@dataclass(frozen=True)
class Plan:
    """What one test asks of mockgem: its cassette, its rules, and its server's settings."""

    cassette: Path
    rules: tuple[Path | dict[str, Any], ...]
    settings: dict[str, Any]

    @property
    def mode(self) -> str:
        return str(self.settings["mode"])

    @property
    def reaches_google(self) -> bool:
        """Whether requests may go to the real API (not replay, and no other upstream given)."""
        return self.mode != RecordMode.REPLAY.value and "upstream" not in self.settings


@pytest.fixture
def mockgem(request: pytest.FixtureRequest, mockgem_servers: ServerPool) -> Iterator[MockGemServer]:
    """A mockgem server replaying (or recording) this test's cassette, with a clean journal."""
    plan = plan_for(request)
    if plan.reaches_google and not _has_key():
        pytest.fail(f"--mockgem-mode={plan.mode} reaches the real Gemini API: set GEMINI_API_KEY (or "
                    "GOOGLE_API_KEY), or give --mockgem-upstream", pytrace=False)
    server = mockgem_servers.get(plan.settings, plan.cassette)
    server.reset()
    for rules in plan.rules:
        server.load_rules(rules)
    # Re-recording replaces the cassette with what this session records into it, once it records
    # something; a later test sharing the cassette adds to it.
    afresh = plan.mode == RecordMode.RECORD.value and mockgem_servers.first_to_record(plan.cassette)
    server.use_cassette(plan.cassette, afresh=afresh)
    request.node.stash[SERVER], request.node.stash[CASSETTE] = server, plan.cassette
    with pytest.MonkeyPatch.context() as environment:
        point_clients_at(server, environment, dummy_keys=plan.reaches_google is False, openai=bool(request.config.getini("mockgem_openai")))
        yield server


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """`mockgem` is set up before the test's other fixtures, so a fixture that builds a client
    from the environment builds it against mockgem."""
    for item in items:
        names = getattr(item, "fixturenames", None)
        if isinstance(names, list) and "mockgem" in names:
            names.remove("mockgem")
            names.insert(0, "mockgem")


def plan_for(request: pytest.FixtureRequest) -> Plan:
    """The test's cassette, rules and server settings: marker, then command line, then ini, then defaults."""
    marker = request.node.get_closest_marker("mockgem")
    options = dict(marker.kwargs) if marker else {}
    for name in options:
        if name not in {"cassette", "rules", *SETTING_NAMES}:
            pytest.fail(unknown_setting(name, MARKER), pytrace=False)
    here = request.path.parent
    name = str(options.pop("cassette", None) or default_cassette_name(request))
    cassette = here / "cassettes" / request.path.stem / (name if Path(name).suffix else f"{name}.yaml")
    settings = settings_from_ini(request.config)
    settings["mode"] = options.pop("mode", None) or request.config.getoption("--mockgem-mode") or settings.get("mode") or RecordMode.REPLAY.value
    upstream = request.config.getoption("--mockgem-upstream") or settings.pop("upstream", None)
    if upstream and settings["mode"] != RecordMode.REPLAY.value:
        settings["upstream"] = upstream
    rules = _resolved_rules(options.pop("rules", ()), here)
    plan = Plan(cassette.resolve(), rules, settings | options)
    try:
        checked_config(plan.settings | {"cassette": plan.cassette}, where=MARKER if options else "mockgem")
    except ConfigError as exc:
        pytest.fail(str(exc), pytrace=False)
    return plan


def settings_from_ini(config: pytest.Config) -> dict[str, Any]:
    """The `mockgem_<setting>` ini options given, paths relative to the rootdir."""
    settings: dict[str, Any] = {}
    for name, (kind, is_path) in ini_settings().items():
        value = config.getini(f"mockgem_{name}")
        if value:
            values = [config.rootpath / item if is_path else item for item in (value if kind == "linelist" else [value])]
            settings[name] = tuple(values) if kind == "linelist" else values[0]
    return settings


def default_cassette_name(request: pytest.FixtureRequest) -> str:
    """`test_name`, or `Class.test_name` in a class, as pytest-recording names cassettes."""
    name = f"{request.cls.__name__}.{request.node.name}" if request.cls else request.node.name
    for character in _UNSAFE_NAME_CHARACTERS:
        name = name.replace(character, "-")
    return name


def _resolved_rules(rules: Any, here: Path) -> tuple[Path | dict[str, Any], ...]:
    """Rule files relative to the test's folder; dicts as they are."""
    listed = rules if isinstance(rules, list | tuple) else [rules]
    return tuple(item if isinstance(item, dict) else here / item for item in listed)


def point_clients_at(server: MockGemServer, environment: pytest.MonkeyPatch, *, dummy_keys: bool, openai: bool = True) -> None:
    """google-genai (Gemini API and Vertex AI) and openai read these. Dummy keys only when none is
    set, and never for the real API: a recording made with a dummy key would record a refusal."""
    environment.setenv("GOOGLE_GEMINI_BASE_URL", server.gemini_base_url)
    environment.setenv("GOOGLE_VERTEX_BASE_URL", server.url)
    if server.ca_bundle is not None:
        environment.setenv("SSL_CERT_FILE", str(server.ca_bundle))
    if openai:
        environment.setenv("OPENAI_BASE_URL", server.openai_base_url)
    if dummy_keys and not _has_key():
        # Both names: google-genai reads either, other clients only one of them.
        environment.setenv("GEMINI_API_KEY", DUMMY_KEY)
        environment.setenv("GOOGLE_API_KEY", DUMMY_KEY)
    if openai and dummy_keys and not os.environ.get("OPENAI_API_KEY"):
        environment.setenv("OPENAI_API_KEY", DUMMY_KEY)


def _has_key() -> bool:
    return any(os.environ.get(name) for name in ("GEMINI_API_KEY", "GOOGLE_API_KEY"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A test (its setup or teardown too) during which a request found no answer fails with the
    miss message first; its own failure, if any, follows in full. An xfail stays as it is."""
    report = yield
    server = item.stash.get(SERVER, None)
    if server is None or hasattr(report, "wasxfail") or report.skipped:
        return report
    reported = item.stash.get(REPORTED, 0)
    misses = server.requests.misses[reported:]
    if misses:
        item.stash[REPORTED] = reported + len(misses)
        if report.failed:
            report.sections.append(("the test's own failure", str(report.longrepr)))
        report.longrepr = miss_report(misses, item.stash[CASSETTE], report)
        report.outcome = "failed"
    return report


def miss_report(misses: list[JournalEntry], cassette: Path, report: pytest.TestReport) -> str:
    """What a user needs to fix a miss: the cassette, each request, its closest recording and diff."""
    count = f"{len(misses)} request{'s' if len(misses) != 1 else ''}"
    lines = [f"mockgem: {count} had no recorded answer in {cassette}"]
    if not cassette.exists():
        lines.append("The cassette does not exist yet: record it with `pytest --mockgem-mode=record`.")
    for entry in misses:
        lines += ["", f"{entry.method} {entry.path}", *(f"  {line}" for line in (entry.miss or "").splitlines())]
    crash = getattr(report.longrepr, "reprcrash", None) if report.failed else None
    if crash is not None:
        lines += ["", f"The test then failed, at {crash.path}:{crash.lineno}:", f"  {_shortened(crash.message.splitlines()[0])}"]
    return "\n".join(lines)


def _shortened(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else f"{text[:limit]}..."
