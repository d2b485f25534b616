"""The inspector page at /_mockgem/, driven in a real headless Chromium (Debian's, via playwright).

A screenshot of what the test saw is kept in artifacts/inspector.png (git-ignored).
"""

from __future__ import annotations

import os
import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from google import genai
from google.genai import errors

from mockgem import MockGemServer

ROOT = Path(__file__).parent.parent.parent
EXAMPLE_CASSETTE = ROOT / "mockgem" / "examples" / "cassettes" / "example.yaml"
ARTIFACTS = ROOT / "artifacts"
MODEL = "gemini-2.5-flash"


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("no chromium on PATH: .ci/run installs Debian's (apt-get install chromium)")
        pytest.skip("no chromium on PATH (apt-get install chromium)")
    return found


@pytest.fixture
def page(server: MockGemServer) -> Iterator[object]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        try:
            opened = browser.new_page(viewport={"width": 1400, "height": 900})
            opened.goto(f"{server.url}/_mockgem/")
            yield opened
        finally:
            browser.close()


@pytest.fixture
def server() -> Iterator[MockGemServer]:
    with MockGemServer(cassette=EXAMPLE_CASSETTE) as running:
        yield running


def ask(server: MockGemServer, text: str) -> None:
    client = genai.Client(api_key="k", http_options={"base_url": server.url})
    client.models.generate_content(model=MODEL, contents=text)


def test_inspector_shows_a_hit_and_a_miss_with_its_diff(server: MockGemServer, page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    ask(server, "What is the capital of France?")
    with pytest.raises(errors.ClientError):
        ask(server, "What is the capital of Spain?")
    rows = page.locator("tr.entry")
    expect(rows).to_have_count(2)
    hit, miss = page.locator("tr.entry[data-number='1']"), page.locator("tr.entry[data-number='2']")
    expect(hit).to_have_attribute("data-source", "cassettes")
    expect(hit.locator("td.source")).to_have_text("example.yaml #1 (cassettes)")
    expect(miss).to_have_attribute("data-source", "miss")
    miss.click()
    message = page.locator("pre.miss-message")
    expect(message).to_contain_text("Closest: example.yaml #1")
    expect(message.locator(".removed")).to_have_text('"What is the capital of France?"')
    expect(message.locator(".added")).to_have_text('"What is the capital of Spain?"')
    expect(page.locator("#cassettes")).to_contain_text("example.yaml: 2 interactions")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "inspector.png"), full_page=True)
    page.locator("#reset").click()
    expect(rows).to_have_count(0)


def test_inspector_lists_rules_and_faults_in_force(page: object, server: MockGemServer) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    server.load_rules({"rules": [{"match": {"contains": "flaky"}, "fault": "503", "times": 2}]})
    request = urllib.request.Request(f"{server.url}/_mockgem/faults", data=b'{"faults": "latency=1ms..2ms"}', method="PUT")
    urllib.request.urlopen(request).close()
    expect(page.locator("#rules")).to_contain_text('match {"contains": "flaky"} -> fault 503 (2 left)')
    expect(page.locator("#faults")).to_contain_text("latency=1ms..2ms")
