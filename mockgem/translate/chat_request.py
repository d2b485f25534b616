"""An OpenAI chat-completions request -> the GenerateContentRequest Gemini's compat layer makes.

Field names follow the Gemini docs (https://ai.google.dev/gemini-api/docs/openai) and the wire
reference §7. Fields the layer does not know are refused as its proto parser refuses them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mockgem._types import JSONDict
from mockgem.protocol.casing import camel_keys
from mockgem.translate.chat_messages import to_contents
from mockgem.translate.rejections import invalid_argument, unknown_field

# OpenAI fields the real layer accepts without any Gemini counterpart. A recorded request with
# `parallel_tool_calls` and `stream_options` got a 200 (corpus: magentic); the rest is UNVERIFIED,
# chosen because the openai SDK and common frameworks send them. Deprecated `functions` and
# `function_call` are refused (UNVERIFIED).
IGNORED_FIELDS = frozenset(
    {
        "stream_options", "user", "metadata", "store", "logprobs", "top_logprobs",
        "parallel_tool_calls", "service_tier", "logit_bias", "prediction", "web_search_options",
        "prompt_cache_key", "prompt_cache_retention", "prompt_cache_options", "safety_identifier",
        "verbosity", "moderation",
    }
)  # fmt: skip
MAPPED_FIELDS = frozenset(
    {
        "model", "messages", "stream", "tools", "tool_choice", "response_format", "reasoning_effort",
        "max_tokens", "max_completion_tokens", "temperature", "top_p", "n", "stop", "seed",
        "presence_penalty", "frequency_penalty", "modalities", "audio", "extra_body", "google",
    }
)  # fmt: skip
GOOGLE_FIELDS = frozenset({"thinkingConfig", "cachedContent", "thoughtTagMarker", "safetySettings"})
THINKING_FIELDS = frozenset({"includeThoughts", "thinkingBudget", "thinkingLevel"})
THINKING_BUDGETS = {"none": 0, "minimal": 1024, "low": 1024, "medium": 8192, "high": 24576}
THINKING_LEVELS = {"none": "low", "minimal": "low", "low": "low", "medium": "high", "high": "high"}
PLAIN_SETTINGS = {
    "temperature": "temperature",
    "top_p": "topP",
    "n": "candidateCount",
    "seed": "seed",
    "presence_penalty": "presencePenalty",
    "frequency_penalty": "frequencyPenalty",
}
TOOL_MODES = {"auto": "AUTO", "none": "NONE", "required": "ANY"}
MODEL_PREFIXES = ("models/", "google/")


@dataclass(frozen=True, slots=True)
class ChatOptions:
    """What the response side needs to know about the request."""

    model: str
    stream: bool = False
    include_usage: bool = False
    n: int = 1
    include_thoughts: bool = False
    thought_tag: str | None = "thought"


@dataclass(frozen=True, slots=True)
class ChatTranslation:
    model: str
    request: JSONDict
    options: ChatOptions


def to_generate_request(chat: JSONDict, *, default_thought_tag: str | None = "thought") -> ChatTranslation:
    """The Gemini model id, GenerateContentRequest and response options for an OpenAI chat request.

    `default_thought_tag` wraps thought summaries when the client names no `thought_tag_marker`:
    `"thought"` as the Gemini API does, None (untagged) for Vertex AI (UNVERIFIED, from reports).
    """
    _check_fields(chat)
    model = model_id(chat.get("model"))
    google = google_extras(chat)
    request = _contents(chat.get("messages"))
    request.update(_tooling(chat))
    config = _generation_config(chat, model, google)
    if config:
        request["generationConfig"] = config
    request.update({key: google[key] for key in ("safetySettings", "cachedContent") if key in google})
    return ChatTranslation(model, request, _options(chat, config, google, default_thought_tag))


def model_id(model: Any) -> str:
    """`gemini-2.5-flash` for `gemini-2.5-flash`, `models/gemini-2.5-flash` or `google/gemini-2.5-flash`."""
    if not isinstance(model, str) or not model:
        raise invalid_argument("model is required.")
    name: str = model
    for prefix in MODEL_PREFIXES:
        name = name.removeprefix(prefix)
    return name


def google_extras(chat: JSONDict) -> JSONDict:
    """The `google` block, from the top level or from a literal `extra_body` key, camelCased."""
    extra_body = json_object(chat.get("extra_body"), "extra_body")
    for key in extra_body:
        if key != "google":
            raise unknown_field(key, "extra_body")
    given = {**json_object(extra_body.get("google"), "google"), **json_object(chat.get("google"), "google")}
    google = camel_keys(given)
    for key in google:
        if key not in GOOGLE_FIELDS:
            raise unknown_field(key, "google")
    for key in json_object(google.get("thinkingConfig"), "google.thinking_config"):
        if key not in THINKING_FIELDS:
            raise unknown_field(key, "google.thinking_config")
    return dict(google)


def json_object(value: Any, name: str) -> JSONDict:
    """`value` if it is a JSON object, `{}` if unset; anything else gets the 400."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid_argument(f"{name} must be an object.")
    return value


def _check_fields(chat: JSONDict) -> None:
    for key in chat:
        if key not in MAPPED_FIELDS and key not in IGNORED_FIELDS:
            raise unknown_field(key)


def _contents(messages: Any) -> JSONDict:
    if not isinstance(messages, list) or not messages:
        raise invalid_argument("messages must be a non-empty list.")
    system, contents = to_contents(messages)
    request: JSONDict = {"contents": contents}
    if system:
        request["systemInstruction"] = system
    return request


def _tooling(chat: JSONDict) -> JSONDict:
    result: JSONDict = {}
    if tools := chat.get("tools"):
        listed = tools if isinstance(tools, list) else [tools]
        result["tools"] = [{"functionDeclarations": [_declaration(tool) for tool in listed]}]
    if chat.get("tool_choice") is not None:
        result["toolConfig"] = {"functionCallingConfig": _calling_config(chat["tool_choice"])}
    return result


def _declaration(tool: Any) -> JSONDict:
    function = tool.get("function") if isinstance(tool, dict) and tool.get("type") == "function" else None
    if not isinstance(function, dict) or not function.get("name"):
        raise invalid_argument("Each tool needs type function and function.name.")
    declaration: JSONDict = {"name": function["name"]}
    if function.get("description"):
        declaration["description"] = function["description"]
    # parametersJsonSchema takes full JSON Schema ($defs, additionalProperties) as pydantic writes it.
    if function.get("parameters"):
        declaration["parametersJsonSchema"] = function["parameters"]
    return declaration


def _calling_config(choice: Any) -> JSONDict:
    if isinstance(choice, str) and choice in TOOL_MODES:
        return {"mode": TOOL_MODES[choice]}
    if isinstance(choice, dict) and choice.get("type") == "function":
        name = json_object(choice.get("function"), "tool_choice.function").get("name")
        if isinstance(name, str) and name:
            return {"mode": "ANY", "allowedFunctionNames": [name]}
    if isinstance(choice, dict) and choice.get("type") == "allowed_tools":
        allowed = json_object(choice.get("allowed_tools"), "tool_choice.allowed_tools")
        return {"mode": TOOL_MODES.get(str(allowed.get("mode", "auto")), "AUTO"), "allowedFunctionNames": _allowed_names(allowed)}
    raise invalid_argument("tool_choice must be auto, none, required or a named function.")


def _allowed_names(allowed: JSONDict) -> list[Any]:
    tools = allowed.get("tools") or []
    where = "tool_choice.allowed_tools.tools[]"
    listed = tools if isinstance(tools, list) else [tools]
    return [json_object(json_object(tool, where).get("function"), f"{where}.function").get("name") for tool in listed]


def _generation_config(chat: JSONDict, model: str, google: JSONDict) -> JSONDict:
    config: JSONDict = {to: chat[key] for key, to in PLAIN_SETTINGS.items() if chat.get(key) is not None}
    max_tokens = chat.get("max_completion_tokens", chat.get("max_tokens"))
    if max_tokens is not None:
        config["maxOutputTokens"] = max_tokens
    stop = chat.get("stop")
    if stop:
        config["stopSequences"] = stop if isinstance(stop, list) else [stop]
    config.update(_response_format(chat.get("response_format")))
    config.update(_modalities(chat))
    thinking = _thinking_config(chat.get("reasoning_effort"), model, google.get("thinkingConfig") or {})
    if thinking:
        config["thinkingConfig"] = thinking
    return config


def _response_format(response_format: Any) -> JSONDict:
    given = response_format if isinstance(response_format, dict) else {"type": response_format}
    kind = given.get("type")
    if kind in (None, "text"):
        return {}
    if kind == "json_object":
        return {"responseMimeType": "application/json"}
    if kind == "json_schema":
        schema = json_object(given.get("json_schema"), "response_format.json_schema").get("schema")
        # responseJsonSchema, not responseSchema: it takes the $defs and $ref that
        # beta.chat.completions.parse sends for pydantic models.
        return {"responseMimeType": "application/json", **({"responseJsonSchema": schema} if schema else {})}
    raise invalid_argument("response_format.type must be text, json_object or json_schema.")


def _modalities(chat: JSONDict) -> JSONDict:
    result: JSONDict = {}
    if modalities := chat.get("modalities"):
        if not isinstance(modalities, list):
            raise invalid_argument("modalities must be a list.")
        result["responseModalities"] = [str(m).upper() for m in modalities]
    voice = json_object(chat.get("audio"), "audio").get("voice")
    if voice:
        result["speechConfig"] = {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": voice}}}
    return result


def _thinking_config(effort: Any, model: str, given: JSONDict) -> JSONDict:
    if effort is None:
        return dict(given)
    if "thinkingBudget" in given or "thinkingLevel" in given:
        # The docs: reasoning_effort and thinking_budget overlap and cannot be used together.
        raise invalid_argument()
    if not isinstance(effort, str) or effort not in THINKING_BUDGETS:
        raise invalid_argument()
    if model.startswith("gemini-3"):
        return {**given, "thinkingLevel": THINKING_LEVELS[effort]}
    return {**given, "thinkingBudget": THINKING_BUDGETS[effort]}


def _options(chat: JSONDict, config: JSONDict, google: JSONDict, default_tag: str | None) -> ChatOptions:
    stream_options = json_object(chat.get("stream_options"), "stream_options")
    n = chat.get("n")
    marker = google.get("thoughtTagMarker")
    return ChatOptions(
        model=str(chat["model"]),
        stream=bool(chat.get("stream")),
        include_usage=bool(stream_options.get("include_usage")),
        n=n if isinstance(n, int) and n else 1,  # any other `n` is refused as candidateCount
        include_thoughts=bool((config.get("thinkingConfig") or {}).get("includeThoughts")),
        thought_tag=marker if isinstance(marker, str) and marker else default_tag,
    )
