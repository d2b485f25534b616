"""The built-in catalog of current Gemini models, with the limits the real API lists."""

from __future__ import annotations

from dataclasses import dataclass

from mockgem._types import JSONDict

_GENERATE = ("generateContent", "countTokens", "createCachedContent", "batchGenerateContent")
_EMBED = ("embedContent", "countTextTokens", "countTokens", "asyncBatchEmbedContent")
_IMAGE = ("predict",)
_VIDEO = ("predictLongRunning",)


@dataclass(frozen=True, slots=True)
class ModelInfo:
    id: str
    display_name: str
    description: str
    input_limit: int = 1_048_576
    output_limit: int = 65_536
    methods: tuple[str, ...] = _GENERATE
    thinking: bool = True
    version: str = "001"
    temperature: float | None = 1.0
    max_temperature: float | None = 2.0
    embedding_size: int = 0

    @property
    def is_embedding(self) -> bool:
        return self.embedding_size > 0

    @property
    def makes_images(self) -> bool:
        return self.methods == _IMAGE

    @property
    def makes_videos(self) -> bool:
        return self.methods == _VIDEO

    @property
    def family(self) -> str:
        """`2.0`, `2.5` or `3` (thinking budgets vs thinking levels differ between them)."""
        for family in ("2.0", "2.5"):
            if f"-{family}-" in self.id:
                return family
        return "3" if self.thinking else "2.0"

    def to_json(self) -> JSONDict:
        body: JSONDict = {
            "name": f"models/{self.id}",
            "version": self.version,
            "displayName": self.display_name,
            "description": self.description,
            "inputTokenLimit": self.input_limit,
            "outputTokenLimit": self.output_limit,
            "supportedGenerationMethods": list(self.methods),
        }
        if not self.is_embedding and not self.makes_images and not self.makes_videos:
            body.update(temperature=self.temperature, topP=0.95, topK=64, maxTemperature=self.max_temperature)
            if self.thinking:
                body["thinking"] = True
        return body


def _chat(model_id: str, name: str, description: str, *, thinking: bool = True, output: int = 65_536) -> ModelInfo:
    return ModelInfo(model_id, name, description, output_limit=output, thinking=thinking)


def _embedding(model_id: str, name: str, size: int, input_limit: int = 2048) -> ModelInfo:
    return ModelInfo(
        model_id, name, f"{name}: text embeddings", input_limit=input_limit, output_limit=1,
        methods=_EMBED, thinking=False, temperature=None, max_temperature=None, embedding_size=size,
    )


def _media(model_id: str, name: str, methods: tuple[str, ...]) -> ModelInfo:
    return ModelInfo(
        model_id, name, name, input_limit=480, output_limit=8192, methods=methods, thinking=False,
        temperature=None, max_temperature=None,
    )


MODELS: tuple[ModelInfo, ...] = (
    _chat("gemini-2.0-flash", "Gemini 2.0 Flash", "Gemini 2.0 Flash", thinking=False, output=8192),
    _chat("gemini-2.0-flash-001", "Gemini 2.0 Flash 001", "Stable version of Gemini 2.0 Flash", thinking=False, output=8192),
    _chat("gemini-2.0-flash-lite", "Gemini 2.0 Flash-Lite", "Gemini 2.0 Flash-Lite", thinking=False, output=8192),
    _chat("gemini-2.5-flash", "Gemini 2.5 Flash", "Stable version of Gemini 2.5 Flash, our mid-size multimodal model that supports up to 1 million tokens"),
    _chat("gemini-2.5-flash-lite", "Gemini 2.5 Flash-Lite", "Stable version of Gemini 2.5 Flash-Lite"),
    _chat("gemini-2.5-pro", "Gemini 2.5 Pro", "Stable release of Gemini 2.5 Pro"),
    _chat("gemini-2.5-flash-image", "Nano Banana", "Gemini 2.5 Flash Image", thinking=False, output=32_768),
    _chat("gemini-3-flash-preview", "Gemini 3 Flash Preview", "Gemini 3 Flash Preview"),
    _chat("gemini-3-pro-preview", "Gemini 3 Pro Preview", "Gemini 3 Pro Preview"),
    _chat("gemini-3.1-flash-lite-preview", "Gemini 3.1 Flash-Lite Preview", "Gemini 3.1 Flash-Lite Preview"),
    _chat("gemini-3.5-flash", "Gemini 3.5 Flash", "Gemini 3.5 Flash"),
    _chat("gemini-flash-latest", "Gemini Flash Latest", "Latest release of Gemini Flash"),
    _chat("gemini-flash-lite-latest", "Gemini Flash-Lite Latest", "Latest release of Gemini Flash-Lite"),
    _chat("gemini-pro-latest", "Gemini Pro Latest", "Latest release of Gemini Pro"),
    _chat("gemini-2.5-flash-preview-tts", "Gemini 2.5 Flash Preview TTS", "Gemini 2.5 Flash Preview TTS", thinking=False, output=16_384),
    _chat("gemini-2.5-pro-preview-tts", "Gemini 2.5 Pro Preview TTS", "Gemini 2.5 Pro Preview TTS", thinking=False, output=16_384),
    _media("imagen-4.0-generate-001", "Imagen 4", _IMAGE),
    _media("imagen-4.0-fast-generate-001", "Imagen 4 Fast", _IMAGE),
    _media("imagen-4.0-ultra-generate-001", "Imagen 4 Ultra", _IMAGE),
    _media("imagen-3.0-generate-002", "Imagen 3.0", _IMAGE),
    _media("imagen-3.0-capability-001", "Imagen 3 Capability (Vertex AI editing)", _IMAGE),
    _media("imagen-4.0-upscale-preview", "Imagen 4 Upscale (Vertex AI)", _IMAGE),
    _media("imagen-product-recontext-preview-06-30", "Imagen Product Recontext (Vertex AI)", _IMAGE),
    _media("image-segmentation-001", "Image Segmentation (Vertex AI)", _IMAGE),
    _media("veo-2.0-generate-001", "Veo 2", _VIDEO),
    _media("veo-3.0-generate-001", "Veo 3", _VIDEO),
    _media("veo-3.0-fast-generate-001", "Veo 3 fast", _VIDEO),
    _media("veo-3.1-generate-preview", "Veo 3.1", _VIDEO),
    _media("veo-3.1-fast-generate-preview", "Veo 3.1 fast", _VIDEO),
    _embedding("gemini-embedding-001", "Gemini Embedding 001", 3072),
    _embedding("gemini-embedding-2", "Gemini Embedding 2", 3072, input_limit=8192),
    _embedding("text-embedding-004", "Text Embedding 004", 768),
    _embedding("text-embedding-005", "Text Embedding 005", 768),
)
_BY_ID = {model.id: model for model in MODELS}


def bare_model_id(name: str) -> str:
    """`models/x`, `publishers/google/models/x`, `google/x` -> `x`."""
    return name.rsplit("/", 1)[-1]


def find_model(name: str) -> ModelInfo | None:
    return _BY_ID.get(bare_model_id(name))
