from __future__ import annotations

from pathlib import Path

import pytest

from mockgem.resources.caches import CacheStore
from mockgem.resources.files import FileStore
from mockgem.resources.state import DiskState, MemoryState, StateStore, open_state

from .conftest import FakeClock


@pytest.fixture(params=["memory", "disk"])
def any_state(request: pytest.FixtureRequest, tmp_path: Path) -> StateStore:
    return MemoryState() if request.param == "memory" else DiskState(tmp_path / "state")


def test_state_records_round_trip(any_state: StateStore) -> None:
    any_state.put("files", "files/a", {"name": "files/a", "n": 1})
    any_state.put("files", "files/a", {"name": "files/a", "n": 2})
    any_state.put("batches", "batches/b", {"name": "batches/b"})

    assert any_state.get("files", "files/a") == {"name": "files/a", "n": 2}
    assert any_state.records("files") == [{"name": "files/a", "n": 2}]
    any_state.remove("files", "files/a")
    assert any_state.get("files", "files/a") is None
    assert any_state.records("files") == []


def test_state_blobs_append_and_read(any_state: StateStore) -> None:
    any_state.write_blob("upload-x", b"ab")
    any_state.append_blob("upload-x", b"cd")

    assert any_state.read_blob("upload-x") == b"abcd"
    any_state.remove_blob("upload-x")
    assert any_state.read_blob("upload-x") == b""


def test_state_reset_clears_records_and_blobs(any_state: StateStore) -> None:
    any_state.put("files", "files/a", {"name": "files/a"})
    any_state.write_blob("file-a", b"x")

    any_state.reset()

    assert any_state.records("files") == [] and any_state.read_blob("file-a") == b""


def test_disk_state_blob_keys_stay_in_the_folder(tmp_path: Path) -> None:
    state = DiskState(tmp_path / "state")

    state.write_blob("../../escape", b"x")

    assert not (tmp_path / "escape").exists()
    assert state.read_blob("../../escape") == b"x"


def test_open_state_is_in_memory_without_a_directory(tmp_path: Path) -> None:
    assert isinstance(open_state(None), MemoryState)
    assert isinstance(open_state(tmp_path), DiskState)


def test_resources_survive_a_restart(tmp_path: Path, clock: FakeClock) -> None:
    first = DiskState(tmp_path)
    files = FileStore(first, clock=clock)
    upload_id = files.start_upload({"file": {"displayName": "x.txt"}}, size=4)
    files.upload_chunk(upload_id, command="upload", offset=0, data=b"ab")
    done = FileStore(first, clock=clock).upload_chunk(
        upload_id, command="upload, finalize", offset=2, data=b"cd"
    )
    caches = CacheStore(first, clock=clock, count_tokens=lambda _: 5000)
    cache = caches.create({"model": "gemini-2.5-flash", "contents": [{"parts": [{"text": "t"}]}]})
    first.close()

    second = DiskState(tmp_path)
    assert done.file is not None
    restarted = FileStore(second, clock=clock)
    assert restarted.get(str(done.file["name"])) == done.file
    assert restarted.read_bytes(str(done.file["name"])) == b"abcd"
    assert CacheStore(second, clock=clock, count_tokens=len).get(cache["name"]) == cache
