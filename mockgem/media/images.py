"""PNG images of the sizes Imagen answers each aspect ratio with, written with zlib alone.

The sizes are Imagen's own for its supported ratios (https://ai.google.dev/gemini-api/docs/imagen);
a picture is two bands of seeded colour, which compresses to a few kilobytes.
"""

from __future__ import annotations

import struct
import zlib

from mockgem.media.colours import seeded_colours

ASPECT_RATIOS: dict[str, tuple[int, int]] = {
    "1:1": (1024, 1024),
    "3:4": (896, 1280),
    "4:3": (1280, 896),
    "9:16": (768, 1408),
    "16:9": (1408, 768),
}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def image_size(aspect_ratio: str | None, image_size_name: str | None = None) -> tuple[int, int]:
    """Width and height for an aspect ratio (1:1 when unknown); `2K` doubles the 1K sizes."""
    width, height = ASPECT_RATIOS.get(aspect_ratio or "1:1", ASPECT_RATIOS["1:1"])
    scale = 2 if (image_size_name or "").upper() == "2K" else 1
    return width * scale, height * scale


def png(width: int, height: int, seed: str) -> bytes:
    """An 8-bit RGB PNG: the top half one seeded colour, the bottom half another."""
    top, bottom = seeded_colours(seed, 2)
    rows = [b"\x00" + bytes(top) * width] * (height // 2) + [b"\x00" + bytes(bottom) * width] * (height - height // 2)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(b"".join(rows), 6)) + _chunk(b"IEND", b"")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
