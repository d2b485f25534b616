"""camelCase and snake_case field names unified, as proto3 JSON parsers accept both.

Only API field names change: the keys of user maps (function `args`, a schema's `properties`,
batch `metadata`...) are the user's own and are kept exactly as sent.
"""

from __future__ import annotations

from typing import Any

# Values under these keys are user data end to end: not a single key inside is renamed.
OPAQUE_KEYS = frozenset(
    {
        "args",
        "response",
        "responseJsonSchema",
        "parametersJsonSchema",
        "metadata",
        "labels",
        "partMetadata",
        "example",
        "default",
        "quotaDimensions",
    }
)
# Values under these keys are maps whose own keys are user names, but whose values are API shapes.
NAMED_MAPS = frozenset({"properties", "$defs", "defs"})


def to_camel(name: str) -> str:
    if "_" not in name or name.startswith("_"):
        return name
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def to_snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def camel_keys(value: Any) -> Any:
    """A copy of `value` with every API field name in lowerCamelCase."""
    if isinstance(value, list):
        return [camel_keys(item) for item in value]
    if not isinstance(value, dict):
        return value
    result: dict[str, Any] = {}
    for key, item in value.items():
        name = to_camel(key)
        if name in OPAQUE_KEYS:
            result[name] = item
        elif name in NAMED_MAPS and isinstance(item, dict):
            result[name] = {k: camel_keys(v) for k, v in item.items()}
        else:
            result[name] = camel_keys(item)
    return result
