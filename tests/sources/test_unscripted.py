"""The smallest instance of a response schema, in JSON Schema and in the API's own Schema."""

from __future__ import annotations

from typing import Any

import pytest

from mockgem.sources.unscripted import smallest_instance


@pytest.mark.parametrize(
    ("schema", "instance"),
    [
        ({"type": "OBJECT", "properties": {"a": {"type": "STRING"}, "b": {"type": "INTEGER"}}, "required": ["a"]}, {"a": ""}),
        ({"type": "OBJECT", "properties": {"a": {"type": "BOOLEAN"}, "b": {"type": "NUMBER", "nullable": True}}}, {"a": False, "b": None}),
        ({"type": "array", "items": {"type": "integer", "minimum": 3}, "minItems": 2}, [3, 3]),
        ({"type": "string", "enum": ["x", "y"]}, "x"),
        ({"const": 7}, 7),
        ({"type": ["string", "null"]}, None),
        ({"anyOf": [{"type": "integer"}, {"type": "string"}]}, 0),
        (
            {"$defs": {"Leaf": {"type": "object", "properties": {"v": {"type": "number", "minimum": 1.5}}, "required": ["v"]}},
             "type": "object", "properties": {"leaf": {"$ref": "#/$defs/Leaf"}}, "required": ["leaf"]},
            {"leaf": {"v": 1.5}},
        ),
        ({}, {}),
    ],
)
def test_smallest_instance(schema: dict[str, Any], instance: Any) -> None:
    assert smallest_instance(schema) == instance


def test_smallest_instance_of_a_recursive_schema_ends() -> None:
    schema = {"$defs": {"Node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/Node"}}, "required": ["next"]}}, "$ref": "#/$defs/Node"}
    value = smallest_instance(schema)
    depth = 0
    while isinstance(value, dict):
        value, depth = value["next"], depth + 1
    assert depth < 20
