"""Speech as Gemini's TTS models send it: headerless 16-bit little-endian mono PCM at 24 kHz.

Clients read the rate from the MIME type (`audio/L16;codec=pcm;rate=24000`) and wrap the samples
in a WAV header themselves; `wav` does the same, for surfaces that answer a WAV file.
"""

from __future__ import annotations

import io
import math
import struct
import wave

PCM_RATE = 24_000
PCM_MIME_TYPE = f"audio/L16;codec=pcm;rate={PCM_RATE}"
SECONDS_PER_WORD = 0.4  # about 150 words a minute
MIN_SECONDS = 0.5
AMPLITUDE = 3000


def pcm_speech(text: str, *, seconds: float | None = None, rate: int = PCM_RATE) -> bytes:
    """A quiet tone lasting as long as `text` takes to say (or `seconds`), its pitch from the text."""
    duration = seconds if seconds is not None else max(MIN_SECONDS, len(text.split()) * SECONDS_PER_WORD)
    pitch = 220 + sum(text.encode()) % 440
    count = int(duration * rate)
    samples = (int(AMPLITUDE * math.sin(2 * math.pi * pitch * n / rate)) for n in range(count))
    return struct.pack(f"<{count}h", *samples)


def wav(pcm: bytes, rate: int = PCM_RATE) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(pcm)
    return buffer.getvalue()
