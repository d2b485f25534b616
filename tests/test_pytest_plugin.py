"""The pytest plugin, run by pytester in a subprocess as a user's project would run it."""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from mockgem import MockGemServer
from tests.conftest import EXAMPLE_RULES

REPO = Path(__file__).parent.parent
APP = '''
from google import genai

def ask(question: str) -> str:
    client = genai.Client()
    return client.models.generate_content(model="gemini-2.5-flash", contents=question).text
'''
TESTS = '''
from app import ask

def test_weather(mockgem):
    assert ask("weather in Paris?") == "Sunny, 21 C"
    assert mockgem.requests.last.model == "gemini-2.5-flash"

def test_json(mockgem):
    assert ask("json please") == '{"name": "x", "items": [1, 2]}'
    assert len(mockgem.requests) == 1
'''


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A user's project: an app calling google-genai and its tests asking for the fixture."""
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    for name in ("GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_GEMINI_BASE_URL", "OPENAI_BASE_URL", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    pytester.makepyfile(app=APP, test_app=TESTS)
    return pytester


def run(project: pytest.Pytester, *args: str) -> pytest.RunResult:
    installed = any(point.value == "mockgem.pytest_plugin" for point in entry_points(group="pytest11"))
    plugin = [] if installed else ["-p", "mockgem.pytest_plugin"]
    return project.runpytest_subprocess(*plugin, "-p", "no:cacheprovider", "-p", "no:randomly", *args, timeout=120)


def record(project: pytest.Pytester, upstream: MockGemServer, *args: str) -> pytest.RunResult:
    return run(project, "--mockgem-mode=record", f"--mockgem-upstream={upstream.url}", *args)


def test_plugin_records_a_cassette_afresh_only_once_something_is_recorded(project: pytest.Pytester, make_server: Callable[..., MockGemServer]) -> None:
    upstream = make_server(rules=EXAMPLE_RULES)
    record(project, upstream, "-k", "weather").assert_outcomes(passed=1, deselected=1)
    cassette = project.path / "cassettes" / "test_app" / "test_weather.yaml"
    kept = cassette.read_text()
    project.makepyfile(test_app=TESTS.replace('assert ask("weather in Paris?")', 'raise RuntimeError("before any request"); assert ask("weather in Paris?")'))
    record(project, upstream, "-k", "weather").assert_outcomes(failed=1, deselected=1)
    assert cassette.read_text() == kept


def test_plugin_records_every_test_sharing_a_cassette(project: pytest.Pytester, make_server: Callable[..., MockGemServer]) -> None:
    project.makepyfile(test_shared='''
import pytest
from app import ask

@pytest.mark.mockgem(cassette="shared")
@pytest.mark.parametrize("question", ["weather in Paris?", "json please", "think"])
def test_shared(mockgem, question):
    assert ask(question)
''')
    upstream = make_server(rules=EXAMPLE_RULES)
    for _ in range(2):
        record(project, upstream, "test_shared.py").assert_outcomes(passed=3)
    assert (project.path / "cassettes" / "test_shared" / "shared.yaml").read_text().count("generateContent") == 3
    upstream.stop()
    run(project, "test_shared.py").assert_outcomes(passed=3)


def test_plugin_refuses_to_record_the_real_api_without_a_key(project: pytest.Pytester) -> None:
    result = run(project, "--mockgem-mode=record", "-k", "weather")
    result.assert_outcomes(errors=1, deselected=1)
    result.stdout.fnmatch_lines(["*--mockgem-mode=record reaches the real Gemini API: set GEMINI_API_KEY*"])


def test_plugin_records_each_test_then_replays_offline(project: pytest.Pytester, make_server: Callable[..., MockGemServer]) -> None:
    upstream = make_server(rules=EXAMPLE_RULES)
    record(project, upstream).assert_outcomes(passed=2)
    cassettes = project.path / "cassettes" / "test_app"
    assert sorted(path.name for path in cassettes.iterdir()) == ["test_json.yaml", "test_weather.yaml"]
    assert "x-goog-api-key" not in (cassettes / "test_weather.yaml").read_text().lower()
    upstream.stop()
    run(project).assert_outcomes(passed=2)
    record(project, make_server(rules=EXAMPLE_RULES)).assert_outcomes(passed=2)
    assert (cassettes / "test_weather.yaml").read_text().count("weather in Paris?") == 1


def test_plugin_fails_a_test_whose_request_was_not_recorded_with_the_diff(project: pytest.Pytester, make_server: Callable[..., MockGemServer]) -> None:
    record(project, make_server(rules=EXAMPLE_RULES)).assert_outcomes(passed=2)
    project.makepyfile(test_app=TESTS.replace("weather in Paris?", "weather in Rome?"))
    result = run(project, "-o", "mockgem_strict=true")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*mockgem: 1 request had no recorded answer in *test_weather.yaml",
        "POST /*/models/gemini-2.5-flash:generateContent",
        "*Closest: *test_weather.yaml #1*",
        '*body.contents?0?.parts?0?.text: "weather in Paris?" -> "weather in Rome?"',
        "The test then failed, at *",
    ])


def test_plugin_says_how_to_record_a_missing_cassette(project: pytest.Pytester) -> None:
    result = run(project, "-k", "weather")
    result.assert_outcomes(failed=1, deselected=1)
    result.stdout.fnmatch_lines(["The cassette does not exist yet: record it with `pytest --mockgem-mode=record`."])


MARKED = '''
import os
import openai
import pytest
from google import genai
from app import ask

@pytest.fixture
def client():
    return genai.Client()  # built from the environment, before the test asks for mockgem

def test_a_fixture_listed_first_still_gets_mockgem(client, mockgem):
    assert str(client._api_client._http_options.base_url).startswith(mockgem.url)

@pytest.mark.mockgem(rules={"rules": [{"match": {"contains": "hi"}, "reply": {"text": "hello"}}]})
async def test_async_and_openai_through_the_environment(mockgem):
    chat = openai.AsyncOpenAI()
    answer = await chat.chat.completions.create(model="gemini-2.5-flash", messages=[{"role": "user", "content": "hi"}])
    assert answer.choices[0].message.content == "hello"
    assert mockgem.requests.last.surface == "openai"

@pytest.mark.mockgem(rules={"rules": [{"match": {"contains": "overloaded"}, "reply": {"error": {"code": 503}}}]})
def test_scripted_error(mockgem):
    from google.genai import errors
    with pytest.raises(errors.ServerError):
        ask("overloaded?")

def test_a_caught_miss_still_fails(mockgem):
    try:
        ask("nothing recorded this")
    except Exception:
        pass

def test_its_own_failure_is_kept(mockgem):
    try:
        ask("nothing recorded this either")
    except Exception:
        pass
    assert 1 == 2, "my own assertion"

RULES = {"rules": [{"match": {"contains": "ping"}, "reply": {"text": "pong"}}]}

@pytest.mark.mockgem(rules=RULES)
def test_scripted(mockgem):
    assert ask("ping") == "pong"
    assert mockgem.requests.last.answered_by == "rule 0 in <rules>"

@pytest.mark.mockgem(rules="rules.yaml")
def test_rules_file(mockgem):
    assert ask("weather") == "Sunny, 21 C"

@pytest.mark.mockgem(cassette="shared")
def test_named_cassette(mockgem):
    assert ask("weather in Paris?") == "Sunny, 21 C"

def test_environment_is_restored_after_each_test():
    assert "GOOGLE_GEMINI_BASE_URL" not in os.environ and "GEMINI_API_KEY" not in os.environ

def test_a_key_already_set_is_kept(mockgem, monkeypatch):
    assert os.environ["GEMINI_API_KEY"] == "mockgem-test-key"
'''


def test_plugin_marker_picks_rules_and_cassette(project: pytest.Pytester, make_server: Callable[..., MockGemServer]) -> None:
    project.path.joinpath("rules.yaml").write_text(EXAMPLE_RULES.read_text())
    project.makepyfile(test_marked=MARKED)
    project.makeini("[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n")
    upstream = make_server(rules=EXAMPLE_RULES)
    record(project, upstream, "test_marked.py", "-k", "named_cassette or scripted").assert_outcomes(passed=3, deselected=7)
    cassettes = project.path / "cassettes" / "test_marked"
    assert sorted(path.name for path in cassettes.iterdir()) == ["shared.yaml"]  # the scripted 503 is not recorded
    result = run(project, "test_marked.py")
    result.assert_outcomes(passed=8, failed=2)
    result.stdout.fnmatch_lines([
        "*_ test_a_caught_miss_still_fails _*", "mockgem: 1 request had no recorded answer in *",
        "*_ test_its_own_failure_is_kept _*", "mockgem: 1 request had no recorded answer in *",
        "The test then failed, at *", "*AssertionError: my own assertion*",
        "*- the test's own failure -*",
    ])


def test_plugin_keeps_the_keys_a_user_set(project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOOGLE_API_KEY", "users-own-key")
    project.makepyfile(test_keys='''
import os
def test_keys(mockgem):
    assert os.environ["GOOGLE_API_KEY"] == "users-own-key" and "GEMINI_API_KEY" not in os.environ
    assert os.environ["OPENAI_BASE_URL"].startswith(mockgem.url + "/_cassette/")
    assert os.environ["OPENAI_BASE_URL"].endswith("/v1beta/openai/")
''')
    run(project, "test_keys.py").assert_outcomes(passed=1)


def test_plugin_leaves_openai_alone_when_told(project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    project.makeini("[pytest]\nmockgem_openai = false\n")
    project.makepyfile(test_openai_env='''
import os
def test_openai_untouched(mockgem):
    assert "OPENAI_BASE_URL" not in os.environ and "OPENAI_API_KEY" not in os.environ
    assert os.environ["GOOGLE_GEMINI_BASE_URL"].startswith(mockgem.url + "/_cassette/")
''')
    run(project, "test_openai_env.py").assert_outcomes(passed=1)


def test_plugin_runs_under_xdist(project: pytest.Pytester, make_server: Callable[..., MockGemServer]) -> None:
    record(project, make_server(rules=EXAMPLE_RULES), "test_app.py").assert_outcomes(passed=2)
    result = run(project, "-n", "2", "test_app.py")
    result.assert_outcomes(passed=2)
