"""The JSON bodies of mockgem's own API: an object with only the keys that endpoint reads.

A misspelt key (`{"fault": "503"}`) would otherwise be ignored and the call do something else
(clear the faults): it is a 400 that lists the keys the endpoint knows.
"""

from __future__ import annotations

from typing import Any

from mockgem.errors import InvalidArgument
from mockgem.protocol.validation import parse_json_body


def admin_body(data: bytes, endpoint: str, keys: tuple[str, ...]) -> dict[str, Any]:
    """`data` as a JSON object whose keys are all in `keys`; else the 400 naming them."""
    body = parse_json_body(data)
    if not isinstance(body, dict):
        raise InvalidArgument(f"mockgem: {endpoint}: the body must be a JSON object with {_listed(keys)}")
    unknown = sorted(set(body) - set(keys))
    if unknown:
        raise InvalidArgument(f"mockgem: {endpoint}: unknown key {_listed(tuple(unknown))}; valid keys: {_listed(keys)}")
    return body


def _listed(keys: tuple[str, ...]) -> str:
    return ", ".join(f'"{key}"' for key in keys)
