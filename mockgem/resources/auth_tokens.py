"""Ephemeral tokens (`POST /v1alpha/auth_tokens`, google-genai `client.auth_tokens.create`).

A token starts Live sessions in place of an API key, sent as `Authorization: Token auth_tokens/...`
(google-genai) or `?access_token=auth_tokens/...` (@google/genai) to
`BidiGenerateContentConstrained`. It carries:
- `uses` (default 1): how many sessions it may start;
- `newSessionExpireTime` (default one minute from now): no new session after it;
- `expireTime` (default 30 minutes from now): it is worth nothing after it;
- `bidiGenerateContentSetup`: the setup it locks. With no `fieldMask` every field it sets is
  locked; with one, the fields it names are (google-genai `tokens.py` builds the mask from
  `lock_additional_fields`). A locked field takes the token's value whatever the client sends.
The defaults are those ai.google.dev/gemini-api/docs/ephemeral-tokens gives.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from mockgem._types import JSONDict
from mockgem.errors import InvalidArgument
from mockgem.protocol.casing import camel_keys
from mockgem.resources.ids import new_id
from mockgem.resources.timestamps import Clock, parse_rfc3339, rfc3339

DEFAULT_LIFETIME = 30 * 60.0
DEFAULT_NEW_SESSION_WINDOW = 60.0
TOKEN_ID_LENGTH = 40
FIELDS = frozenset({"expireTime", "newSessionExpireTime", "uses", "bidiGenerateContentSetup", "fieldMask"})


@dataclass
class AuthToken:
    name: str
    expires: float
    new_sessions_until: float
    uses: int
    setup: JSONDict | None = None
    field_mask: tuple[str, ...] | None = None
    used: int = field(default=0)

    def to_json(self) -> JSONDict:
        # UNVERIFIED: google-genai reads only `name`; the rest echoes the resource as created.
        body: JSONDict = {"name": self.name, "expireTime": rfc3339(self.expires),
                          "newSessionExpireTime": rfc3339(self.new_sessions_until), "uses": self.uses}
        if self.setup is not None:
            body["bidiGenerateContentSetup"] = self.setup
        if self.field_mask is not None:
            body["fieldMask"] = ",".join(self.field_mask)
        return body


class TokenRefused(Exception):
    """A token that cannot start a session now: unknown, expired or used up."""


class AuthTokenStore:
    def __init__(self, clock: Clock = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens: dict[str, AuthToken] = {}

    def create(self, body: JSONDict) -> AuthToken:
        """A new token from a create request's body; InvalidArgument as the API words it."""
        body = camel_keys(body)
        unknown = next((name for name in body if name not in FIELDS), None)
        if unknown is not None:
            raise InvalidArgument(f'Invalid JSON payload received. Unknown name "{unknown}": Cannot find field.')
        now = self._clock()
        token = AuthToken(
            name=f"auth_tokens/{new_id(TOKEN_ID_LENGTH)}",
            expires=_time(body, "expireTime", now + DEFAULT_LIFETIME),
            new_sessions_until=_time(body, "newSessionExpireTime", now + DEFAULT_NEW_SESSION_WINDOW),
            uses=_uses(body.get("uses", 1)),
            setup=_setup(body.get("bidiGenerateContentSetup")),
            field_mask=_mask(body.get("fieldMask")),
        )
        with self._lock:
            self._tokens[token.name] = token
        return token

    def start_session(self, name: str) -> AuthToken:
        """The token, one of its uses spent; TokenRefused says why it cannot be used."""
        now = self._clock()
        with self._lock:
            token = self._tokens.get(name)
            if token is None:
                raise TokenRefused("unknown")
            if now >= token.expires or now >= token.new_sessions_until:
                raise TokenRefused("expired")
            if token.used >= token.uses:
                raise TokenRefused("used up")
            token.used += 1
            return token

    def clear(self) -> None:
        with self._lock:
            self._tokens.clear()


def constrained_setup(sent: JSONDict, token: AuthToken) -> JSONDict:
    """The setup a session runs with: the client's, with every locked field the token's."""
    if token.setup is None:
        return sent
    if token.field_mask is None:
        return sent | token.setup
    setup = {key: dict(value) if isinstance(value, dict) else value for key, value in sent.items()}
    for path in token.field_mask:
        head, _, tail = path.partition(".")
        locked = token.setup.get(head)
        if not tail:
            _put(setup, head, locked)
        elif isinstance(setup.setdefault(head, {}), dict):
            _put(setup[head], tail, locked.get(tail) if isinstance(locked, dict) else None)
    return setup


def _put(target: dict[str, Any], name: str, value: Any) -> None:
    if value is None:
        target.pop(name, None)
    else:
        target[name] = value


def _time(body: JSONDict, name: str, default: float) -> float:
    value = body.get(name)
    return default if value is None else parse_rfc3339(str(value), name)


def _uses(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).lstrip("-").isdigit() or int(value) < 0:
        raise InvalidArgument(f"Invalid value at 'uses' (TYPE_INT32), \"{value}\"")
    return int(value)


def _setup(value: Any) -> JSONDict | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InvalidArgument("Invalid JSON payload received. Unknown name \"bidiGenerateContentSetup\": Proto field is not repeating, cannot start list.")
    return value


def _mask(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    paths = value if isinstance(value, list) else str(value).split(",")
    return tuple(str(path).strip() for path in paths if str(path).strip())
