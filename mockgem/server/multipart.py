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
    """The parts of `body` in order (RFC 2046): each one's Content-Type and its exact bytes."""
    boundary = parse_mimetype(content_type).parameters.get("boundary", "").encode()
    if not boundary:
        # UNVERIFIED: the upload server's refusal of a multipart body without a boundary.
        raise InvalidArgument("Multipart upload: the Content-Type names no boundary.")
    sections = (b"\r\n" + body).split(b"\r\n--" + boundary)
    parts = []
    for section in sections[1:]:
        if section.startswith(b"--"):
            break
        head, _, content = section.partition(b"\r\n\r\n")
        parts.append(BodyPart(_part_type(head), content))
    return parts


def _part_type(head: bytes) -> str:
    for line in head.decode("latin-1").split("\r\n"):
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-type":
            return value.strip()
    return "text/plain"
