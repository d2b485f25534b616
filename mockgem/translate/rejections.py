"""The 400 answers the compatibility layer gives for a request it cannot read."""

from __future__ import annotations

from mockgem.errors import InvalidArgument
from mockgem.protocol.envelopes import DEFAULT_MESSAGES, bad_request_detail


def unknown_field(name: str, at: str | None = None) -> InvalidArgument:
    """The proto parser's answer to a field it does not know (wire reference §7.3)."""
    where = f" at '{at}'" if at else ""
    message = f'Invalid JSON payload received. Unknown name "{name}"{where}: Cannot find field.'
    return InvalidArgument(message, details=[bad_request_detail(message)])


def invalid_argument(reason: str | None = None) -> InvalidArgument:
    """Google's generic 400; `reason` (mockgem's own words) only when the real text is unknown."""
    return InvalidArgument(reason or DEFAULT_MESSAGES[400])
