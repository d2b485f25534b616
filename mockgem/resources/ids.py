"""Resource ids in the alphabet the real API uses: `[a-z0-9]`, so SDK regexes extract them."""

from __future__ import annotations

import secrets
import string

ALPHABET = string.ascii_lowercase + string.digits
FILE_ID_LENGTH = 12  # as observed: files/mwp1gi5it47f
LONG_ID_LENGTH = 40  # as observed for cachedContents/... and batches/...


def new_id(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))
