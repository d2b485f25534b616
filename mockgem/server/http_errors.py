"""What aiohttp's HTTP layer refuses, answered as the Gemini API answers and journaled.

aiohttp parses each request before any handler or middleware runs; what its parser refuses (a
bad request line, a URL past the line limit, Content-Length beside Transfer-Encoding...) it
answers itself, in plain text, with nothing in the journal. `GeminiAppRunner` serves the app
through `GeminiRequestHandler`, which answers those refusals with the error envelope and writes
them to the request journal, and parses requests with `LenientRequestParser`: where the real API
is lenient (one header a client library sends twice), so is mockgem.
"""

from __future__ import annotations

import re
import time
from typing import Any, cast

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.http_parser import HttpRequestParserPy, RawRequestMessage
from aiohttp.web_protocol import RequestPayloadError

from mockgem.errors import STATUS_BY_CODE, ApiError
from mockgem.journal import JournalEntry, RequestJournal
from mockgem.protocol.envelopes import bad_request_detail, error_body
from mockgem.server.keys import JOURNAL
from mockgem.sse import dump_line

BAD_REQUEST_MESSAGE = "Request contains an invalid argument."
# aiohttp (since 3.10) refuses a request that repeats one of RFC 9110's singleton headers
# (aiohttp/http_parser.py SINGLETON_HEADERS). pydantic-ai sets its own User-Agent on the httpx
# client it gives google-genai, and google-genai adds its own (google/genai/_api_client.py
# _append_library_version_headers), so every pydantic-ai request carries two; the real API answers
# it. A User-Agent is a run of product tokens, so the two fold into one, in order. The framing
# headers (Content-Length, Transfer-Encoding, Host) stay refused, as everywhere.
_FOLDED_HEADERS = frozenset({b"user-agent"})
# The limits a server may be given; those it is not keep the default of the installed aiohttp.
_PARSER_LIMITS = ("max_line_size", "max_field_size", "max_headers")
_HEADER_NAME = re.compile(rb"^([!#$%&'*+.^_`|~0-9A-Za-z-]+):")


class LenientRequestParser(HttpRequestParserPy):
    """aiohttp's request parser with a repeated User-Agent folded into one header."""

    def parse_message(self, lines: list[bytes]) -> RawRequestMessage:
        return super().parse_message(fold_repeated_headers(lines))


def fold_repeated_headers(lines: list[bytes]) -> list[bytes]:
    """The request line and header lines with each repeated folded header joined into its first."""
    folded: list[bytes] = []
    first_at: dict[bytes, int] = {}
    for index, line in enumerate(lines):
        match = _HEADER_NAME.match(line) if index else None
        name = match.group(1).lower() if match else b""
        if match and name in _FOLDED_HEADERS and name in first_at:
            folded[first_at[name]] += b" " + line[match.end() :].strip(b" \t")
            continue
        if name in _FOLDED_HEADERS:
            first_at[name] = len(folded)
        folded.append(line)
    return folded


class GeminiRequestHandler(web.RequestHandler):
    """A connection's handler that parses leniently and answers parser refusals as the API."""

    def __init__(self, manager: web.Server, **kwargs: Any) -> None:
        super().__init__(manager, **kwargs)
        limits = {name: kwargs[name] for name in _PARSER_LIMITS if name in kwargs}
        parser = LenientRequestParser(
            self, kwargs["loop"], kwargs.get("read_bufsize", 2**16), payload_exception=RequestPayloadError,
            auto_decompress=kwargs.get("auto_decompress", True), **limits,
        )
        # aiohttp 3.14 keeps the request parser in `_parser`, 3.13 in `_request_parser`.
        setattr(self, "_request_parser" if hasattr(self, "_request_parser") else "_parser", parser)

    def handle_error(
        self, request: web.BaseRequest, status: int = 500, exc: BaseException | None = None, message: str | None = None
    ) -> web.StreamResponse:
        if not isinstance(exc, HttpProcessingError):
            return super().handle_error(request, status, exc, message)
        error = refusal_error(status, message or str(exc))
        journal = self._manager.journal if isinstance(self._manager, GeminiServer) else None
        if journal is not None:
            journal.add(refusal_entry(journal.next_number(), error))
        response = web.Response(status=error.code, body=dump_line(error_body(error)), content_type="application/json")
        response.force_close()
        return response


def refusal_error(status: int, reason: str) -> ApiError:
    """The Gemini error for a request the HTTP parser refused, with aiohttp's reason as its detail."""
    code = status if status in STATUS_BY_CODE else 400
    return ApiError(BAD_REQUEST_MESSAGE, code=code, details=[bad_request_detail(reason.strip())])


def refusal_entry(number: int, error: ApiError) -> JournalEntry:
    """A refused request's journal entry: nothing of it could be read, so its method and path are
    aiohttp's placeholders and the reason stands where a miss would."""
    reason = str(error.details[0]["fieldViolations"][0]["description"])
    return JournalEntry(
        number=number, started=time.time(), method="UNKNOWN", path="/", status=error.code,
        duration_ms=0.0, miss=f"The HTTP request could not be read: {reason}",
    )


class GeminiServer(web.Server):
    """aiohttp's connection factory, making `GeminiRequestHandler`s that journal to `journal`."""

    journal: RequestJournal | None = None

    def __call__(self) -> web.RequestHandler:
        return GeminiRequestHandler(self, loop=self._loop, **self._kwargs)


class GeminiAppRunner(web.AppRunner):
    """`web.AppRunner` whose connections answer HTTP-level refusals as the Gemini API."""

    async def _make_server(self) -> web.Server:
        server = await super()._make_server()
        # aiohttp has no hook for the handler class: the app's own Server is given ours as its class.
        server.__class__ = GeminiServer
        cast(GeminiServer, server).journal = self.app[JOURNAL]
        return server
