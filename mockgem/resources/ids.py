"""Resource ids in the alphabet the real API uses: `[a-z0-9]`, so SDK regexes extract them."""

from __future__ import annotations

import secrets
import string

ALPHABET = string.ascii_lowercase + string.digits
FILE_ID_LENGTH = 12  # as observed: files/mwp1gi5it47f
LONG_ID_LENGTH = 40  # as observed for cachedContents/... and batches/...


VERTEX_ID_DIGITS = 19  # Vertex AI resource ids are numbers: cachedContents/4513486547380273152


def new_id(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def new_vertex_id() -> str:
    return str(secrets.randbelow(9 * 10 ** (VERTEX_ID_DIGITS - 1)) + 10 ** (VERTEX_ID_DIGITS - 1))
