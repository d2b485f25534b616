"""Go's httprr traces (golang.org/x/oscar internal/httprr, rsc.io/httprr).

The file is the line `httprr trace v1`, then one record per exchange: a line `N1 N2`, then N1
bytes of the request as Go's `Request.WriteProxy` writes it (absolute URL on the request line),
then N2 bytes of the response as `Response.Write` writes it (chunked when its length was unknown).
"""

from __future__ import annotations

from mockgem.errors import CassetteError
from mockgem.sources.cassettes.bodies import decode_content
from mockgem.sources.cassettes.model import Headers, Interaction, RecordedRequest, RecordedResponse, header_values, without_headers

HTTPRR_MAGIC = b"httprr trace v1\n"


def read_httprr(data: bytes) -> tuple[Interaction, ...]:
    if not data.startswith(HTTPRR_MAGIC):
        raise CassetteError("not an httprr trace: the first line is not `httprr trace v1`")
    rest = data[len(HTTPRR_MAGIC) :]
    interactions: list[Interaction] = []
    while rest:
        place = f"record {len(interactions) + 1}"
        request_wire, response_wire, rest = _next_record(rest, place)
        try:
            interactions.append(Interaction(_parse_request(request_wire), _parse_response(response_wire)))
        except (ValueError, IndexError) as exc:
            raise CassetteError(f"{place}: {exc}") from exc
    return tuple(interactions)


def _next_record(data: bytes, place: str) -> tuple[bytes, bytes, bytes]:
    line, _, rest = data.partition(b"\n")
    sizes = line.split(b" ")
    if len(sizes) != 2 or not all(size.isdigit() for size in sizes):
        raise CassetteError(f"{place}: expected a `N1 N2` size line, found {line[:40]!r}")
    request_size, response_size = int(sizes[0]), int(sizes[1])
    if request_size + response_size > len(rest):
        raise CassetteError(f"{place}: the sizes {request_size} + {response_size} run past the end of the file")
    end = request_size + response_size
    return rest[:request_size], rest[request_size:end], rest[end:]


def _split_message(wire: bytes) -> tuple[str, Headers, bytes]:
    head, separator, body = wire.partition(b"\r\n\r\n")
    if not separator:
        raise ValueError("the HTTP message has no blank line after its headers")
    start, *lines = head.decode("latin-1").split("\r\n")
    headers: list[tuple[str, str]] = []
    for line in lines:
        name, colon, value = line.partition(":")
        if not colon:
            raise ValueError(f"bad header line {line[:40]!r}")
        headers.append((name.strip(), value.strip()))
    return start, tuple(headers), body


def _parse_request(wire: bytes) -> RecordedRequest:
    start, headers, body = _split_message(wire)
    method, target, _version = start.split(" ", 2)
    if target.startswith("/"):
        host = (header_values(headers, "host") or ["localhost"])[0]
        target = f"https://{host}{target}"
    return RecordedRequest(method.upper(), target, headers, _unchunk(body) if _is_chunked(headers) else body)


def _parse_response(wire: bytes) -> RecordedResponse:
    start, headers, body = _split_message(wire)
    _version, status, *reason = start.split(" ", 2)
    if _is_chunked(headers):
        body, headers = _unchunk(body), without_headers(headers, frozenset({"transfer-encoding"}))
    body, headers = decode_content(body, headers)
    return RecordedResponse(int(status), headers, body, reason[0] if reason else "")


def _is_chunked(headers: Headers) -> bool:
    return any("chunked" in value.lower() for value in header_values(headers, "transfer-encoding"))


def _unchunk(body: bytes) -> bytes:
    pieces: list[bytes] = []
    while True:
        size_line, _, body = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0].strip() or b"x", 16)
        if size == 0:
            return b"".join(pieces)
        if len(body) < size + 2:
            raise ValueError("a chunk of the chunked body runs past its end")
        pieces.append(body[:size])
        body = body[size + 2 :]
