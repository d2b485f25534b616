"""A user's test of a Live API app through the pytest plugin: `tls=True` is all it needs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_pytest_plugin import run

APP = '''
import asyncio
from google import genai

async def ask_live(question: str) -> str:
    client = genai.Client()
    async with client.aio.live.connect(model="gemini-live-2.5-flash-preview", config={"response_modalities": ["TEXT"]}) as session:
        await session.send_client_content(turns={"parts": [{"text": question}]})
        return "".join([message.text or "" async for message in session.receive()])
'''
TESTS = '''
import asyncio
import pytest
from app import ask_live

RULES = {"live": [{"match": {"contains": "weather"}, "reply": {"text": "Sunny, 21 C", "chunks": 2}}]}

@pytest.mark.mockgem(tls=True, rules=RULES, state_dir=STATE)
def test_live_weather(mockgem):
    assert asyncio.run(ask_live("weather?")) == "Sunny, 21 C"
    assert mockgem.url.startswith("https://")
    assert mockgem.requests.last.answered_by == "live rule 0 in <rules>"
'''


def test_plugin_serves_a_live_session_over_tls(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent.parent.parent))
    for name in ("GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_GEMINI_BASE_URL", "SSL_CERT_FILE"):
        monkeypatch.delenv(name, raising=False)
    pytester.makepyfile(app=APP, test_live_app=TESTS.replace("STATE", repr(str(tmp_path))))
    run(pytester).assert_outcomes(passed=1)
