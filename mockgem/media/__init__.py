"""Generated media that clients can decode: PNG images, H.264 MP4 videos, 16-bit PCM speech.

Pure functions of their inputs (a seed picks the colours and the tone), so the same request always
gets the same bytes, and a recording of them replays byte for byte.
"""

from mockgem.media.audio import PCM_MIME_TYPE, PCM_RATE, pcm_speech, wav
from mockgem.media.images import ASPECT_RATIOS, image_size, png
from mockgem.media.video import VIDEO_SIZES, mp4, video_size

__all__ = [
    "ASPECT_RATIOS", "PCM_MIME_TYPE", "PCM_RATE", "VIDEO_SIZES",
    "image_size", "mp4", "pcm_speech", "png", "video_size", "wav",
]
