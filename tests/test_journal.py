"""The journal on its own: bounded, filtered, counted, and the google-genai view of a request."""

from __future__ import annotations

import threading

import pytest
from google.genai import types

from mockgem._types import JSONDict
from mockgem.journal import JournalEntry, RequestJournal, encoded


def entry(number: int, *, body: JSONDict | None = None, native_body: JSONDict | None = None, **values: object) -> JournalEntry:
    fields: dict[str, object] = {"started": 0.0, "method": "POST", "path": "/", "status": 200, "duration_ms": 1.0}
    bodies = {"encoded_body": encoded(body), "encoded_native_body": encoded(native_body)}
    return JournalEntry(number=number, **(fields | bodies | values))  # type: ignore[arg-type]


def test_journal_keeps_the_newest_entries_up_to_its_limit() -> None:
    journal = RequestJournal(limit=3)
    for number in range(1, 6):
        journal.add(entry(number))
    assert [item.number for item in journal] == [3, 4, 5]
    assert journal.last is not None and journal.last.number == 5
    assert journal.stats()["requests"] == 5


def test_journal_filter_needs_every_given_value() -> None:
    journal = RequestJournal()
    journal.add(entry(1, surface="gemini", model="gemini-2.5-flash"))
    journal.add(entry(2, surface="openai", model="gemini-2.5-flash"))
    journal.add(entry(3, surface="openai", model="gemini-2.5-pro"))
    assert [item.number for item in journal.filter(surface="openai")] == [2, 3]
    assert [item.number for item in journal.filter(surface="openai", model="gemini-2.5-flash")] == [2]


@pytest.mark.parametrize("model", ["gemini-2.5-flash", "models/gemini-2.5-flash", "publishers/google/models/gemini-2.5-flash"])
def test_journal_filter_finds_a_model_by_any_of_its_names(model: str) -> None:
    journal = RequestJournal()
    journal.add(entry(1, model="gemini-2.5-flash"))
    journal.add(entry(2, model="gemini-2.5-pro"))
    assert [item.number for item in journal.filter(model=model)] == [1]


def test_journal_stats_count_hits_misses_recordings_and_models() -> None:
    journal = RequestJournal()
    journal.add(entry(1, model="m", source="cassettes", answered_by="a.yaml #1"))
    journal.add(entry(2, model="m", miss="no recording", status=400))
    journal.add(entry(3, source="rules"))
    journal.count_recorded("models/m")
    journal.count_recorded()
    stats = journal.stats()
    assert stats | {"models": None} == {
        "requests": 3, "hits": 1, "misses": 1, "recorded": 2, "answeredBy": {"cassettes": 1, "rules": 1},
        "statuses": {"200": 2, "400": 1}, "models": None,
    }
    assert stats["models"] == {"m": {"requests": 2, "hits": 1, "misses": 1, "recorded": 1}}
    journal.clear()
    assert len(journal) == 0 and journal.stats()["requests"] == 0


def test_journal_entry_as_google_genai_types() -> None:
    request = {
        "contents": [{"role": "user", "parts": [{"text": "hi"}]}],
        "systemInstruction": {"parts": [{"text": "be brief"}]},
        "generationConfig": {"temperature": 0.2, "thinkingConfig": {"thinkingBudget": 0}},
    }
    item = entry(1, body={"model": "x", "messages": []}, native_body=request)
    assert item.genai_contents() == [types.Content(role="user", parts=[types.Part(text="hi")])]
    config = item.genai_config()
    assert config.temperature == 0.2 and config.thinking_config.thinking_budget == 0
    assert config.system_instruction.parts[0].text == "be brief"


def test_journal_numbers_are_unique_across_threads() -> None:
    journal = RequestJournal()
    numbers: list[int] = []
    threads = [threading.Thread(target=lambda: numbers.extend(journal.next_number() for _ in range(200))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(numbers) == list(range(1, 801))


def test_journal_drops_the_oldest_bodies_past_its_byte_limit() -> None:
    journal = RequestJournal(limit=100, byte_limit=1000)
    for number in range(1, 6):
        journal.add(entry(number, body={"contents": [{"parts": [{"text": "x" * 300}]}]}))
    assert [item.number for item in journal] == [4, 5]
    journal.add(entry(6, body={"contents": [{"parts": [{"text": "y" * 5000}]}]}))
    assert [item.number for item in journal] == [6]  # the newest stays, whatever its size
    assert journal.stats()["requests"] == 6


def test_journal_entry_genai_contents_of_embedding_requests() -> None:
    single = entry(1, body={"content": {"parts": [{"text": "a"}]}})
    batch = entry(2, body={"requests": [{"model": "m", "content": {"parts": [{"text": "b"}]}}]})
    assert [content.parts[0].text for content in single.genai_contents()] == ["a"]
    assert [content.parts[0].text for content in batch.genai_contents()] == ["b"]
