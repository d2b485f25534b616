"""CassetteStore: vcrpy-loadable YAML, redacted, atomic, never interleaved."""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path

import pytest
from vcr import serialize
from vcr.serializers import yamlserializer

from mockgem.errors import CassetteError
from mockgem.sources.cassettes import store as store_module
from mockgem.sources.cassettes.formats import load_cassette
from mockgem.sources.cassettes.model import Interaction, RecordedRequest, RecordedResponse
from mockgem.sources.cassettes.store import CassetteStore, dump_cassette

STREAM = "https://generativelanguage.googleapis.com/v1beta/models/m:streamGenerateContent?alt=sse"
SSE = b'data: {"candidates": [{"content": {"parts": [{"text": "Hel"}]}}]}\r\n\r\ndata: {"candidates": []}\r\n\r\n'


def _stream(text: str = "hi") -> Interaction:
    request = RecordedRequest(
        "POST", STREAM + "&key=AIza" + "k" * 35, (("x-goog-api-key", "secret"), ("Content-Type", "application/json")),
        f'{{"contents": [{{"parts": [{{"text": "{text}"}}]}}]}}'.encode(),
    )
    headers = (("Content-Type", "text/event-stream"), ("Vary", "Origin"), ("Vary", "X-Origin"))
    return Interaction(request, RecordedResponse(200, headers, SSE, "OK", (0.0, 0.125)))


def _binary() -> Interaction:
    request = RecordedRequest("POST", "https://x/upload/v1beta/files", (), b"\x89PNG\x00\xff")
    return Interaction(request, RecordedResponse(200, (), b"\xff\xfe"))


def test_written_cassette_loads_in_vcrpy(tmp_path: Path) -> None:
    path = tmp_path / "rec.yaml"
    CassetteStore().append(path, _stream())
    CassetteStore().append(path, _binary())
    requests, responses = serialize.deserialize(path.read_text(), yamlserializer)
    assert [r.method for r in requests] == ["POST", "POST"]
    assert requests[0].uri == STREAM and requests[1].body == b"\x89PNG\x00\xff"
    assert responses[0]["body"]["string"] == SSE and responses[0]["status"]["code"] == 200
    assert responses[0]["headers"]["Vary"] == ["Origin", "X-Origin"]
    assert responses[0]["chunk_offsets"] == [0.0, 0.125]
    assert responses[1]["body"]["string"] == b"\xff\xfe"


def test_written_cassette_reads_back_the_same_redacted_interactions(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "rec.yaml"
    written = [CassetteStore().append(path, _stream()), CassetteStore().append(path, _binary())]
    assert load_cassette(path, tmp_path).interactions == tuple(written)
    assert written[0].response.chunk_offsets == (0.0, 0.125)


def test_append_redacts_before_writing(tmp_path: Path) -> None:
    path = tmp_path / "rec.yaml"
    written = CassetteStore().append(path, _stream())
    text = path.read_text()
    assert "secret" not in text and "AIza" not in text and "x-goog-api-key" not in text
    assert written.request.uri == STREAM


def test_concurrent_appends_are_all_recorded_and_never_interleaved(tmp_path: Path) -> None:
    path = tmp_path / "rec.yaml"
    store = CassetteStore()
    threads = [threading.Thread(target=store.append, args=(path, _stream(f"t{n}"))) for n in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    texts = sorted(i.request.body.decode() for i in load_cassette(path).interactions)
    assert texts == sorted(_stream(f"t{n}").request.body.decode() for n in range(30))


async def test_async_appends_from_the_event_loop(tmp_path: Path) -> None:
    path = tmp_path / "rec.yaml"
    store = CassetteStore()
    await asyncio.gather(*(store.append_async(path, _stream(f"a{n}")) for n in range(20)))
    assert len(load_cassette(path).interactions) == 20


def test_crash_mid_write_leaves_the_previous_file_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "rec.yaml"
    store = CassetteStore()
    store.append(path, _stream("first"))
    before = path.read_bytes()

    def crash(descriptor: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(store_module.os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        store.append(path, _stream("second"))
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["rec.yaml"]


def test_append_continues_an_existing_vcrpy_cassette(tmp_path: Path) -> None:
    path = tmp_path / "rec.yaml"
    path.write_text(dump_cassette([_binary()]))
    CassetteStore().append(path, _stream())
    assert len(load_cassette(path).interactions) == 2


def test_append_refuses_a_foreign_format(tmp_path: Path) -> None:
    path = tmp_path / "ruby.yml"
    path.write_text("http_interactions: []\nrecorded_with: VCR 6.4.0\n")
    with pytest.raises(CassetteError, match="vcr cassette"):
        CassetteStore().append(path, _stream())
    assert path.read_text().startswith("http_interactions")


def test_write_replaces_the_whole_cassette_redacted(tmp_path: Path) -> None:
    path = tmp_path / "rec.yaml"
    path.write_text("old")
    written = CassetteStore().write(path, [_stream()])
    assert load_cassette(path).interactions == written and "secret" not in path.read_text()


def test_file_mode_is_kept_on_rewrite(tmp_path: Path) -> None:
    path = tmp_path / "rec.yaml"
    path.write_text(dump_cassette([]))
    path.chmod(0o640)
    CassetteStore().append(path, _stream())
    assert path.stat().st_mode & 0o777 == 0o640
