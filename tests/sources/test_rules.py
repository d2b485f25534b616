"""Rules files: validation messages and matching."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
import yaml

from mockgem.errors import ConfigError
from mockgem.protocol.calls import ApiCall, ApiRequest
from mockgem.sources.base import Answer
from mockgem.sources.rules import RuleSource, load_rules


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rules:\n  - match: {contains: x}\n    reply: {txt: hi}\n", "rule 0: key 'reply.txt': unknown key"),
        ("rules:\n  - reply: {text: a}\n  - match: {regex: '('}\n    reply: {text: b}\n", "rule 1: key 'match.regex'"),
        ("rules:\n  - match: {contains: x}\n", "rule 0: a rule needs `reply`, `fault` or both"),
        ("rules: [\n", "not valid YAML"),
        ("rules:\n  - reply: {text: a}\n    times: 0\n", "rule 0: key 'times'"),
    ],
)
def test_rules_file_mistake_names_file_rule_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_rules(path)
    assert str(path) in str(caught.value) and message in str(caught.value)


def _refuse_teapots(terms: Sequence[str]) -> None:
    if "teapot" in terms:
        raise ConfigError("unknown fault 'teapot'; valid faults: 503, ...")


@pytest.mark.parametrize(
    ("fault", "terms"),
    [("cut=3", ("cut=3",)), ("[503, 'latency=1s']", ("503", "latency=1s")), ("429", ("429",))],
)
def test_rule_fault_is_a_string_or_a_list(fault: str, terms: tuple[str, ...]) -> None:
    rules, _ = load_rules({"rules": [{"fault": yaml.safe_load(fault)}]}, _refuse_teapots)
    assert rules[0].rule.fault == terms and rules[0].rule.reply is None


def test_rule_fault_is_checked_when_loaded(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("rules:\n  - reply: {text: a}\n  - fault: [cut=3, teapot]\n")
    with pytest.raises(ConfigError, match="rule 1: key 'fault': unknown fault 'teapot'; valid faults: "):
        load_rules(path, _refuse_teapots)


def test_missing_rules_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the rules file"):
        load_rules(tmp_path / "absent.yaml")


def test_python_tags_are_not_executed(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("rules: !!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_rules(path)


FILE_URI = "http://127.0.0.1:8080/v1beta/files/abc123"


def file_request(uri: str = FILE_URI) -> ApiRequest:
    parts = [{"fileData": {"fileUri": uri, "mimeType": "application/pdf"}}, {"text": "what is it?"}]
    return ApiRequest(ApiCall("gemini", "v1beta", "generateContent", "gemini-2.5-flash"), {"contents": [{"role": "user", "parts": parts}]})


@pytest.mark.parametrize(
    ("glob", "labels", "fits"),
    [
        ("*/files/abc123", (), True),
        ("files/abc*", ("files/abc123", "report.pdf"), True),
        ("*.pdf", ("files/abc123", "report.pdf"), True),
        ("*.pdf", (), False),
        ("files/zzz", ("files/abc123", "report.pdf"), False),
    ],
    ids=["uri", "name", "display-name", "display-name-unknown", "other-file"],
)
async def test_rule_matches_file_by_uri_name_or_display_name(glob: str, labels: tuple[str, ...], fits: bool) -> None:
    rules = {"rules": [{"match": {"file": glob}, "reply": {"text": "matched"}}], "default": {"text": "default"}}
    source = RuleSource([rules], file_labels=lambda uri: labels if uri == FILE_URI else ())
    answer = await source.answer(file_request())
    assert isinstance(answer, Answer)
    assert (answer.body["candidates"][0]["content"]["parts"][0]["text"] == "matched") is fits


async def test_file_rule_does_not_match_a_request_without_files() -> None:
    source = RuleSource([{"rules": [{"match": {"file": "*"}, "reply": {"text": "matched"}}]}])
    request = ApiRequest(ApiCall("gemini", "v1beta", "generateContent", "gemini-2.5-flash"), {"contents": [{"parts": [{"text": "hi"}]}]})
    answer = await source.answer(request)
    assert isinstance(answer, Answer) and answer.origin == "default reply"


def test_rules_yaml_syntax_error_names_its_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("rules:\n  - match: {contains: [unclosed\n")
    with pytest.raises(ConfigError) as raised:
        RuleSource([path])
    message = str(raised.value)
    assert message.startswith(f"{path}: line ") and "not valid YAML" in message and "<unicode string>" not in message


@pytest.mark.parametrize("code", [999, 200, 418])
def test_rules_error_code_outside_the_api_set_is_refused_at_load(code: int) -> None:
    with pytest.raises(ConfigError) as raised:
        RuleSource([{"rules": [{"reply": {"error": {"code": code}}}]}])
    assert f"rule 0: key 'reply.error.code': {code} is not an error code the Gemini API answers; use one of 400," in str(raised.value)
