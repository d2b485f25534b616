"""Short MP4 videos (ISO/IEC 14496-12 boxes, one H.264 track) that players and decoders open.

Small on purpose: a Veo answer carries the video base64-encoded, so frames are a few macroblocks
wide at a few frames a second. The aspect ratio is the requested one; the colour fades from one
seeded colour to another, so frames differ.
"""

from __future__ import annotations

import struct

from mockgem.media import h264
from mockgem.media.colours import RGB, seeded_colours

VIDEO_SIZES: dict[str, tuple[int, int]] = {"16:9": (64, 36), "9:16": (36, 64), "1:1": (48, 48)}
FRAMES_PER_SECOND = 4
TIMESCALE = 12_800
MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


def video_size(aspect_ratio: str | None) -> tuple[int, int]:
    return VIDEO_SIZES.get(aspect_ratio or "16:9", VIDEO_SIZES["16:9"])


def mp4(width: int, height: int, seconds: float, seed: str) -> bytes:
    """A faststart MP4 (moov before mdat) of `seconds` of video at FRAMES_PER_SECOND."""
    picture = h264.Picture(width, height)
    start, end = seeded_colours(seed, 2)
    count = max(1, round(seconds * FRAMES_PER_SECOND))
    samples = [_frame(picture, index, _blend(start, end, index / max(1, count - 1))) for index in range(count)]
    head = _box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2avc1mp41")
    moov = _moov(picture, samples, 0)
    moov = _moov(picture, samples, len(head) + len(moov) + 8)  # the same size, now with the real offset
    return head + moov + _box(b"mdat", b"".join(samples))


def _frame(picture: h264.Picture, index: int, colour: RGB) -> bytes:
    unit = h264.idr_slice(picture, index, *_ycbcr(colour))
    return struct.pack(">I", len(unit)) + unit


def _blend(start: RGB, end: RGB, share: float) -> RGB:
    return tuple(round(a + (b - a) * share) for a, b in zip(start, end, strict=True))  # type: ignore[return-value]


def _ycbcr(colour: RGB) -> tuple[int, int, int]:
    """BT.601 studio range; every value stays in 16..240, so no sample is a 0 byte."""
    r, g, b = colour
    luma = 16 + (65.738 * r + 129.057 * g + 25.064 * b) / 256
    cb = 128 + (-37.945 * r - 74.494 * g + 112.439 * b) / 256
    cr = 128 + (112.439 * r - 94.154 * g - 18.285 * b) / 256
    return round(luma), round(cb), round(cr)


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _full_box(kind: bytes, version_flags: int, payload: bytes) -> bytes:
    return _box(kind, struct.pack(">I", version_flags) + payload)


def _moov(picture: h264.Picture, samples: list[bytes], data_offset: int) -> bytes:
    duration_ms = len(samples) * 1000 // FRAMES_PER_SECOND
    mvhd = _full_box(b"mvhd", 0, struct.pack(">IIII", 0, 0, 1000, duration_ms) + struct.pack(">IH", 0x10000, 0x100) + bytes(10) + MATRIX + bytes(24) + struct.pack(">I", 2))
    return _box(b"moov", mvhd + _trak(picture, samples, data_offset, duration_ms))


def _trak(picture: h264.Picture, samples: list[bytes], data_offset: int, duration_ms: int) -> bytes:
    size = struct.pack(">II", picture.width << 16, picture.height << 16)
    tkhd = _full_box(b"tkhd", 3, struct.pack(">IIIII", 0, 0, 1, 0, duration_ms) + bytes(8) + struct.pack(">hhhH", 0, 0, 0, 0) + MATRIX + size)
    mdhd = _full_box(b"mdhd", 0, struct.pack(">IIII", 0, 0, TIMESCALE, len(samples) * TIMESCALE // FRAMES_PER_SECOND) + struct.pack(">HH", 0x55C4, 0))
    hdlr = _full_box(b"hdlr", 0, struct.pack(">I", 0) + b"vide" + bytes(12) + b"VideoHandler\x00")
    vmhd = _full_box(b"vmhd", 1, bytes(8))
    dinf = _box(b"dinf", _full_box(b"dref", 0, struct.pack(">I", 1) + _full_box(b"url ", 1, b"")))
    minf = _box(b"minf", vmhd + dinf + _stbl(picture, samples, data_offset))
    return _box(b"trak", tkhd + _box(b"mdia", mdhd + hdlr + minf))


def _stbl(picture: h264.Picture, samples: list[bytes], data_offset: int) -> bytes:
    stsd = _full_box(b"stsd", 0, struct.pack(">I", 1) + _avc1(picture))
    stts = _full_box(b"stts", 0, struct.pack(">III", 1, len(samples), TIMESCALE // FRAMES_PER_SECOND))
    stsc = _full_box(b"stsc", 0, struct.pack(">IIII", 1, 1, len(samples), 1))
    stsz = _full_box(b"stsz", 0, struct.pack(">II", 0, len(samples)) + b"".join(struct.pack(">I", len(s)) for s in samples))
    stco = _full_box(b"stco", 0, struct.pack(">II", 1, data_offset))
    return _box(b"stbl", stsd + stts + stsc + stsz + stco)


def _avc1(picture: h264.Picture) -> bytes:
    sps, pps = h264.sps(picture), h264.pps()
    avcc = bytes([1, h264.PROFILE_BASELINE, h264.CONSTRAINTS, h264.LEVEL, 0xFF, 0xE1]) + struct.pack(">H", len(sps)) + sps
    avcc += bytes([1]) + struct.pack(">H", len(pps)) + pps
    entry = bytes(6) + struct.pack(">H", 1) + bytes(16) + struct.pack(">HHII", picture.width, picture.height, 0x480000, 0x480000)
    entry += struct.pack(">IH", 0, 1) + bytes(32) + struct.pack(">Hh", 0x18, -1)
    return _box(b"avc1", entry + _box(b"avcC", avcc))
