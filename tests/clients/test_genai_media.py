"""Imagen, Veo and speech through google-genai (Vertex AI mode, as the SDK requires for images and
videos) and raw REST (the Gemini API's `:predict` / `:predictLongRunning`), media decoded for real."""

from __future__ import annotations

import base64
import io
import json
import urllib.request
import wave
from collections.abc import Callable
from typing import Any

import av
import pytest
from google import genai
from google.genai import types
from PIL import Image

from mockgem import MockGemServer
from mockgem.media import png
from tests.clients.conftest import genai_client, vertex_genai_client

IMAGEN = "imagen-4.0-generate-001"
VEO = "veo-3.0-generate-001"
SOURCE_IMAGE = types.Image(image_bytes=png(320, 200, "source"), mime_type="image/png")
MEDIA_RULES = {
    "rules": [
        {"match": {"model": "imagen-*", "contains": "unsafe"}, "reply": {"images": [{"rai_filtered_reason": "Filtered by the safety policy."}, {}]}},
        {"match": {"model": "imagen-*", "contains": "exact"}, "reply": {"images": [{"data": base64.b64encode(png(2, 2, "x")).decode()}]}},
        {"match": {"model": "veo-*", "contains": "fail"}, "reply": {"operation_error": {"code": 3, "message": "The prompt could not be used."}}},
        {"match": {"model": "veo-*", "contains": "short"}, "reply": {"video": {"seconds": 1}}},
    ],
}


def post(server: MockGemServer, path: str, body: object | None = None, method: str = "POST") -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{server.url}{path}", data=data, method=method, headers={"x-goog-api-key": "k", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        raw = response.read()
        return json.loads(raw) if response.headers.get_content_type() == "application/json" else raw


@pytest.fixture
def media_server(make_server: Callable[..., MockGemServer]) -> MockGemServer:
    return make_server(rules=MEDIA_RULES)


@pytest.fixture
def vertex(media_server: MockGemServer) -> genai.Client:
    return vertex_genai_client(media_server)


@pytest.fixture
def gemini(media_server: MockGemServer) -> genai.Client:
    return genai_client(media_server)


def decoded(image: types.Image | None) -> Image.Image:
    assert image is not None and image.image_bytes
    picture = Image.open(io.BytesIO(image.image_bytes))
    picture.load()
    return picture


@pytest.mark.parametrize(("ratio", "size"), [("16:9", (1408, 768)), ("1:1", (1024, 1024)), ("3:4", (896, 1280))])
def test_generate_images_answers_pngs_of_the_count_and_ratio(vertex: genai.Client, ratio: str, size: tuple[int, int]) -> None:
    config = types.GenerateImagesConfig(number_of_images=3, aspect_ratio=ratio)
    images = vertex.models.generate_images(model=IMAGEN, prompt="a cat", config=config).generated_images or []
    assert [decoded(item.image).size for item in images] == [size] * 3
    assert len({item.image.image_bytes for item in images if item.image}) == 3


def test_generate_images_is_deterministic_per_prompt(vertex: genai.Client) -> None:
    client = vertex
    config = types.GenerateImagesConfig(number_of_images=1)

    def first(prompt: str) -> bytes | None:
        return (client.models.generate_images(model=IMAGEN, prompt=prompt, config=config).generated_images or [])[0].image.image_bytes  # type: ignore[union-attr]

    assert first("a cat") == first("a cat") != first("a dog")


def test_a_rule_filters_an_image_with_a_reason(vertex: genai.Client) -> None:
    response = vertex.models.generate_images(model=IMAGEN, prompt="something unsafe", config=types.GenerateImagesConfig(include_rai_reason=True))
    filtered, kept = response.generated_images or []
    assert filtered.rai_filtered_reason == "Filtered by the safety policy." and not (filtered.image and filtered.image.image_bytes)
    assert decoded(kept.image).format == "PNG"


def test_a_rule_gives_the_exact_image(vertex: genai.Client) -> None:
    images = vertex.models.generate_images(model=IMAGEN, prompt="the exact one").generated_images or []
    assert [decoded(item.image).size for item in images] == [(2, 2)]


@pytest.mark.parametrize("method", ["edit", "upscale", "recontext", "segment"])
def test_vertex_image_editing_methods_answer_decodable_images(vertex: genai.Client, method: str) -> None:
    models = vertex.models
    if method == "edit":
        reference = types.RawReferenceImage(reference_id=1, reference_image=SOURCE_IMAGE)
        config = types.EditImageConfig(edit_mode=types.EditMode.EDIT_MODE_INPAINT_INSERTION, number_of_images=2)
        images = [item.image for item in models.edit_image(model="imagen-3.0-capability-001", prompt="add a hat", reference_images=[reference], config=config).generated_images or []]
        assert len(images) == 2
    elif method == "upscale":
        images = [item.image for item in models.upscale_image(model="imagen-4.0-upscale-preview", image=SOURCE_IMAGE, upscale_factor="x2").generated_images or []]
        assert decoded(images[0]).size == (640, 400)  # the source's own size, doubled
    elif method == "recontext":
        source = types.RecontextImageSource(prompt="on a beach", product_images=[types.ProductImage(product_image=SOURCE_IMAGE)])
        images = [item.image for item in models.recontext_image(model="imagen-product-recontext-preview-06-30", source=source).generated_images or []]
    else:
        masks = models.segment_image(model="image-segmentation-001", source=types.SegmentImageSource(image=SOURCE_IMAGE)).generated_masks or []
        images = [mask.mask for mask in masks]
    assert images and all(decoded(image).format == "PNG" for image in images)


def test_gemini_api_predict_answers_imagen_predictions_over_rest(media_server: MockGemServer) -> None:
    body = {"instances": [{"prompt": "a cat"}], "parameters": {"sampleCount": 2, "aspectRatio": "9:16"}}
    predictions = post(media_server, f"/v1beta/models/{IMAGEN}:predict", body)["predictions"]
    sizes = [Image.open(io.BytesIO(base64.b64decode(p["bytesBase64Encoded"]))).size for p in predictions]
    assert sizes == [(768, 1408)] * 2 and {p["mimeType"] for p in predictions} == {"image/png"}


def video_frames(data: bytes | None) -> list[av.VideoFrame]:
    assert data
    with av.open(io.BytesIO(data)) as container:
        return list(container.decode(video=0))


def test_generate_videos_operation_runs_then_holds_a_decodable_mp4(vertex: genai.Client) -> None:
    client = vertex
    operation = client.models.generate_videos(model=VEO, source=types.GenerateVideosSource(prompt="a dog"), config=types.GenerateVideosConfig(duration_seconds=2, aspect_ratio="9:16"))
    assert not operation.done and (operation.name or "").startswith(f"projects/test-project/locations/us-central1/publishers/google/models/{VEO}/operations/")
    done = client.operations.get(operation)
    assert done.done and done.result and done.result.generated_videos
    frames = video_frames(done.result.generated_videos[0].video.video_bytes)  # type: ignore[union-attr]
    assert len(frames) == 8 and (frames[0].width, frames[0].height) == (36, 64)


def test_generate_videos_stays_running_for_the_operation_duration(make_server: Callable[..., MockGemServer]) -> None:
    client = vertex_genai_client(make_server(operation_duration=3600))
    operation = client.models.generate_videos(model=VEO, source=types.GenerateVideosSource(prompt="a dog"))
    assert not client.operations.get(operation).done


def test_a_rule_fails_the_video_operation(vertex: genai.Client) -> None:
    client = vertex
    done = client.operations.get(client.models.generate_videos(model=VEO, source=types.GenerateVideosSource(prompt="this will fail")))
    assert done.done and done.error == {"code": 3, "message": "The prompt could not be used."}


def test_gemini_api_predict_long_running_names_a_downloadable_video_file(media_server: MockGemServer) -> None:
    started = post(media_server, f"/v1beta/models/{VEO}:predictLongRunning", {"instances": [{"prompt": "a short clip"}]})
    assert set(started) == {"name"} and started["name"].startswith(f"models/{VEO}/operations/")
    done = post(media_server, f"/v1beta/{started['name']}", method="GET")
    assert done["done"] is True and done["response"]["@type"].endswith("PredictLongRunningResponse")
    uri = done["response"]["generateVideoResponse"]["generatedSamples"][0]["video"]["uri"]
    google = "https://generativelanguage.googleapis.com"  # as the real API names it; a client sends it to its base URL
    assert uri.startswith(f"{google}/v1beta/files/") and uri.endswith(":download?alt=media")
    assert len(video_frames(post(media_server, uri.removeprefix(google), method="GET"))) == 4


def test_compute_tokens_lists_each_turns_tokens(vertex: genai.Client, media_server: MockGemServer) -> None:
    info = vertex.models.compute_tokens(model="gemini-2.5-flash", contents="hello world").tokens_info or []
    assert [(item.role, b"".join(item.tokens or []), len(item.token_ids or [])) for item in info] == [("user", b"hello world", 3)]
    assert media_server.requests.last is not None and media_server.requests.last.source == "builtin"


def test_tts_answers_24khz_pcm_that_wraps_as_wav(gemini: genai.Client) -> None:
    config = types.GenerateContentConfig(response_modalities=["AUDIO"], speech_config=types.SpeechConfig(voice_config=types.VoiceConfig(prebuilt_voice_config=types.PrebuiltVoiceConfig(voice_name="Kore"))))
    response = gemini.models.generate_content(model="gemini-2.5-flash-preview-tts", contents="Say hello", config=config)
    parts = response.candidates[0].content.parts  # type: ignore[index, union-attr]
    blob = parts[0].inline_data  # type: ignore[index]
    assert blob and blob.mime_type == "audio/L16;codec=pcm;rate=24000" and len(parts) == 1  # type: ignore[arg-type]
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(24000)
        writer.writeframes(blob.data or b"")
    with wave.open(io.BytesIO(buffer.getvalue())) as reader:
        assert reader.getnframes() > 0


def test_image_modality_answers_text_and_a_png(gemini: genai.Client) -> None:
    config = types.GenerateContentConfig(response_modalities=["TEXT", "IMAGE"], image_config=types.ImageConfig(aspect_ratio="16:9"))
    response = gemini.models.generate_content(model="gemini-2.5-flash-image", contents="Draw a cat", config=config)
    parts = response.candidates[0].content.parts or []  # type: ignore[index, union-attr]
    assert parts[0].text and parts[1].inline_data and parts[1].inline_data.mime_type == "image/png"
    assert Image.open(io.BytesIO(parts[1].inline_data.data or b"")).size == (1408, 768)


def test_a_rule_scripts_the_images_of_a_generate_answer(make_server: Callable[..., MockGemServer]) -> None:
    rules = {"rules": [{"match": {"contains": "logo"}, "reply": {"text": "Here it is.", "images": [{}, {}]}}]}
    client = genai_client(make_server(rules=rules))
    response = client.models.generate_content(model="gemini-2.5-flash-image", contents="a logo")
    parts = response.candidates[0].content.parts or []  # type: ignore[index, union-attr]
    assert [part.text or (part.inline_data.mime_type if part.inline_data else None) for part in parts] == ["Here it is.", "image/png", "image/png"]
