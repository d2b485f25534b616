"""Generated media decoded by real decoders: Pillow for PNG, FFmpeg (PyAV) for MP4, `wave` for PCM."""

from __future__ import annotations

import io
import wave

import av
import pytest
from PIL import Image

from mockgem.media import ASPECT_RATIOS, PCM_RATE, image_size, mp4, pcm_speech, png, video_size, wav


@pytest.mark.parametrize("ratio", sorted(ASPECT_RATIOS))
def test_png_decodes_at_the_size_of_its_aspect_ratio(ratio: str) -> None:
    picture = Image.open(io.BytesIO(png(*image_size(ratio), seed="a cat")))
    picture.load()
    assert (picture.format, picture.size) == ("PNG", ASPECT_RATIOS[ratio])


def test_png_is_deterministic_and_differs_by_seed() -> None:
    assert png(8, 8, "a") == png(8, 8, "a") != png(8, 8, "b")


@pytest.mark.parametrize(("ratio", "seconds"), [("16:9", 8), ("9:16", 4), ("1:1", 1)])
def test_mp4_decodes_to_every_frame_at_its_size(ratio: str, seconds: int) -> None:
    width, height = video_size(ratio)
    with av.open(io.BytesIO(mp4(width, height, seconds, seed="a dog"))) as container:
        frames = list(container.decode(video=0))
    assert len(frames) == seconds * 4
    assert {(frame.width, frame.height) for frame in frames} == {(width, height)}


def test_mp4_frames_show_the_colours_written() -> None:
    with av.open(io.BytesIO(mp4(64, 36, 1, seed="x"))) as container:
        first, *_, last = [frame.to_image() for frame in container.decode(video=0)]
    assert first.getpixel((0, 0)) != last.getpixel((0, 0))


def test_pcm_speech_wraps_as_a_24khz_mono_wav() -> None:
    pcm = pcm_speech("three short words")
    with wave.open(io.BytesIO(wav(pcm))) as reader:
        assert (reader.getnchannels(), reader.getsampwidth(), reader.getframerate()) == (1, 2, PCM_RATE)
        assert reader.getnframes() == len(pcm) // 2 == int(1.2 * PCM_RATE)
