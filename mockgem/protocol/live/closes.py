"""How the real Live API ends a session it refuses: a WebSocket close code and a reason.

The service accepts the upgrade, reads the setup, then closes; google-genai raises the code and
reason as `APIError` (`live.py`: "1007 None. API key not valid. ..."), @google/genai's `connect`
rejects with "Live connection closed before setup completed (code 1008): ...". The reasons below
are the service's own words as public client logs quote them; a close reason holds at most 123
bytes (RFC 6455 §5.5), and the service cuts longer messages there, mid-word.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_REASON_BYTES = 123
INVALID_PAYLOAD, POLICY, INTERNAL = 1007, 1008, 1011

INVALID_KEY = "API key not valid. Please pass a valid API key."
MISSING_KEY = (
    "Method doesn't allow unregistered callers (callers without established identity). "
    "Please use API Key or other form of API consumer identity to call this API."
)
INVALID_ARGUMENT = "Request contains an invalid argument."
INTERNAL_ERROR = "Internal error encountered."
QUOTA = (
    "You exceeded your current quota, please check your plan and billing details. For more information "
    "on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits."
)


@dataclass(frozen=True, slots=True)
class LiveClose:
    """A close frame: `reason` already cut to what fits."""

    code: int
    reason: str

    @classmethod
    def of(cls, code: int, message: str) -> LiveClose:
        return cls(code, cut_reason(message))

    def __str__(self) -> str:
        return f"{self.code} {self.reason}"


class LiveRefusal(Exception):
    """Raised by the pure readers; the server closes the socket with `close`."""

    def __init__(self, close: LiveClose) -> None:
        super().__init__(str(close))
        self.close = close


def cut_reason(message: str) -> str:
    """`message` cut to 123 bytes of UTF-8, never inside a character."""
    return message.encode()[:MAX_REASON_BYTES].decode(errors="ignore")


def invalid_key() -> LiveClose:
    return LiveClose.of(INVALID_PAYLOAD, INVALID_KEY)


def missing_key() -> LiveClose:
    return LiveClose.of(POLICY, MISSING_KEY)


def invalid_argument(message: str = INVALID_ARGUMENT) -> LiveClose:
    return LiveClose.of(INVALID_PAYLOAD, message)


def model_not_found(model: str, version: str) -> LiveClose:
    return LiveClose.of(
        POLICY,
        f"models/{model} is not found for API version {version}, or is not supported for bidiGenerateContent. "
        "Call ListModels to see the list of available models and their supported methods.",
    )


def quota_exceeded() -> LiveClose:
    return LiveClose.of(INTERNAL, QUOTA)


def for_status(code: int, model: str = "", version: str = "v1beta") -> LiveClose:
    """The close that stands for an HTTP error of the REST API (a fault, a scripted error).

    UNVERIFIED beyond 1007 (bad key, bad argument), 1008 (no such model, no caller) and 1011
    (quota, internal error), which public logs show: 403 is taken as 1008, 503/504 as 1011.
    """
    if code == 429:
        return quota_exceeded()
    if code == 404:
        return model_not_found(model, version)
    if code == 403:
        return LiveClose.of(POLICY, "The caller does not have permission")
    if code == 400:
        return invalid_argument()
    if code == 503:
        return LiveClose.of(INTERNAL, "The service is currently unavailable.")
    if code == 504:
        return LiveClose.of(INTERNAL, "Deadline expired before operation could complete.")
    return LiveClose.of(INTERNAL, INTERNAL_ERROR)
