"""The app's tests: each replays its cassette in tests/cassettes/test_assistant/.

Run `pytest` to replay (no network, no key). With a real key in GEMINI_API_KEY,
`pytest --mockgem-mode=record` records the cassettes again from the real API.
"""

from __future__ import annotations

import pytest

import assistant


def test_summarize(mockgem):
    summary = summarize_release_notes()
    assert summary.startswith("mockgem")
    sent = mockgem.requests.last
    assert sent.model == "gemini-2.5-flash"
    assert sent.genai_config().system_instruction.parts[0].text == "Summarize in one sentence."


def test_tell_story_streams_in_pieces(mockgem):
    pieces = assistant.tell_story("a lighthouse")
    assert len(pieces) > 1
    assert "lighthouse" in "".join(pieces)


def test_prompt_size(mockgem):
    assert assistant.prompt_size("How many tokens is this?") > 0


@pytest.mark.mockgem(rules={"rules": [{"match": {"contains": "release notes"}, "reply": {"error": {"code": 503}}}]})
def test_summarize_when_gemini_is_overloaded(mockgem):
    from google.genai import errors

    with pytest.raises(errors.ServerError):
        summarize_release_notes()


def summarize_release_notes() -> str:
    return assistant.summarize("Release notes: mockgem 0.1 records and replays the Gemini API for tests.")
