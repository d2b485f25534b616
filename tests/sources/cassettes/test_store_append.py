"""CassetteStore appends: only the new interaction is serialised, and the file stays one whole dump."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from vcr import serialize
from vcr.serializers import yamlserializer

from mockgem.sources.cassettes import store as store_module
from mockgem.sources.cassettes.formats import load_cassette
from mockgem.sources.cassettes.model import Interaction
from mockgem.sources.cassettes.redact import RedactionRules, redact
from mockgem.sources.cassettes.store import CassetteStore, dump_cassette
from tests.sources.cassettes.test_store import _binary, _stream


class _IndentedLists(yaml.SafeDumper):
    """Lists indented under their key, as ruamel and many editors write them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _vcrpy_loads(path: Path) -> int:
    requests, _ = serialize.deserialize(path.read_text(), yamlserializer)
    return len(requests)


def test_appends_write_what_one_whole_dump_writes(tmp_path: Path) -> None:
    path, store = tmp_path / "rec.yaml", CassetteStore()
    written = [store.append(path, interaction) for interaction in (_stream("a"), _binary(), _stream("b"))]
    assert path.read_text() == dump_cassette(written)
    assert load_cassette(path).interactions == tuple(written) and _vcrpy_loads(path) == 3


def test_append_serialises_only_the_new_interaction(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "rec.yaml"
    path.write_text(dump_cassette([redact(_stream(f"old {n}"), RedactionRules()) for n in range(50)]))
    serialised: list[Interaction] = []
    document_of = store_module._interaction_document

    def counted(interaction: Interaction) -> object:
        serialised.append(interaction)
        return document_of(interaction)

    monkeypatch.setattr(store_module, "_interaction_document", counted)
    store = CassetteStore()
    for n in range(3):
        store.append(path, _stream(f"new {n}"))
    assert len(serialised) == 3
    assert len(load_cassette(path).interactions) == 53 and _vcrpy_loads(path) == 53


def test_append_keeps_the_text_of_what_was_recorded_before(tmp_path: Path) -> None:
    path = tmp_path / "rec.yaml"
    before = dump_cassette([_binary()]).replace("uri: https://x/upload", "uri:   https://x/upload")
    path.write_text(before)
    CassetteStore().append(path, _stream())
    assert path.read_text().startswith(before.removesuffix("version: 1\n"))
    assert len(load_cassette(path).interactions) == 2


@pytest.mark.parametrize(
    "layout",
    [
        lambda document: json.dumps(document),
        lambda document: yaml.safe_dump({"version": 1, **document}, sort_keys=False),
        lambda document: yaml.safe_dump({**document, "recorded_with": "tool 1"}),
        lambda document: yaml.safe_dump(document, default_flow_style=True),
        lambda document: yaml.dump(document, Dumper=_IndentedLists),
    ],
    ids=["json", "version first", "extra key", "flow style", "indented list"],
)
def test_append_to_a_cassette_laid_out_otherwise_rewrites_it_whole(tmp_path: Path, layout: object) -> None:
    path = tmp_path / "rec.yaml"
    path.write_text(layout(yaml.safe_load(dump_cassette([_stream("before")]))))  # type: ignore[operator]
    assert len(load_cassette(path).interactions) == 1
    written = CassetteStore().append(path, _stream())
    assert load_cassette(path).interactions[1] == written and _vcrpy_loads(path) == 2


def test_failed_append_is_left_out_of_the_next_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path, store = tmp_path / "rec.yaml", CassetteStore()
    first = store.append(path, _stream("first"))

    def crash(descriptor: int) -> None:
        raise OSError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(store_module.os, "fsync", crash)
        with pytest.raises(OSError):
            store.append(path, _stream("lost"))
    third = store.append(path, _stream("third"))
    assert load_cassette(path).interactions == (first, third)


def test_start_afresh_then_append_replaces_the_file(tmp_path: Path) -> None:
    path, store = tmp_path / "rec.yaml", CassetteStore()
    store.append(path, _stream("old"))
    store.start_afresh(path)
    new = store.append(path, _stream("new"))
    assert load_cassette(path).interactions == (new,)
