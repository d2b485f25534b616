"""A small JSON path: `$.generationConfig.seed`, `contents[*].parts[0].text`, `tools.*.name`.

Names match in either spelling (`generation_config` finds `generationConfig`), because a body
may reach us in the client's casing or in the canonical camelCase one. `*` stands for every
member of an object or item of a list (`*` alone: every top-level field).

A member that dropping leaves empty goes too: ignoring `generationConfig.responseModalities`
of `{"generationConfig": {"responseModalities": ["TEXT"]}}` leaves `{}`, not a
`"generationConfig": {}` that a recording without the field would not equal.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from mockgem.protocol.casing import to_camel

WILDCARD = "*"
Segment = str | int
_TOKEN = re.compile(r"\[(\*|\d+)\]|\.?([^.\[\]]+)")


class _Drop:
    """Returned by an edit to remove the matched member."""


DROP = _Drop()
Edit = Callable[[Any], Any]


@functools.lru_cache(maxsize=256)
def parse_path(path: str) -> tuple[Segment, ...]:
    text = path.strip()
    text = text[1:] if text.startswith("$") else text
    segments: list[Segment] = []
    position = 0
    while position < len(text):
        found = _TOKEN.match(text, position)
        if found is None:
            raise ValueError(f"cannot read JSON path {path!r} at character {position + 1}")
        index, name = found.groups()
        segments.append(name if name is not None else (WILDCARD if index == "*" else int(index)))
        position = found.end()
    if not segments:
        raise ValueError(f"the JSON path {path!r} names nothing")
    return tuple(segments)


def edit_path(value: Any, path: tuple[Segment, ...], edit: Edit) -> Any:
    """A copy of `value` where each member at `path` is replaced by `edit(member)` (or dropped)."""
    if not path:
        return edit(value)
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return _edit_dict(value, head, rest, edit)
    if isinstance(value, list):
        return _edit_list(value, head, rest, edit)
    return value


def _edit_dict(value: dict[str, Any], head: Segment, rest: tuple[Segment, ...], edit: Edit) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, item in value.items():
        if head == WILDCARD or (isinstance(head, str) and to_camel(key) == to_camel(head)):
            item = _edited(item, rest, edit)
            if item is DROP:
                continue
        result[key] = item
    return result


def _edit_list(value: list[Any], head: Segment, rest: tuple[Segment, ...], edit: Edit) -> list[Any]:
    result: list[Any] = []
    for index, item in enumerate(value):
        if head == WILDCARD or head == index:
            item = _edited(item, rest, edit)
            if item is DROP:
                continue
        result.append(item)
    return result


def _edited(item: Any, rest: tuple[Segment, ...], edit: Edit) -> Any:
    """`item` edited; DROP when the edit emptied an object or list that held something."""
    edited = edit_path(item, rest, edit)
    emptied = isinstance(edited, dict | list) and not edited and bool(item)
    return DROP if emptied else edited


def drop(_: Any) -> Any:
    return DROP
