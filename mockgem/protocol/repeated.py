"""One value where the schema has a list, read as a list of one, as the real API reads it.

Google's JSON parser takes a single object for a repeated field: recordings show 200 answers to
`"parts": {"text": ""}` and to a single `tools` object. The body is rewritten so that every
consumer after validation (rules, translation, the built-in answers) sees the list it expects.
"""

from __future__ import annotations

import functools
import types
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.alias_generators import to_camel


def wrap_single_values(model: type[BaseModel], data: Any) -> Any:
    """`data` with each repeated field of `model` (and of its nested messages) given as a list."""
    if not isinstance(data, dict):
        return data
    fields = _fields(model)
    result = dict(data)
    for key, value in data.items():
        found = fields.get(key)
        if found is None:
            continue
        repeated, message = found
        # A message list takes one object, a scalar list one scalar; anything else stays refused.
        if repeated and value is not None and not isinstance(value, list) and isinstance(value, dict) == (message is not None):
            value = [value]
        if message is not None:
            value = [wrap_single_values(message, item) for item in value] if isinstance(value, list) else wrap_single_values(message, value)
        result[key] = value
    return result


@functools.cache
def _fields(model: type[BaseModel]) -> dict[str, tuple[bool, type[BaseModel] | None]]:
    """Each field by its snake and camel names: whether it is repeated, and its message type."""
    found: dict[str, tuple[bool, type[BaseModel] | None]] = {}
    for name, info in model.model_fields.items():
        described = _describe(info.annotation)
        if described != (False, None):
            found[name] = found[to_camel(name)] = described
    return found


def _describe(annotation: Any) -> tuple[bool, type[BaseModel] | None]:
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        options = [_describe(arg) for arg in get_args(annotation) if arg is not type(None)]
        # `list[Tool] | Tool`: the union itself already takes one value.
        return (False, None) if len(options) != 1 else options[0]
    if origin is list:
        (item,) = get_args(annotation) or (Any,)
        return True, item if isinstance(item, type) and issubclass(item, BaseModel) else None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return False, annotation
    return False, None
