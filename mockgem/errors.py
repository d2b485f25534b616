"""Every error mockgem raises, in one tree.

    MockGemError
    ├── ApiError            an answer the real API would give: rendered as its error envelope
    │   ├── InvalidArgument        400 INVALID_ARGUMENT
    │   ├── PermissionDenied       403 PERMISSION_DENIED
    │   ├── NotFound               404 NOT_FOUND
    │   └── ResourceExhausted      429 RESOURCE_EXHAUSTED
    ├── ConfigError         bad command line, rules file or settings: mockgem does not start
    ├── CassetteError       a cassette that cannot be read or written
    │   └── NotACassette           a file that is plainly something else (skipped in a directory)
    └── UpstreamError       the real API could not be reached in record / passthrough mode

Only `ApiError` crosses the HTTP boundary as an answer; the server maps anything else that
escapes a handler to a 500 INTERNAL envelope, never a traceback.
"""

from __future__ import annotations

from typing import Any

STATUS_BY_CODE: dict[int, str] = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    412: "FAILED_PRECONDITION",
    413: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "NOT_IMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


class MockGemError(Exception):
    """Base of every error mockgem raises on purpose."""


class ApiError(MockGemError):
    """An error answer shaped as the real API sends it: HTTP status, gRPC status, message."""

    code: int = 500

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        status: str | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.status = status or STATUS_BY_CODE.get(self.code, "UNKNOWN")
        self.details = details or []


class InvalidArgument(ApiError):
    code = 400


class PermissionDenied(ApiError):
    code = 403


class NotFound(ApiError):
    code = 404


class ResourceExhausted(ApiError):
    code = 429


class ConfigError(MockGemError):
    """A setting or rules file that mockgem cannot use; the message says what is valid."""


class CassetteError(MockGemError):
    """A cassette file that cannot be read or written."""


class NotACassette(CassetteError):
    """A readable file that no recorder wrote (a `data.json` in the cassette directory)."""


class UpstreamError(MockGemError):
    """The upstream API could not be reached or answered with something unusable."""
