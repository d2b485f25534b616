"""The pytest plugin as a pytest-recording user expects it, run by pytester as their project would be.

Their `cassettes/{module}/{test}.yaml` are read as they are; the marker alone replays them;
`mockgem_config` and ini options set the suite's settings; stale recordings replay by order and
are listed at the end; `--mockgem-block-network` fails a test that reaches out.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from mockgem import MockGemServer
from tests.conftest import CORPUS
from tests.test_pytest_plugin import APP, run

# As pytest-recording writes it for google-genai: Google's URL, the key filtered out.
VCRPY_CASSETTE = '''interactions:
- request:
    body: '{"contents": [{"parts": [{"text": "Summarize: mockgem"}], "role": "user"}]}'
    headers:
      Content-Type:
      - application/json
      user-agent:
      - google-genai-sdk/1.20.0 gl-python/3.12.3
    method: POST
    uri: https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent
  response:
    body:
      string: "{\\n  \\"candidates\\": [{\\"content\\": {\\"parts\\": [{\\"text\\": \\"A mock of Gemini.\\"}], \\"role\\": \\"model\\"}, \\"finishReason\\": \\"STOP\\"}]\\n}\\n"
    headers:
      Content-Type:
      - application/json; charset=UTF-8
    status:
      code: 200
      message: OK
version: 1
'''
MARKER_ONLY = '''
import pytest
from app import ask

@pytest.mark.mockgem
def test_summary():
    assert ask("Summarize: mockgem") == "A mock of Gemini."

class TestNested:
    @pytest.mark.mockgem
    def test_in_a_class(self):
        assert ask("Summarize: mockgem") == "A mock of Gemini."
'''
# llm-gemini's own test of that name (tests/test_gemini.py), its conftest's vcr_config kept.
LLM_GEMINI_TESTS = '''
import llm
import pytest

@pytest.mark.vcr
@pytest.mark.parametrize("model_id", ("gemini-embedding-001", "gemini-embedding-001-768"))
def test_embedding(model_id, monkeypatch):
    monkeypatch.setenv("LLM_GEMINI_KEY", "gm-...")
    model = llm.get_embedding_model(model_id)
    response = model.embed("Some text goes here")
    assert len(response) == (768 if model_id.endswith("-768") else 3072)
'''
LLM_GEMINI_CONFTEST = '''
import pytest

@pytest.fixture(scope="module")
def vcr_config():
    return {"filter_headers": ["x-goog-api-key"]}
'''
Start = Callable[..., MockGemServer]


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent.parent))
    for name in ("GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_GEMINI_BASE_URL", "OPENAI_BASE_URL", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(pytester.path / ".cache"))  # the local CA of these runs
    monkeypatch.setenv("LLM_USER_PATH", str(pytester.path / ".llm"))
    pytester.makepyfile(app=APP)
    return pytester


def _cassette(project: pytest.Pytester, module: str, name: str, text: str) -> None:
    folder = project.path / "cassettes" / module
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.yaml").write_text(text)


def test_marker_alone_replays_a_pytest_recording_cassette(project: pytest.Pytester) -> None:
    project.makepyfile(test_app=MARKER_ONLY)
    _cassette(project, "test_app", "test_summary", VCRPY_CASSETTE)
    _cassette(project, "test_app", "TestNested.test_in_a_class", VCRPY_CASSETTE)
    run(project).assert_outcomes(passed=2)


@pytest.mark.skipif(not (CORPUS / "simonw+llm-gemini").is_dir(), reason="the shared corpus is not here")
def test_llm_gemini_suite_passes_with_its_own_cassettes_through_the_proxy(project: pytest.Pytester) -> None:
    """llm-gemini hard-codes Google's URL: only interception reaches it. `@pytest.mark.vcr` stays."""
    recorded = CORPUS / "simonw+llm-gemini" / "tests" / "cassettes" / "test_gemini"
    shutil.copytree(recorded, project.path / "cassettes" / "test_gemini")
    project.makepyfile(test_gemini=LLM_GEMINI_TESTS, conftest=LLM_GEMINI_CONFTEST)
    project.makeini("[pytest]\nmockgem_vcr_marker = true\nmockgem_intercept = true\n")
    result = run(project, "-p", "no:recording")
    result.assert_outcomes(passed=2)
    assert "answered by a fallback" not in result.stdout.str()


def test_stale_recording_passes_by_order_and_is_listed_at_the_end(project: pytest.Pytester) -> None:
    project.makepyfile(test_app=MARKER_ONLY.replace('ask("Summarize: mockgem")', 'ask("Summarise: mockgem")', 1))
    _cassette(project, "test_app", "test_summary", VCRPY_CASSETTE)
    _cassette(project, "test_app", "TestNested.test_in_a_class", VCRPY_CASSETTE)
    result = run(project)
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines([
        "*mockgem: requests answered by a fallback*",
        "1 request matched no recording exactly*",
        "test_app.py::test_summary: POST /v1*/models/gemini-2.5-flash:generateContent",
        "*played *test_summary.yaml #1 *by order*",
        '*body.contents[[]0[]].parts[[]0[]].text: "Summarize: mockgem" -> "Summarise: mockgem"',
    ])


def test_mockgem_config_fixture_sets_the_suite_strict(project: pytest.Pytester) -> None:
    project.makepyfile(test_app=MARKER_ONLY.replace('ask("Summarize: mockgem")', 'ask("Summarise: mockgem")', 1))
    project.makeconftest("import pytest\n\n@pytest.fixture(scope='module')\ndef mockgem_config():\n    return {'strict': True}\n")
    _cassette(project, "test_app", "test_summary", VCRPY_CASSETTE)
    _cassette(project, "test_app", "TestNested.test_in_a_class", VCRPY_CASSETTE)
    result = run(project)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*mockgem: 1 request had no recorded answer in *test_summary.yaml"])


def test_block_network_fails_a_test_that_reaches_out_even_if_it_swallows_the_error(project: pytest.Pytester) -> None:
    project.makepyfile(test_net='''
import socket
import pytest

def test_reaches_out():
    try:
        socket.getaddrinfo("generativelanguage.googleapis.com", 443)
    except OSError:
        pass

@pytest.mark.mockgem(rules={"rules": [{"match": {"contains": "hi"}, "reply": {"text": "hello"}}]})
def test_loopback_is_fine():
    from app import ask
    assert ask("hi") == "hello"
''')
    result = run(project, "--mockgem-block-network")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*--mockgem-block-network: this test tried to reach generativelanguage.googleapis.com:443*"])


XDIST_TESTS = '''
import os
from urllib.parse import quote
from google import genai

def test_each_worker_replays_its_own_cassette():
    name = {"gw0": "first.yaml", "gw1": "second.yaml"}[os.environ["PYTEST_XDIST_WORKER"]]
    base_url = os.environ["SHARED_MOCKGEM"] + "/_cassette/" + quote(name, safe="")
    client = genai.Client(api_key="k", http_options={"base_url": base_url})
    for _ in range(5):
        assert client.models.generate_content(model="gemini-2.5-flash", contents="Summarize: mockgem").text == name
'''


def test_two_xdist_workers_replay_different_cassettes_from_one_server(project: pytest.Pytester, make_server: Start,
                                                                     monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    shelf = tmp_path / "shelf"
    shelf.mkdir()
    for name in ("first.yaml", "second.yaml"):
        (shelf / name).write_text(VCRPY_CASSETTE.replace("A mock of Gemini.", name))
    server = make_server(cassette_dir=shelf)
    monkeypatch.setenv("SHARED_MOCKGEM", server.url)
    project.makepyfile(test_shared=XDIST_TESTS)
    run(project, "-n", "2", "--dist", "each").assert_outcomes(passed=2)
    assert sorted({entry.cassette for entry in server.requests}) == ["first.yaml", "second.yaml"]
    assert len(server.requests) == 10 and not server.requests.misses and not server.requests.fallbacks
