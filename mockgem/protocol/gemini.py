"""Gemini request models: validation as the real API does it, canonical camelCase out.

Both spellings of a field name are accepted at any depth (proto3 JSON); an unknown name is
rejected with the real message. Sub-objects that change often upstream (tools, schemas,
speech and image settings) are kept open so that a newer SDK is never refused.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

_BASE64 = re.compile(r"^[A-Za-z0-9+/_-]*={0,2}$")
INT32_RANGE = (-(2**31), 2**31 - 1)


def check_int32(value: int) -> int:
    """A proto `int32`: a number past its range is refused as the parser refuses a non-number."""
    if not INT32_RANGE[0] <= value <= INT32_RANGE[1]:
        raise PydanticCustomError("int_parsing", "Value out of range for int32")
    return value


Int32 = Annotated[int, AfterValidator(check_int32)]


class Wire(BaseModel):
    """A strict API message: camelCase or snake_case in, unknown names refused."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True
    )


class OpenWire(Wire):
    """An API message whose newer fields mockgem may not know yet: kept, never refused."""

    model_config = ConfigDict(extra="allow")


def check_base64(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        if not _BASE64.match(value):
            raise ValueError
        base64.urlsafe_b64decode(value.replace("+", "-").replace("/", "_") + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise ValueError(f'Base64 decoding failed for "{value[:64]}"') from None
    return value


def enum_check(name: str, values: str) -> Callable[[object], object]:
    """A validator for the proto enum `name` (its full name under the API package), whose value
    names are the words of `values`.

    A value name passes in any case (the real API answered `"mode": "none"` with 200), and so
    does a number (proto3 JSON); anything else gets the real "Invalid value at" error.
    """
    names = frozenset(values.split())

    def check(value: object) -> object:
        if isinstance(value, str) and value.upper() in names:
            return value
        if isinstance(value, int) and not isinstance(value, bool) and INT32_RANGE[0] <= value <= INT32_RANGE[1]:
            return value
        raise PydanticCustomError("enum_value", "Invalid enum value", {"enum": name})

    return check


# Value sets from Google's v1beta OpenAPI schema (revision 20251006), plus the values the
# google-genai SDK knows for Vertex AI (image categories, jailbreak): the same models serve
# both surfaces here, and refusing a value a real endpoint takes would be worse than accepting one.
HarmCategory = Annotated[str | int, BeforeValidator(enum_check("HarmCategory", """
    HARM_CATEGORY_UNSPECIFIED HARM_CATEGORY_DEROGATORY HARM_CATEGORY_TOXICITY HARM_CATEGORY_VIOLENCE
    HARM_CATEGORY_SEXUAL HARM_CATEGORY_MEDICAL HARM_CATEGORY_DANGEROUS HARM_CATEGORY_HARASSMENT
    HARM_CATEGORY_HATE_SPEECH HARM_CATEGORY_SEXUALLY_EXPLICIT HARM_CATEGORY_DANGEROUS_CONTENT
    HARM_CATEGORY_CIVIC_INTEGRITY HARM_CATEGORY_JAILBREAK HARM_CATEGORY_IMAGE_HATE
    HARM_CATEGORY_IMAGE_DANGEROUS_CONTENT HARM_CATEGORY_IMAGE_HARASSMENT HARM_CATEGORY_IMAGE_SEXUALLY_EXPLICIT"""))]
HarmBlockThreshold = Annotated[str | int, BeforeValidator(enum_check("SafetySetting.HarmBlockThreshold", """
    HARM_BLOCK_THRESHOLD_UNSPECIFIED BLOCK_LOW_AND_ABOVE BLOCK_MEDIUM_AND_ABOVE BLOCK_ONLY_HIGH
    BLOCK_NONE OFF"""))]
Modality = Annotated[str | int, BeforeValidator(enum_check(
    "GenerationConfig.Modality", "MODALITY_UNSPECIFIED TEXT IMAGE AUDIO"))]
MediaResolution = Annotated[str | int, BeforeValidator(enum_check("GenerationConfig.MediaResolution", """
    MEDIA_RESOLUTION_UNSPECIFIED MEDIA_RESOLUTION_LOW MEDIA_RESOLUTION_MEDIUM MEDIA_RESOLUTION_HIGH"""))]
FunctionCallingMode = Annotated[str | int, BeforeValidator(enum_check(
    "FunctionCallingConfig.Mode", "MODE_UNSPECIFIED AUTO ANY NONE VALIDATED"))]
TaskType = Annotated[str | int, BeforeValidator(enum_check("TaskType", """
    TASK_TYPE_UNSPECIFIED RETRIEVAL_QUERY RETRIEVAL_DOCUMENT SEMANTIC_SIMILARITY CLASSIFICATION
    CLUSTERING QUESTION_ANSWERING FACT_VERIFICATION CODE_RETRIEVAL_QUERY"""))]


class Blob(Wire):
    mime_type: str = ""
    data: str = ""
    display_name: str | None = None

    _check_data = field_validator("data")(check_base64)


class FileData(Wire):
    mime_type: str | None = None
    file_uri: str = ""
    display_name: str | None = None


class FunctionCall(Wire):
    id: str | None = None
    name: str = ""
    args: dict[str, Any] | None = None
    partial_args: list[dict[str, Any]] | None = None
    will_continue: bool | None = None


class FunctionResponse(Wire):
    id: str | None = None
    name: str = ""
    response: dict[str, Any] | None = None
    parts: list[dict[str, Any]] | None = None
    will_continue: bool | None = None
    scheduling: str | None = None


class Part(Wire):
    text: str | None = None
    inline_data: Blob | None = None
    file_data: FileData | None = None
    function_call: FunctionCall | None = None
    function_response: FunctionResponse | None = None
    executable_code: dict[str, Any] | None = None
    code_execution_result: dict[str, Any] | None = None
    video_metadata: dict[str, Any] | None = None
    media_resolution: dict[str, Any] | str | None = None
    thought: bool | None = None
    thought_signature: str | None = None
    part_metadata: dict[str, Any] | None = None
    # Server-side tool turns (file search, built-in tools) that real traffic sends back.
    tool_call: dict[str, Any] | None = None
    tool_response: dict[str, Any] | None = None

    _check_signature = field_validator("thought_signature")(check_base64)


class Content(Wire):
    parts: list[Part] = Field(default_factory=list)
    role: str | None = None


class ThinkingConfig(Wire):
    include_thoughts: bool | None = None
    thinking_budget: Int32 | None = None
    # Not in the v1beta schema this was checked against, so its values are not checked.
    thinking_level: str | None = None


class SafetySetting(OpenWire):
    category: HarmCategory | None = None
    threshold: HarmBlockThreshold | None = None


class FunctionCallingConfig(OpenWire):
    mode: FunctionCallingMode | None = None


class ToolConfig(OpenWire):
    function_calling_config: FunctionCallingConfig | None = None


class GenerationConfig(Wire):
    candidate_count: Int32 | None = None
    stop_sequences: list[str] | None = None
    max_output_tokens: Int32 | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: float | None = None
    seed: Int32 | None = None
    response_mime_type: str | None = None
    response_schema: dict[str, Any] | None = None
    response_json_schema: Any = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    response_logprobs: bool | None = None
    logprobs: Int32 | None = None
    enable_enhanced_civic_answers: bool | None = None
    response_modalities: list[Modality] | None = None
    speech_config: dict[str, Any] | None = None
    thinking_config: ThinkingConfig | None = None
    image_config: dict[str, Any] | None = None
    media_resolution: MediaResolution | None = None
    audio_timestamp: bool | None = None
    routing_config: dict[str, Any] | None = None
    model_selection_config: dict[str, Any] | None = None
    enable_affective_dialog: bool | None = None


class GenerateContentRequest(Wire):
    model: str | None = None
    contents: list[Content] = Field(default_factory=list)
    system_instruction: Content | None = None
    # The real API also takes a single Tool where the schema says a list (proto3 JSON leniency).
    tools: list[dict[str, Any]] | dict[str, Any] | None = None
    tool_config: ToolConfig | None = None
    safety_settings: list[SafetySetting] | None = None
    generation_config: GenerationConfig | None = None
    cached_content: str | None = None
    model_armor_config: dict[str, Any] | None = None
    labels: dict[str, str] | None = None
    service_tier: str | None = None
    store: bool | None = None


class CountTokensRequest(Wire):
    contents: list[Content] | None = None
    generate_content_request: GenerateContentRequest | None = None
    # Vertex sends these top-level instead of a wrapped request.
    system_instruction: Content | None = None
    tools: list[dict[str, Any]] | None = None
    generation_config: GenerationConfig | None = None
    model: str | None = None


class EmbedContentRequest(Wire):
    model: str | None = None
    content: Content
    task_type: TaskType | None = None
    title: str | None = None
    output_dimensionality: Int32 | None = None
    auto_truncate: bool | None = None


class BatchEmbedContentsRequest(Wire):
    requests: list[EmbedContentRequest]


class CachedContent(Wire):
    """The body of a cache create or update; output-only fields are taken and ignored."""

    model: str | None = None
    name: str | None = None
    display_name: str | None = None
    contents: list[Content] | None = None
    system_instruction: Content | None = None
    tools: list[dict[str, Any]] | dict[str, Any] | None = None
    tool_config: ToolConfig | None = None
    ttl: Any = None
    expire_time: Any = None
    create_time: Any = None
    update_time: Any = None
    usage_metadata: Any = None
    encryption_spec: dict[str, Any] | None = None  # Vertex AI


class InlinedRequest(Wire):
    request: GenerateContentRequest
    metadata: dict[str, Any] | None = None


class InlinedRequests(Wire):
    requests: list[InlinedRequest] = Field(default_factory=list)


class BatchInputConfig(Wire):
    file_name: str | None = None
    requests: InlinedRequests | None = None


class GenerateContentBatch(Wire):
    model: str | None = None
    display_name: str | None = None
    input_config: BatchInputConfig | None = None
    priority: Any = None
    name: Any = None
    output: Any = None
    create_time: Any = None
    end_time: Any = None
    update_time: Any = None
    batch_stats: Any = None
    state: Any = None


class BatchGenerateContentRequest(Wire):
    batch: GenerateContentBatch | None = None


class PredictRequest(Wire):
    """Vertex `:predict` for text-embedding models."""

    instances: list[dict[str, Any]]
    parameters: dict[str, Any] | None = None


REQUEST_MODELS: dict[str, type[Wire]] = {
    "generateContent": GenerateContentRequest,
    "streamGenerateContent": GenerateContentRequest,
    "countTokens": CountTokensRequest,
    "embedContent": EmbedContentRequest,
    "batchEmbedContents": BatchEmbedContentsRequest,
    "predict": PredictRequest,
    "cachedContents.create": CachedContent,
    "cachedContents.patch": CachedContent,
    "batchGenerateContent": BatchGenerateContentRequest,
}
# Methods whose HTTP body is one field of the request message: Google's paths start with it.
BODY_FIELDS: dict[str, str] = {"cachedContents.create": "cached_content", "cachedContents.patch": "cached_content"}
