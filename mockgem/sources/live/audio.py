"""Deterministic speech stand-in: 16-bit little-endian mono PCM at 24 kHz, as the Live API's
audio replies are (`audio/pcm;rate=24000`, ai.google.dev/gemini-api/docs/live).

Each character of the reply's text becomes 50 ms of a tone whose pitch the character picks, so
the same text always gives the same bytes and a longer text a longer answer; a space is silence.
"""

from __future__ import annotations

import math
import struct

SAMPLE_RATE = 24_000
BYTES_PER_SAMPLE = 2
SECONDS_PER_CHARACTER = 0.05
# 200 ms of audio per frame.
CHUNK_BYTES = SAMPLE_RATE * BYTES_PER_SAMPLE // 5
AMPLITUDE = 0.25 * 32767


def speech_for(text: str) -> bytes:
    samples_each = int(SAMPLE_RATE * SECONDS_PER_CHARACTER)
    return b"".join(_tone(character, samples_each) for character in text or " ")


def chunks_of(audio: bytes, size: int = CHUNK_BYTES) -> list[bytes]:
    return [audio[start : start + size] for start in range(0, len(audio), size)] or [b""]


def seconds_of(audio_bytes: int, rate: int = SAMPLE_RATE) -> float:
    return audio_bytes / (rate * BYTES_PER_SAMPLE)


def _tone(character: str, samples: int) -> bytes:
    if character.isspace():
        return bytes(samples * BYTES_PER_SAMPLE)
    frequency = 180.0 + (ord(character) % 48) * 12.5
    step = 2 * math.pi * frequency / SAMPLE_RATE
    return struct.pack(f"<{samples}h", *(int(AMPLITUDE * math.sin(step * n)) for n in range(samples)))
