"""How a recorded request differs from the one sent: aspect by aspect, body leaf by leaf.

What near misses and order-based fallbacks report, and how recordings are ranked by closeness.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import Any

from mockgem.sources.cassettes.keys import URI_PARTS, RequestShape

_VALUE_WIDTH = 80
_MIDDLE_WIDTH = 200
# How much each aspect weighs when ranking recordings by closeness: lower is closer.
_WEIGHTS = {"method": 1000, "surface": 500, "action": 500, "path": 500, "host": 300, "scheme": 200, "port": 200,
            "model": 100, "resource": 50, "query": 20}
_ENDPOINT_ASPECTS = ("surface", "action", "model", "resource")


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One way a recording differs from the request: `expected` is recorded, `actual` was sent."""

    aspect: str
    expected: str
    actual: str
    expected_value: Any = field(default=None, compare=False, repr=False)
    actual_value: Any = field(default=None, compare=False, repr=False)

    def likeness(self, *, rough: bool = False) -> float:
        """How alike the two values are, 0 to 1: breaks ties between equally close recordings."""
        return likeness(self.expected_value, self.actual_value, rough=rough)



def head_mismatches(recorded: RequestShape, sent: RequestShape) -> list[Mismatch]:
    """How the method and endpoint differ: what weighs most in closeness."""
    method = [Mismatch("method", recorded.method, sent.method)] if recorded.method != sent.method else []
    return method + _endpoint_mismatches(recorded.endpoint, sent.endpoint)


def compare(recorded: RequestShape, sent: RequestShape) -> list[Mismatch]:
    """Every aspect in which `sent` differs from `recorded`, most important first."""
    found: list[Mismatch] = []
    if recorded.method != sent.method:
        found.append(Mismatch("method", recorded.method, sent.method))
    found.extend(_endpoint_mismatches(recorded.endpoint, sent.endpoint))
    if recorded.query != sent.query:
        found.append(Mismatch("query", _show(dict(recorded.query)), _show(dict(sent.query))))
    if recorded.body_digest != sent.body_digest:
        found.extend(_body_mismatches(recorded, sent))
    found.extend(_origin_mismatches(recorded, sent))
    if "headers" in sent.matched and not recorded.headers_fit(sent):
        sent_headers = dict(sent.headers)
        found.extend(Mismatch(f"header {name}", value, sent_headers.get(name, "(absent)"))
                     for name, value in recorded.headers if (name, value) not in sent.headers)
    return found


def _origin_mismatches(recorded: RequestShape, sent: RequestShape) -> list[Mismatch]:
    """Scheme, host and port, where `match_on` compares them."""
    return [
        Mismatch(name, mine or "(none)", theirs or "(none)")
        for name, mine, theirs in zip(URI_PARTS, recorded.origin, sent.origin, strict=False)
        if name in sent.matched and mine != theirs
    ]


def _endpoint_mismatches(recorded: tuple[str, ...], sent: tuple[str, ...]) -> list[Mismatch]:
    if recorded[0] == "path" or sent[0] == "path":
        return [] if recorded == sent else [Mismatch("path", "/".join(recorded), "/".join(sent))]
    return [
        Mismatch(aspect, mine or "(none)", theirs or "(none)")
        for aspect, mine, theirs in zip(_ENDPOINT_ASPECTS + ("version",), recorded, sent, strict=False)
        if mine != theirs
    ]


def _body_mismatches(recorded: RequestShape, sent: RequestShape) -> list[Mismatch]:
    if recorded.body_is_json and sent.body_is_json:
        return diff_json(recorded.body, sent.body, "body")
    return [Mismatch("body", _describe_opaque(recorded), _describe_opaque(sent))]


def _describe_opaque(shape: RequestShape) -> str:
    if shape.body_is_json:
        return "a JSON body"
    return f"raw bytes ({shape.body_digest[6:18]}...)" if shape.body_digest else "(empty)"


def diff_json(recorded: Any, sent: Any, path: str, limit: int = 50) -> list[Mismatch]:
    """Leaf-level differences between two JSON values, named by JSON path, at most `limit`."""
    found: list[Mismatch] = []
    _diff_into(recorded, sent, path, found, limit)
    return found


_ABSENT = object()


def _diff_into(recorded: Any, sent: Any, path: str, found: list[Mismatch], limit: int) -> None:
    if len(found) >= limit or recorded == sent:
        return
    if isinstance(recorded, dict) and isinstance(sent, dict):
        for key in sorted(recorded.keys() | sent.keys()):
            _diff_into(recorded.get(key, _ABSENT), sent.get(key, _ABSENT), f"{path}.{key}", found, limit)
    elif isinstance(recorded, list) and isinstance(sent, list):
        for index in range(max(len(recorded), len(sent))):
            mine = recorded[index] if index < len(recorded) else _ABSENT
            theirs = sent[index] if index < len(sent) else _ABSENT
            _diff_into(mine, theirs, f"{path}[{index}]", found, limit)
    else:
        found.append(Mismatch(path, _show(recorded), _show(sent), recorded, sent))


def _show(value: Any) -> str:
    text = "(absent)" if value is _ABSENT else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= _VALUE_WIDTH else text[: _VALUE_WIDTH - 3] + "..."


def rank(mismatches: list[Mismatch]) -> int:
    """Lower is closer: the aspects that differ, weighed (each body leaf weighs 1)."""
    return sum(_WEIGHTS.get(m.aspect, 1) for m in mismatches)


def unlikeness(mismatches: list[Mismatch], *, rough: bool = False) -> float:
    """Between recordings of equal rank, lower is closer: how unlike their differing values are."""
    return sum(1 - m.likeness(rough=rough) for m in mismatches)


def likeness(recorded: Any, sent: Any, *, rough: bool = False) -> float:
    """How alike two texts are, 0 to 1, as difflib's ratio; 0 for values that are not both text.

    The common start and end are measured first, so difflib only sees what lies between them,
    cut to `_MIDDLE_WIDTH`: a long prompt with one edit stays cheap to compare. `rough` leaves
    difflib out: the common start and end alone.
    """
    if not (isinstance(recorded, str) and isinstance(sent, str) and recorded and sent):
        return 0.0
    head = _common_prefix(recorded, sent)
    tail = _common_prefix(recorded[head:][::-1], sent[head:][::-1])
    mine, theirs = recorded[head : len(recorded) - tail][:_MIDDLE_WIDTH], sent[head : len(sent) - tail][:_MIDDLE_WIDTH]
    matched = head + tail
    if mine and theirs and not rough:
        matched += sum(block.size for block in difflib.SequenceMatcher(None, mine, theirs, autojunk=False).get_matching_blocks())
    return 2 * matched / (len(recorded) + len(sent))


def _common_prefix(first: str, second: str) -> int:
    """The length of the common start, by bisection: slices compare at C speed."""
    low, high = 0, min(len(first), len(second))
    while low < high:
        middle = (low + high + 1) // 2
        if first[:middle] == second[:middle]:
            low = middle
        else:
            high = middle - 1
    return low
