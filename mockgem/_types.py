"""Type aliases shared by every layer."""

from __future__ import annotations

from typing import Any, TypeAlias

JSON: TypeAlias = Any
JSONDict: TypeAlias = dict[str, Any]
