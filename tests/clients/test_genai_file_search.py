"""google-genai `client.file_search_stores` (and its documents and operations) over a real socket."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from google import genai
from google.genai import errors, types

from mockgem import MockGemServer
from tests.clients.conftest import genai_client


@pytest.fixture
def client(make_server: Callable[..., MockGemServer]) -> genai.Client:
    return genai_client(make_server())


def upload(client: genai.Client, store: str, text: bytes = b"Paris is the capital of France.") -> types.UploadToFileSearchStoreOperation:
    config = {"mime_type": "text/plain", "display_name": "Paris notes", "custom_metadata": [{"key": "topic", "string_value": "geo"}]}
    return client.file_search_stores.upload_to_file_search_store(file_search_store_name=store, file=io.BytesIO(text), config=config)  # type: ignore[arg-type]


def test_store_is_named_after_its_display_name_and_lists(client: genai.Client) -> None:
    store = client.file_search_stores.create(config={"display_name": "Test File Search Store"})
    assert (store.name or "").startswith("fileSearchStores/testfilesearchstore-") and store.display_name == "Test File Search Store"
    assert store.embedding_model == "models/gemini-embedding-001" and store.create_time
    assert [listed.name for listed in client.file_search_stores.list()] == [store.name]
    assert client.file_search_stores.get(name=store.name or "").name == store.name


def test_upload_makes_a_document_and_its_operation(client: genai.Client) -> None:
    store = client.file_search_stores.create(config={"display_name": "notes"}).name or ""
    operation = upload(client, store)
    assert operation.response and (operation.response.document_name or "").startswith(f"{store}/documents/parisnotes-")
    assert (operation.name or "").startswith(f"{store}/upload/operations/")
    assert client.operations.get(operation).done
    document = client.file_search_stores.documents.get(name=operation.response.document_name or "")
    assert (document.display_name, document.state, document.size_bytes, document.mime_type) == ("Paris notes", types.DocumentState.STATE_ACTIVE, 31, "text/plain")
    assert document.custom_metadata and document.custom_metadata[0].string_value == "geo"
    counted = client.file_search_stores.get(name=store)
    assert (counted.active_documents_count, counted.size_bytes) == (1, 31)


def test_import_file_runs_an_operation_to_an_active_document(make_server: Callable[..., MockGemServer]) -> None:
    client = genai_client(make_server(operation_duration=3600))
    store = client.file_search_stores.create(config={"display_name": "imports"}).name or ""
    file = client.files.upload(file=io.BytesIO(b"some notes"), config=types.UploadFileConfig(mime_type="text/plain", display_name="notes.txt"))
    operation = client.file_search_stores.import_file(file_search_store_name=store, file_name=file.name or "")
    assert not operation.done and (operation.name or "").startswith(f"{store}/operations/")
    assert not client.operations.get(operation).done
    documents = list(client.file_search_stores.documents.list(parent=store))
    assert [(d.display_name, d.state) for d in documents] == [("notes.txt", types.DocumentState.STATE_PENDING)]
    assert client.file_search_stores.get(name=store).pending_documents_count == 1


def test_import_of_a_missing_file_gets_the_files_apis_refusal(client: genai.Client) -> None:
    store = client.file_search_stores.create(config={"display_name": "x"}).name or ""
    with pytest.raises(errors.ClientError) as raised:
        client.file_search_stores.import_file(file_search_store_name=store, file_name="files/missing")
    assert raised.value.code == 403


def test_a_store_with_documents_is_deleted_only_with_force(client: genai.Client) -> None:
    store = client.file_search_stores.create(config={"display_name": "full"}).name or ""
    upload(client, store)
    with pytest.raises(errors.ClientError) as raised:
        client.file_search_stores.delete(name=store)
    assert (raised.value.code, raised.value.status) == (400, "FAILED_PRECONDITION")
    client.file_search_stores.delete(name=store, config={"force": True})
    with pytest.raises(errors.ClientError) as missing:
        client.file_search_stores.get(name=store)
    assert missing.value.code == 404


def test_document_delete_removes_it(client: genai.Client) -> None:
    store = client.file_search_stores.create(config={"display_name": "docs"}).name or ""
    name = (upload(client, store).response.document_name or "")  # type: ignore[union-attr]
    client.file_search_stores.documents.delete(name=name, config={"force": True})
    assert list(client.file_search_stores.documents.list(parent=store)) == []


def test_stores_and_documents_survive_a_restart_with_state_dir(tmp_path: Path, make_server: Callable[..., MockGemServer]) -> None:
    first = make_server(state_dir=tmp_path)
    client = genai_client(first)
    store = client.file_search_stores.create(config={"display_name": "kept"}).name or ""
    upload(client, store)
    first.stop()
    again = genai_client(make_server(state_dir=tmp_path))
    assert [d.display_name for d in again.file_search_stores.documents.list(parent=store)] == ["Paris notes"]
