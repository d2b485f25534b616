"""Error bodies exactly as the real services write them.

The native API answers `{"error": {...}}`; the JSON-array stream form and the OpenAI-compatible
layer wrap that same object in a one-element list (wire reference §2.2.2, §7.3).
"""

from __future__ import annotations

import math

from mockgem._types import JSONDict
from mockgem.errors import STATUS_BY_CODE, ApiError

DEFAULT_MESSAGES: dict[int, str] = {
    400: "Request contains an invalid argument.",
    401: "Request had invalid authentication credentials.",
    403: "The caller does not have permission",
    404: "Requested entity was not found.",
    429: "Resource has been exhausted (e.g. check quota).",
    500: "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",
    503: "The model is overloaded. Please try again later.",
    504: "The request timed out. Please try again.",
}

MISSING_KEY_MESSAGE = (
    "Method doesn't allow unregistered callers (callers without established identity). "
    "Please use API Key or other form of API consumer identity to call this API."
)
INVALID_KEY_MESSAGE = "API key not valid. Please pass a valid API key."
MISSING_OAUTH_MESSAGE = (
    "Request is missing required authentication credential. Expected OAuth 2 access token, "
    "login cookie or other valid authentication credential. "
    "See https://developers.google.com/identity/sign-in/web/devconsole-project."
)


def error_body(error: ApiError) -> JSONDict:
    body: JSONDict = {"code": error.code, "message": error.message, "status": error.status}
    if error.details:
        body["details"] = error.details
    return {"error": body}


def error_from_body(body: JSONDict, code: int) -> ApiError:
    """The ApiError a recorded or forwarded error answer stands for, to render in another form."""
    found = body.get("error")
    error: JSONDict = found if isinstance(found, dict) else {}
    built = api_error(code, error.get("message"), error.get("status"))
    built.details = list(error.get("details") or [])
    return built


def api_error(code: int, message: str | None = None, status: str | None = None) -> ApiError:
    """An ApiError for an HTTP code, with the message the real API uses when none is given."""
    return ApiError(
        message or DEFAULT_MESSAGES.get(code, "Unknown error."),
        code=code,
        status=status or STATUS_BY_CODE.get(code, "UNKNOWN"),
    )


def bad_request_detail(description: str, field: str | None = None) -> JSONDict:
    violation: JSONDict = {"description": description}
    if field:
        violation["field"] = field
    return {"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [violation]}


def invalid_key_error() -> ApiError:
    return ApiError(
        INVALID_KEY_MESSAGE,
        code=400,
        details=[
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
                "metadata": {"service": "generativelanguage.googleapis.com"},
            },
            {
                "@type": "type.googleapis.com/google.rpc.LocalizedMessage",
                "locale": "en-US",
                "message": INVALID_KEY_MESSAGE,
            },
        ],
    )


def model_not_found(model: str, version: str, method: str) -> ApiError:
    return ApiError(
        f"models/{model} is not found for API version {version}, or is not supported for {method}. "
        "Call ListModels to see the list of available models and their supported methods.",
        code=404,
    )


def quota_error(model: str, metric: str, quota_id: str, limit: int, retry_seconds: float) -> ApiError:
    """The 429 RESOURCE_EXHAUSTED body with QuotaFailure, RetryInfo and Help (wire reference §5.4)."""
    message = (
        "You exceeded your current quota, please check your plan and billing details. For more "
        "information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits. "
        "To monitor your current usage, head to: https://ai.dev/usage?tab=rate-limit. \n"
        f"* Quota exceeded for metric: generativelanguage.googleapis.com/{metric}, "
        f"limit: {limit}, model: {model}\nPlease retry in {retry_seconds:.6f}s."
    )
    details: list[JSONDict] = [
        {
            "@type": "type.googleapis.com/google.rpc.Help",
            "links": [
                {
                    "description": "Learn more about Gemini API quotas",
                    "url": "https://ai.google.dev/gemini-api/docs/rate-limits",
                }
            ],
        },
        {
            "@type": "type.googleapis.com/google.rpc.QuotaFailure",
            "violations": [
                {
                    "quotaMetric": f"generativelanguage.googleapis.com/{metric}",
                    "quotaId": quota_id,
                    "quotaDimensions": {"location": "global", "model": model},
                    "quotaValue": str(limit),
                }
            ],
        },
        # Rounded up: a client that waits exactly retryDelay must find the window open again.
        # (The one real body quoted, wire reference §5.4, truncates 47.88s to "47s".)
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": f"{math.ceil(retry_seconds)}s"},
    ]
    return ApiError(message, code=429, details=details)
