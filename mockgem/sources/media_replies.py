"""Images, videos and speech in replies: Imagen `:predict`, Veo `:predictLongRunning`, and the
IMAGE and AUDIO response modalities of generateContent.

Bytes are generated (`mockgem.media`) from the prompt unless a rule gives them (`data`, base64),
so the same prompt always gets the same picture. A rule may also filter one out
(`rai_filtered_reason`), as the responsible-AI filters do.
"""

from __future__ import annotations

import base64
import struct

from mockgem._types import JSONDict
from mockgem.media import PCM_MIME_TYPE, image_size, mp4, pcm_speech, png, video_size
from mockgem.sources.strict import Strict

DEFAULT_IMAGES = 4  # documented default of numberOfImages / sampleCount
DEFAULT_VIDEO_SECONDS = 8
VERTEX_VIDEO_TYPE = "type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse"
UPSCALE_FACTORS = {"x2": 2, "x3": 3, "x4": 4}


class ImageReply(Strict):
    data: str | None = None
    mime_type: str = "image/png"
    rai_filtered_reason: str | None = None


class VideoReply(Strict):
    seconds: float | None = None
    data: str | None = None
    rai_filtered_reason: str | None = None


class AudioReply(Strict):
    seconds: float | None = None
    data: str | None = None
    mime_type: str = PCM_MIME_TYPE


def prompt_of(request: JSONDict) -> str:
    """The prompt of a `:predict` / `:predictLongRunning` request (its first instance)."""
    instances = request.get("instances") or [{}]
    first = instances[0] if isinstance(instances[0], dict) else {}
    return str(first.get("prompt") or "")


def predicted_images(request: JSONDict, scripted: list[ImageReply] | None) -> JSONDict:
    """An Imagen answer: `predictions[]` of base64 PNGs (or a filtered reason), as Vertex AI writes them."""
    parameters: JSONDict = request.get("parameters") or {}
    width, height = _requested_size(request, parameters)
    count = int(parameters.get("sampleCount") or (1 if _edits(request, parameters) else DEFAULT_IMAGES))
    images = scripted if scripted is not None else [ImageReply() for _ in range(count)]
    seed = prompt_of(request)
    predictions = [_prediction(image, width, height, f"{seed}#{index}") for index, image in enumerate(images)]
    return {"predictions": predictions}


def _prediction(image: ImageReply, width: int, height: int, seed: str) -> JSONDict:
    if image.rai_filtered_reason is not None:
        return {"raiFilteredReason": image.rai_filtered_reason}
    data = image.data or base64.b64encode(png(width, height, seed)).decode()
    return {"bytesBase64Encoded": data, "mimeType": image.mime_type}


def _edits(request: JSONDict, parameters: JSONDict) -> bool:
    """Upscale, recontext and segmentation answer one image unless asked for more."""
    first = (request.get("instances") or [{}])[0]
    return parameters.get("mode") == "upscale" or isinstance(first, dict) and ("image" in first or "productImages" in first)


def _requested_size(request: JSONDict, parameters: JSONDict) -> tuple[int, int]:
    factor = UPSCALE_FACTORS.get(str((parameters.get("upscaleConfig") or {}).get("upscaleFactor")), 0)
    source = _png_size(request)
    if factor and source:
        return source[0] * factor, source[1] * factor
    return image_size(parameters.get("aspectRatio"), parameters.get("sampleImageSize"))


def _png_size(request: JSONDict) -> tuple[int, int] | None:
    """The size a PNG input image states in its header, for an upscale."""
    first = (request.get("instances") or [{}])[0]
    encoded = ((first.get("image") or {}) if isinstance(first, dict) else {}).get("bytesBase64Encoded")
    try:
        data = base64.b64decode(str(encoded or ""))
    except ValueError:
        return None
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def generated_videos(request: JSONDict, scripted: VideoReply | None) -> JSONDict:
    """The response of a finished Veo operation, in Vertex AI's form: `videos[]` with inline MP4 bytes.

    The server rewrites it for the Gemini API (`generateVideoResponse.generatedSamples[].video.uri`)."""
    parameters: JSONDict = request.get("parameters") or {}
    video = scripted or VideoReply()
    count = int(parameters.get("sampleCount") or 1)
    if video.rai_filtered_reason is not None:
        return {"@type": VERTEX_VIDEO_TYPE, "raiMediaFilteredCount": count, "raiMediaFilteredReasons": [video.rai_filtered_reason]}
    seconds = video.seconds or float(parameters.get("durationSeconds") or DEFAULT_VIDEO_SECONDS)
    width, height = video_size(parameters.get("aspectRatio"))
    seed = prompt_of(request)
    videos = [
        {"bytesBase64Encoded": video.data or base64.b64encode(mp4(width, height, seconds, f"{seed}#{index}")).decode(), "mimeType": "video/mp4"}
        for index in range(count)
    ]
    return {"@type": VERTEX_VIDEO_TYPE, "videos": videos}


def image_parts(scripted: list[ImageReply] | None, modalities: list[str], seed: str, aspect_ratio: str | None) -> list[JSONDict]:
    """The `inlineData` image parts of a generateContent answer: scripted ones, or one when IMAGE is asked."""
    images = scripted if scripted is not None else ([ImageReply()] if "IMAGE" in modalities else [])
    width, height = image_size(aspect_ratio)
    return [
        {"inlineData": {"mimeType": image.mime_type, "data": image.data or base64.b64encode(png(width, height, f"{seed}#{index}")).decode()}}
        for index, image in enumerate(images)
        if image.rai_filtered_reason is None
    ]


def audio_part(scripted: AudioReply | None, modalities: list[str], text: str) -> JSONDict | None:
    """Speech of the answer's text as a TTS model sends it (headerless 24 kHz PCM), when AUDIO is asked."""
    if scripted is None and "AUDIO" not in modalities:
        return None
    audio = scripted or AudioReply()
    data = audio.data or base64.b64encode(pcm_speech(text, seconds=audio.seconds)).decode()
    return {"inlineData": {"mimeType": audio.mime_type, "data": data}}
