"""Colours derived from a seed: what makes two generated pictures of different prompts differ."""

from __future__ import annotations

import hashlib

RGB = tuple[int, int, int]


def seeded_colours(seed: str, count: int) -> list[RGB]:
    """`count` colours from the SHA-256 of `seed`, kept in 16..235 (no 0 byte in a PCM sample)."""
    digest = hashlib.sha256(seed.encode()).digest()
    while len(digest) < 3 * count:
        digest += hashlib.sha256(digest).digest()
    return [tuple(16 + digest[3 * i + c] * 219 // 255 for c in range(3)) for i in range(count)]  # type: ignore[misc]
