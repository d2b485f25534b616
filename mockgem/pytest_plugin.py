"""The pytest plugin: one mockgem server per session, a cassette per test, clients pointed at it.

Installed with mockgem (entry point `pytest11`), so a test only asks for the fixture (or carries
the marker, `@pytest.mark.mockgem`, which is enough on its own):

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

For pytest-recording users: a `mockgem_config` fixture (like `vcr_config`) returns settings for
the tests in its scope; ini `mockgem_vcr_marker = true` makes `@pytest.mark.vcr` mean mockgem's
marker; `--mockgem-block-network` fails a test that would reach a host other than loopback. The
clients of a test are pointed at a base URL that names its cassette (`/_cassette/NAME/`), and with
`intercept` (ini `mockgem_intercept = true`) at mockgem as their HTTPS proxy too, trusting its
local CA, so clients with a hard-coded Google URL replay as well. The session ends with a list of
the requests answered by a fallback (a recording played by order, with its diff).
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
from mockgem.network_guard import NetworkGuard

DUMMY_KEY = "mockgem-test-key"
SERVER = pytest.StashKey[MockGemServer]()
CASSETTE = pytest.StashKey[Path]()
REPORTED = pytest.StashKey[int]()  # misses already reported, in an earlier phase of the test
FELL_BACK = pytest.StashKey[int]()  # fallbacks already reported, in an earlier phase of the test
GUARD = pytest.StashKey[NetworkGuard]()
FALLBACK_PROPERTY = "mockgem_fallbacks"
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

CASSETTE_SUFFIXES = frozenset({".yaml", ".yml", ".json", ".har"})


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mockgem", "mockgem: record and replay the Gemini API")
    group.addoption(
        "--mockgem-mode", choices=[mode.value for mode in RecordMode], default=None,
        help="replay (default: never touches the network), record, auto or passthrough; overrides the mockgem_mode ini option",
    )
    group.addoption("--mockgem-upstream", default=None, metavar="URL", help="where record, auto and passthrough send requests")
    group.addoption("--mockgem-block-network", action="store_true", help="fail any test that would reach a host other than loopback")
    parser.addini("mockgem_openai", type="bool", default=True,
                  help="point OPENAI_BASE_URL at mockgem's OpenAI-compatible path (default true; false when the tests also call the real OpenAI API)")
    for name, (kind, _) in ini_settings().items():
        parser.addini(f"mockgem_{name}", type=kind, default=[] if kind == "linelist" else "", help=f"mockgem setting `{name}` for every test")
    parser.addini("mockgem_intercept", type="bool", default=False,
                  help="make mockgem every test's HTTPS proxy, trusting its local CA: clients with a hard-coded Google URL replay too")
    parser.addini("mockgem_vcr_marker", type="bool", default=False, help="treat @pytest.mark.vcr as @pytest.mark.mockgem (pytest-recording's marker)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "mockgem(cassette=None, rules=None, mode=None, **settings): this test's cassette, rules, mode or server settings",
    )
    if config.getini("mockgem_vcr_marker"):
        config.addinivalue_line("markers", "vcr: replayed by mockgem (mockgem_vcr_marker = true)")
    config.pluginmanager.register(FallbackSummary(), "mockgem-fallback-summary")


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
    intercept: bool = False

    @property
    def mode(self) -> str:
        return str(self.settings["mode"])

    @property
    def reaches_google(self) -> bool:
        """Whether requests may go to the real API (not replay, and no other upstream given)."""
        return self.mode != RecordMode.REPLAY.value and "upstream" not in self.settings


@pytest.fixture(scope="module")
def mockgem_config() -> dict[str, Any]:
    """Settings for every test in its scope, as pytest-recording's `vcr_config`: override it in a
    conftest.py or a module (`mode`, `upstream`, `match_on`, `ignore_paths`, `redact_headers`,
    `strict`, `intercept`...). A test's marker overrides it."""
    return {}


@pytest.fixture
def mockgem(request: pytest.FixtureRequest, mockgem_servers: ServerPool, mockgem_config: dict[str, Any]) -> Iterator[MockGemServer]:
    """A mockgem server replaying (or recording) this test's cassette, with a clean journal."""
    plan = plan_for(request, mockgem_config)
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
    selected = server.use_cassette(plan.cassette, afresh=afresh)
    request.node.stash[SERVER], request.node.stash[CASSETTE] = server, plan.cassette
    with pytest.MonkeyPatch.context() as environment:
        point_clients_at(server, environment, dummy_keys=plan.reaches_google is False, openai=bool(request.config.getini("mockgem_openai")),
                         base_url=server.cassette_url(selected))
        if plan.intercept:
            intercept_clients(server, environment)
        yield server


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`mockgem` is set up before the test's other fixtures, so a fixture that builds a client
    from the environment builds it against mockgem; the marker alone asks for it."""
    vcr = bool(config.getini("mockgem_vcr_marker"))
    for item in items:
        names = getattr(item, "fixturenames", None)
        marked = item.get_closest_marker("mockgem") is not None or (vcr and item.get_closest_marker("vcr") is not None)
        if isinstance(names, list) and ("mockgem" in names or marked):
            if "mockgem" in names:
                names.remove("mockgem")
            names.insert(0, "mockgem")


def plan_for(request: pytest.FixtureRequest, suite: dict[str, Any] | None = None) -> Plan:
    """The test's cassette, rules and server settings: marker, then `mockgem_config` (`suite`),
    then command line, then ini, then defaults."""
    marker = request.node.get_closest_marker("mockgem")
    options = dict(marker.kwargs) if marker else {}
    for name in options:
        if name not in {"cassette", "rules", "intercept", *SETTING_NAMES}:
            pytest.fail(unknown_setting(name, MARKER), pytrace=False)
    here = request.path.parent
    name = str(options.pop("cassette", None) or default_cassette_name(request))
    # `Class.test_name` has a dot but no extension: pytest-recording adds `.yaml` to it too.
    cassette = here / "cassettes" / request.path.stem / (name if Path(name).suffix in CASSETTE_SUFFIXES else f"{name}.yaml")
    settings = settings_from_ini(request.config) | dict(suite or {})
    intercept = bool(options.pop("intercept", settings.pop("intercept", request.config.getini("mockgem_intercept"))))
    mode = options.pop("mode", None) or request.config.getoption("--mockgem-mode") or settings.get("mode") or RecordMode.REPLAY.value
    settings["mode"] = mode.value if isinstance(mode, RecordMode) else mode
    upstream = request.config.getoption("--mockgem-upstream") or settings.pop("upstream", None)
    if upstream and settings["mode"] != RecordMode.REPLAY.value:
        settings["upstream"] = upstream
    rules = _resolved_rules(options.pop("rules", ()), here)
    plan = Plan(cassette.resolve(), rules, settings | options, intercept)
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


def point_clients_at(server: MockGemServer, environment: pytest.MonkeyPatch, *, dummy_keys: bool, openai: bool = True,
                     base_url: str | None = None) -> None:
    """google-genai (Gemini API and Vertex AI) and openai read these; `base_url` (a cassette's,
    `server.cassette_url`) in place of the server's. Dummy keys only when none is set, and never
    for the real API: a recording made with a dummy key would record a refusal."""
    base = base_url or server.url
    environment.setenv("GOOGLE_GEMINI_BASE_URL", base)
    environment.setenv("GOOGLE_VERTEX_BASE_URL", base)
    if server.ca_bundle is not None:
        environment.setenv("SSL_CERT_FILE", str(server.ca_bundle))
    if openai:
        environment.setenv("OPENAI_BASE_URL", f"{base}/v1beta/openai/")
    if dummy_keys and not _has_key():
        # Both names: google-genai reads either, other clients only one of them.
        environment.setenv("GEMINI_API_KEY", DUMMY_KEY)
        environment.setenv("GOOGLE_API_KEY", DUMMY_KEY)
    if openai and dummy_keys and not os.environ.get("OPENAI_API_KEY"):
        environment.setenv("OPENAI_API_KEY", DUMMY_KEY)


def intercept_clients(server: MockGemServer, environment: pytest.MonkeyPatch) -> None:
    """mockgem as the HTTP(S) proxy of every client that reads the environment, and its CA
    trusted by the common clients (Python's ssl, requests, Node.js); loopback goes direct."""
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"):
        environment.setenv(name, server.url)
    for name in ("NO_PROXY", "no_proxy"):
        environment.setenv(name, "127.0.0.1,localhost,::1")
    environment.delenv("ALL_PROXY", raising=False)
    environment.delenv("all_proxy", raising=False)
    bundle = str(server.ca.bundle_path)  # the CA and the system's roots: other hosts stay trusted
    environment.setenv("SSL_CERT_FILE", bundle)
    environment.setenv("REQUESTS_CA_BUNDLE", bundle)
    environment.setenv("NODE_EXTRA_CA_CERTS", str(server.ca.cert_path))


def _has_key() -> bool:
    return any(os.environ.get(name) for name in ("GEMINI_API_KEY", "GOOGLE_API_KEY"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A test (its setup or teardown too) during which a request found no answer fails with the
    miss message first; its own failure, if any, follows in full. An xfail stays as it is."""
    report = yield
    blocked_network(item, report)
    server = item.stash.get(SERVER, None)
    if server is None or hasattr(report, "wasxfail") or report.skipped:
        return report
    note_fallbacks(item, report, server)
    reported = item.stash.get(REPORTED, 0)
    misses = server.requests.misses[reported:]
    if misses:
        item.stash[REPORTED] = reported + len(misses)
        if report.failed:
            report.sections.append(("the test's own failure", str(report.longrepr)))
        report.longrepr = miss_report(misses, item.stash[CASSETTE], report)
        report.outcome = "failed"
    return report


def note_fallbacks(item: pytest.Item, report: pytest.TestReport, server: MockGemServer) -> None:
    """The test's requests answered by a fallback since the last phase, kept on its report (xdist
    carries a report's user properties to the controller) for the end-of-session summary."""
    reported = item.stash.get(FELL_BACK, 0)
    entries = server.requests.fallbacks[reported:]
    if entries:
        item.stash[FELL_BACK] = reported + len(entries)
        report.user_properties.append((FALLBACK_PROPERTY, [f"{entry.method} {entry.path}\n{entry.fallback}" for entry in entries]))


class FallbackSummary:
    """Collects the fallbacks of every test's reports (in the xdist controller too) and lists them,
    each with its diff, at the end of the session."""

    def __init__(self) -> None:
        self.found: list[tuple[str, str]] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        for name, value in report.user_properties:
            if name == FALLBACK_PROPERTY and isinstance(value, list):
                self.found.extend((report.nodeid, str(text)) for text in value)

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if not self.found:
            return
        count = len(self.found)
        terminalreporter.section("mockgem: requests answered by a fallback")
        terminalreporter.line(f"{count} request{'s' if count != 1 else ''} matched no recording exactly. Re-record them "
                              "(--mockgem-mode=record), ignore the fields that drift (mockgem_ignore_paths), or set mockgem_strict.")
        for nodeid, text in self.found:
            first, *rest = text.splitlines()
            terminalreporter.line("")
            terminalreporter.line(f"{nodeid}: {first}")
            for line in rest:
                terminalreporter.line(f"  {line}")


@pytest.fixture(autouse=True)
def _mockgem_network_guard(request: pytest.FixtureRequest) -> Iterator[None]:
    """`--mockgem-block-network`: the test's connections to hosts other than loopback refused."""
    if not request.config.getoption("--mockgem-block-network"):
        yield
        return
    with NetworkGuard() as guard:
        request.node.stash[GUARD] = guard
        yield


def blocked_network(item: pytest.Item, report: pytest.TestReport) -> None:
    """A test that tried to reach the network fails, whatever its code did with the error."""
    guard = item.stash.get(GUARD, None)
    if guard is None or not guard.attempts:
        return
    attempts = ", ".join(dict.fromkeys(guard.attempts))
    guard.attempts.clear()
    if report.failed:
        report.sections.append(("the test's own failure", str(report.longrepr)))
    report.longrepr = f"mockgem: --mockgem-block-network: this test tried to reach {attempts} (only loopback is allowed)"
    report.outcome = "failed"


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
