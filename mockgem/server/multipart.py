"""A whole `multipart/related` (or `form-data`) body split into its parts, bytes kept exact.

The upload is read whole first (to a temporary file past a megabyte), so that the same bytes can
be looked up in a recording (the match key ignores the boundary) and then split here. The body
may be bytes or a memory-mapped file: the parts are found by position and a part's content is a
view into the body, never a copy, so a 2 GB file part costs no memory.
"""

from __future__ import annotations

import mmap
from dataclasses import dataclass

from aiohttp.helpers import parse_mimetype

from mockgem.errors import InvalidArgument

Body = bytes | mmap.mmap


@dataclass(frozen=True, slots=True)
class BodyPart:
    content_type: str
    content: memoryview


def multipart_parts(body: Body, content_type: str) -> list[BodyPart]:
    """The parts of `body` in order (RFC 2046): each one's Content-Type and its exact bytes.

    Lines may end in LF alone: googleapiclient's multipart uploads (Python's email generator) do,
    and Google's upload server takes them."""
    boundary = parse_mimetype(content_type).parameters.get("boundary", "").encode()
    if not boundary:
        # UNVERIFIED: the upload server's refusal of a multipart body without a boundary.
        raise InvalidArgument("Multipart upload: the Content-Type names no boundary.")
    newline = _line_ending(body, boundary)
    view = memoryview(body)
    parts = []
    for start, end in _sections(body, b"--" + boundary, newline):
        if body[start : start + 2] == b"--":
            break
        blank_line = body.find(newline * 2, start, end)
        if blank_line < 0:
            # UNVERIFIED: the upload server's refusal of a part without a blank line after its headers.
            raise InvalidArgument("Multipart upload: a part has no blank line after its headers.")
        parts.append(BodyPart(_part_type(body[start:blank_line]), view[blank_line + 2 * len(newline) : end]))
    if not parts:
        # UNVERIFIED: the upload server's refusal of a body in which the boundary delimits nothing.
        raise InvalidArgument("Multipart upload: the body holds no part delimited by the boundary.")
    return parts


def _sections(body: Body, dash_boundary: bytes, newline: bytes) -> list[tuple[int, int]]:
    """Where each section after a delimiter line's `--boundary` starts and ends (before the next
    delimiter's line break); the first delimiter may open the body without a line break."""
    marks = [0] if body[: len(dash_boundary)] == dash_boundary else []
    delimiter = newline + dash_boundary
    position = 0
    while (found := body.find(delimiter, position)) >= 0:
        marks.append(found + len(newline))
        position = found + len(delimiter)
    ends = [mark - len(newline) for mark in marks[1:]] + [len(body)] if marks else []
    return [(mark + len(dash_boundary), end) for mark, end in zip(marks, ends, strict=True)]


def _line_ending(body: Body, boundary: bytes) -> bytes:
    """CRLF, or LF when the first delimiter line ends in LF alone."""
    start = body.find(b"--" + boundary)
    after = body[start + len(boundary) + 2 : start + len(boundary) + 3] if start >= 0 else b""
    return b"\n" if after == b"\n" else b"\r\n"


def _part_type(head: bytes) -> str:
    for line in head.decode("latin-1").splitlines():
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-type":
            return value.strip()
    return "text/plain"
