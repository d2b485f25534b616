"""A whole `multipart/related` (or `form-data`) body split into its parts, bytes kept exact.

The upload is read whole first, so that the same bytes can be looked up in a recording (the
match key ignores the boundary) and then split here.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp.helpers import parse_mimetype

from mockgem.errors import InvalidArgument


@dataclass(frozen=True, slots=True)
class BodyPart:
    content_type: str
    content: bytes


def multipart_parts(body: bytes, content_type: str) -> list[BodyPart]:
    """The parts of `body` in order (RFC 2046): each one's Content-Type and its exact bytes.

    Lines may end in LF alone: googleapiclient's multipart uploads (Python's email generator) do,
    and Google's upload server takes them."""
    boundary = parse_mimetype(content_type).parameters.get("boundary", "").encode()
    if not boundary:
        # UNVERIFIED: the upload server's refusal of a multipart body without a boundary.
        raise InvalidArgument("Multipart upload: the Content-Type names no boundary.")
    newline = _line_ending(body, boundary)
    sections = (newline + body).split(newline + b"--" + boundary)
    parts = []
    for section in sections[1:]:
        if section.startswith(b"--"):
            break
        head, blank_line, content = section.partition(newline * 2)
        if not blank_line:
            # UNVERIFIED: the upload server's refusal of a part without a blank line after its headers.
            raise InvalidArgument("Multipart upload: a part has no blank line after its headers.")
        parts.append(BodyPart(_part_type(head), content))
    if not parts:
        # UNVERIFIED: the upload server's refusal of a body in which the boundary delimits nothing.
        raise InvalidArgument("Multipart upload: the body holds no part delimited by the boundary.")
    return parts


def _line_ending(body: bytes, boundary: bytes) -> bytes:
    """CRLF, or LF when the first delimiter line ends in LF alone."""
    start = body.find(b"--" + boundary)
    after = body[start + len(boundary) + 2 :] if start >= 0 else b""
    return b"\n" if after.startswith(b"\n") else b"\r\n"


def _part_type(head: bytes) -> str:
    for line in head.decode("latin-1").splitlines():
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-type":
            return value.strip()
    return "text/plain"
