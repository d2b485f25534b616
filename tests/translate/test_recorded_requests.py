"""Real OpenAI-compatible requests from the shared corpus, read in place (skipped when absent)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from mockgem.translate.chat_request import to_generate_request

CORPUS = Path("/work/shared/corpus")
COMPAT_URI = "generativelanguage.googleapis.com/v1beta/openai/chat/completions"


def recorded_chat_requests() -> list[Any]:
    if not CORPUS.is_dir():
        return []
    found: list[Any] = []
    for path in sorted(CORPUS.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if COMPAT_URI not in text:
            continue
        for interaction in yaml.load(text, Loader=yaml.SafeLoader)["interactions"]:
            request = interaction["request"]
            body = request.get("parsed_body") or json.loads(request["body"])
            found.append(pytest.param(body, id=f"{path.stem[:40]}-{len(found)}"))
    return found


REQUESTS = recorded_chat_requests()


@pytest.mark.skipif(not REQUESTS, reason="shared corpus not present")
@pytest.mark.parametrize("body", REQUESTS)
def test_to_generate_request_reads_recorded_requests(body: dict[str, Any]) -> None:
    translation = to_generate_request(body)
    assert translation.request["contents"]
    parts = [part for content in translation.request["contents"] for part in content["parts"]]
    answers = [part for part in parts if "functionResponse" in part]
    assert len(answers) == sum(message["role"] == "tool" for message in body["messages"])
