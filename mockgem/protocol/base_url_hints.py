"""What to tell a client whose path names no API method because its base URL is wrong.

Most 404s a new user meets come from one path segment too many or too few in a base URL:
google-genai adds the API version itself (`base_url=http://host/v1beta` gives `/v1beta/v1beta/...`,
see `_api_client.py` in google-genai), the openai SDK adds only `chat/completions` to its
base URL (so it must end in `/v1beta/openai/`). `hint_for` reads such a path and says which base
URL to use; it is pure, so the server adds its answer to the 404's message.
"""

from __future__ import annotations

from mockgem.protocol.calls import OPENAI_VERSION, VERSIONS

_OPENAI_TAILS = (("chat", "completions"), ("embeddings",), ("models",), ("completions",))
_ROOT = "the server's own address (e.g. http://127.0.0.1:8080)"
OPENAI_BASE = f"/{OPENAI_VERSION}/openai/"
INSPECTOR = "/_mockgem/"


def hint_for(method: str, path: str) -> str | None:
    """One sentence on the base URL `path` suggests was meant, or None when it suggests nothing."""
    segments = [segment for segment in path.split("/") if segment]
    if not segments:
        return _root_hint(method)
    for hint in (_openai_hint(segments), _doubled_version_hint(segments), _missing_version_hint(segments)):
        if hint is not None:
            return hint
    return None


def _root_hint(method: str) -> str | None:
    if method.upper() not in {"GET", "HEAD"}:
        return None
    return f"This is mockgem, a mock of the Gemini API: open {INSPECTOR} to see what it serves and every request it answered."


def _doubled_version_hint(segments: list[str]) -> str | None:
    """`/v1beta/v1beta/models/...`: a base URL ending in a version the SDK adds again."""
    versions = [index for index, segment in enumerate(segments) if segment in VERSIONS]
    if len(versions) < 2:
        return None
    given = "/" + "/".join(segments[: versions[1]])
    return (f"The path names the API version twice (/{segments[versions[0]]}/.../{segments[versions[1]]}/): the SDK adds the "
            f"version itself, so the base URL must not end in {given}. For google-genai use {_ROOT}.")


def _openai_hint(segments: list[str]) -> str | None:
    """An OpenAI path (`chat/completions`, `embeddings`...) outside `/v1beta/openai/`."""
    tail = next((tail for tail in _OPENAI_TAILS if tuple(segments[-len(tail):]) == tail), None)
    if tail is None or _is_model_path(segments):
        return None
    prefix = segments[: len(segments) - len(tail)]
    if prefix[-2:] == [OPENAI_VERSION, "openai"] and prefix.count("openai") == 1:
        return None  # the right base URL: this 404 has another cause
    if prefix[-2:] == [OPENAI_VERSION, "openai"]:
        given = "/" + "/".join(prefix)
        return f"The path repeats the OpenAI-compatible prefix ({given}/): use base_url=http://HOST:PORT{OPENAI_BASE}, once."
    given = "/" + "/".join(prefix) + ("/" if prefix else "")
    return (f"Gemini's OpenAI-compatible layer lives under {OPENAI_BASE}, not {given}: "
            f"set the openai client's base_url to http://HOST:PORT{OPENAI_BASE} (e.g. http://127.0.0.1:8080{OPENAI_BASE}).")


def _is_model_path(segments: list[str]) -> bool:
    """`/v1beta/models` is the native models list, not an OpenAI path."""
    return segments[-1:] == ["models"] and any(segment in VERSIONS for segment in segments) and "openai" not in segments


def _missing_version_hint(segments: list[str]) -> str | None:
    """`/models/gemini-2.5-flash:generateContent`: no API version before the method."""
    if any(segment in VERSIONS for segment in segments):
        return None
    if segments[0] not in {"models", "tunedModels", "files", "cachedContents", "batches", "projects", "publishers"}:
        return None
    return (f"The path has no API version: Gemini methods live under /v1beta/ (or /v1/), e.g. /v1beta/{'/'.join(segments)}. "
            f"For google-genai use the base URL {_ROOT}; the SDK adds the version.")
