"""Raw HTTP: SSE framing, the JSON-array stream, and every error shape (wire reference §9)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from mockgem import Config, create_app
from mockgem.protocol.calls import ApiRequest
from mockgem.server.keys import SOURCE
from mockgem.sources.base import Answer, FunctionSource, Miss
from mockgem.sse import ARRAY_END, encode_array_item, parse_json_array
from tests.conftest import EXAMPLE_RULES

GENERATE = "/v1beta/models/gemini-2.5-flash:generateContent"
STREAM = "/v1beta/models/gemini-2.5-flash:streamGenerateContent"
KEY = {"x-goog-api-key": "k"}
HELLO = {"contents": [{"parts": [{"text": "tell me a long story"}], "role": "user"}]}


@pytest.fixture
async def http(aiohttp_client: Any) -> TestClient:
    return await aiohttp_client(create_app(Config(rules=(EXAMPLE_RULES,), max_body=4096, api_keys=())))


async def error_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status == status
    assert response.content_type == "application/json"
    body = await response.json()
    error = (body[0] if isinstance(body, list) else body)["error"]
    assert error["code"] == status
    return error


async def test_sse_stream_is_framed_as_google_does(http: TestClient) -> None:
    response = await http.post(STREAM + "?alt=sse", json=HELLO, headers=KEY)
    assert response.status == 200 and response.content_type == "text/event-stream"
    raw = await response.read()
    events = raw.split(b"\r\n\r\n")
    assert events[-1] == b"" and len(events) == 6
    assert all(e.startswith(b"data: {") and b"\n" not in e for e in events[:-1])
    assert b"[DONE]" not in raw and b"event:" not in raw
    chunks = [json.loads(e[6:]) for e in events[:-1]]
    assert len({c["responseId"] for c in chunks}) == 1
    assert ["finishReason" in c["candidates"][0] for c in chunks] == [False] * 4 + [True]
    assert all("usageMetadata" in c and "modelVersion" in c for c in chunks)


async def test_stream_without_alt_is_one_json_array(http: TestClient) -> None:
    response = await http.post(STREAM, json=HELLO, headers=KEY)
    assert response.content_type == "application/json"
    chunks = json.loads(await response.read())
    assert isinstance(chunks, list) and len(chunks) == 5


async def test_stream_without_alt_has_googles_exact_array_bytes(http: TestClient) -> None:
    raw = await (await http.post(STREAM, json=HELLO, headers=KEY)).read()
    assert raw.startswith(b"[{\n") and raw.endswith(b"}\n]") and b"}]" not in raw
    elements = raw[1:-2].split(b"\n,\r\n")
    assert len(elements) == 5 and all(b"\r" not in element for element in elements)
    assert [json.loads(element) for element in elements] == json.loads(raw)
    assert elements[0].startswith(b'{\n  "candidates": [\n')


@pytest.mark.parametrize("fault", ["error-at=1:500", "malformed-at=1"])
async def test_array_stream_fault_keeps_googles_separator(http: TestClient, fault: str) -> None:
    raw = await (await http.post(STREAM, json=HELLO, headers={**KEY, "X-Mockgem-Fault": fault})).read()
    first, _, rest = raw.partition(b"\n,\r\n")
    assert json.loads(first[1:]) and rest.startswith(b"{\n") and b"\r" not in rest


def test_parse_json_array_reads_both_framings() -> None:
    chunks = [{"candidates": [{"index": 0}]}, {"usageMetadata": {"totalTokenCount": 2}}]
    google = b"".join(encode_array_item(chunk, index) for index, chunk in enumerate(chunks)) + ARRAY_END
    older = ("[" + ",\r\n".join(json.dumps(chunk, indent=2).replace("\n", "\r\n") for chunk in chunks) + "]").encode()
    assert parse_json_array(google) == parse_json_array(older) == chunks


async def test_line_separators_are_escaped_in_sse(aiohttp_client: Any) -> None:
    http = await aiohttp_client(create_app(Config(rules=({"rules": [{"reply": {"text": "a\u2028b\u2029c\u0085"}}]},))))
    raw = await (await http.post(STREAM + "?alt=sse", json=HELLO, headers=KEY)).read()
    assert "\u2028".encode() not in raw and b"\\u2028" in raw


@pytest.mark.parametrize(
    ("headers", "query"),
    [({"x-goog-api-key": "k"}, ""), ({}, "?key=k"), ({"Authorization": "Bearer k"}, "")],
)
async def test_every_key_form_is_accepted(http: TestClient, headers: dict[str, str], query: str) -> None:
    assert (await http.post(GENERATE + query, json=HELLO, headers=headers)).status == 200


async def test_missing_key_is_permission_denied(http: TestClient) -> None:
    error = await error_of(await http.post(GENERATE, json=HELLO), 403)
    assert error["status"] == "PERMISSION_DENIED" and "unregistered callers" in error["message"]


async def test_only_listed_keys_with_api_key(aiohttp_client: Any) -> None:
    http = await aiohttp_client(create_app(Config(api_keys=("good",))))
    assert (await http.post(GENERATE, json=HELLO, headers={"x-goog-api-key": "good"})).status == 200
    error = await error_of(await http.post(GENERATE, json=HELLO, headers={"x-goog-api-key": "bad"}), 400)
    assert error["message"] == "API key not valid. Please pass a valid API key."
    assert error["details"][0]["reason"] == "API_KEY_INVALID"


async def test_vertex_without_credentials_is_unauthenticated(http: TestClient) -> None:
    path = "/v1beta1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent"
    error = await error_of(await http.post(path, json=HELLO), 401)
    assert error["status"] == "UNAUTHENTICATED"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "Invalid JSON payload received. Unexpected token."),
        (b'{"contents": [], "bogus": 1}', 'Unknown name "bogus": Cannot find field.'),
        (
            b'{"contents": [{"parts": [{"text": "a", "colour": 1}]}]}',
            "Unknown name \"colour\" at 'contents[0].parts[0]': Cannot find field.",
        ),
        (
            b'{"contents": [{"parts": [{"inline_data": {"mime_type": "image/png", "data": "not base64!!"}}]}]}',
            "Invalid value at 'contents[0].parts[0].inline_data.data' (TYPE_BYTES)",
        ),
        (b'{"contents": [{"parts": [{"text": "a"}]}], "generationConfig": {"temperature": "hot"}}', "(TYPE_FLOAT)"),
        (b"{}", "contents is not specified"),
    ],
)
async def test_bad_requests_get_the_real_invalid_argument(http: TestClient, body: bytes, message: str) -> None:
    error = await error_of(await http.post(GENERATE, data=body, headers=KEY), 400)
    assert error["status"] == "INVALID_ARGUMENT" and message in error["message"]


async def test_snake_case_request_is_accepted(http: TestClient) -> None:
    body = {"contents": [{"parts": [{"text": "weather"}]}], "generation_config": {"thinking_config": {"include_thoughts": True}, "max_output_tokens": 50}}
    answer = await (await http.post(GENERATE, json=body, headers=KEY)).json()
    assert "usageMetadata" in answer and "usage_metadata" not in answer


async def test_body_over_the_limit(http: TestClient) -> None:
    error = await error_of(await http.post(GENERATE, data=b"x" * 5000, headers=KEY), 400)
    assert error["message"] == "Request payload size exceeds the limit: 4096 bytes."


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", GENERATE), ("POST", "/v1beta/nothing/here"), ("GET", "/"), ("DELETE", "/v1beta/models")],
)
async def test_unknown_method_or_path_is_a_json_404(http: TestClient, method: str, path: str) -> None:
    error = await error_of(await http.request(method, path, headers=KEY), 404)
    assert error["status"] == "NOT_FOUND"


async def test_stream_errors_are_a_list_without_alt(http: TestClient) -> None:
    response = await http.post(STREAM, json={"contents": [{"parts": [{"text": "quota"}]}]}, headers=KEY)
    body = await response.json()
    assert response.status == 429 and body[0]["error"]["status"] == "RESOURCE_EXHAUSTED"
    sse = await http.post(STREAM + "?alt=sse", json={"contents": [{"parts": [{"text": "quota"}]}]}, headers=KEY)
    assert sse.status == 429 and "error" in await sse.json()


async def test_unexpected_failure_is_a_500_envelope_never_a_traceback(aiohttp_client: Any) -> None:
    async def explode(request: ApiRequest) -> Answer | Miss:
        raise RuntimeError("boom")

    app = create_app(Config())
    app[SOURCE] = FunctionSource(explode)
    http = await aiohttp_client(app)
    error = await error_of(await http.post(GENERATE, json=HELLO, headers=KEY), 500)
    assert error["status"] == "INTERNAL" and "boom" not in error["message"] and "Traceback" not in error["message"]


async def test_base_url_path_prefix_is_kept(http: TestClient) -> None:
    assert (await http.post("/some/prefix" + GENERATE, json=HELLO, headers=KEY)).status == 200


async def test_health(http: TestClient) -> None:
    response = await http.get("/_mockgem/health")
    assert response.status == 200 and (await response.json())["status"] == "ok"


async def test_count_tokens_generate_content_request_form(http: TestClient) -> None:
    path = "/v1beta/models/gemini-2.5-flash:countTokens"
    plain = await (await http.post(path, json=HELLO, headers=KEY)).json()
    wrapped = await (await http.post(path, json={"generateContentRequest": {"model": "models/gemini-2.5-flash", **HELLO}}, headers=KEY)).json()
    assert plain["totalTokens"] == wrapped["totalTokens"] > 0


async def test_embed_content_single(http: TestClient) -> None:
    path = "/v1beta/models/gemini-embedding-001:embedContent"
    body = {"content": {"parts": [{"text": "a"}]}, "outputDimensionality": 3}
    answer = await (await http.post(path, json=body, headers=KEY)).json()
    assert len(answer["embedding"]["values"]) == 3


async def test_a_miss_is_a_4xx_and_logged_once(aiohttp_client: Any, caplog: pytest.LogCaptureFixture) -> None:
    async def nothing(request: ApiRequest) -> Answer | Miss:
        return Miss("closest recording: none")

    app = create_app(Config())
    app[SOURCE] = FunctionSource(nothing)
    http = await aiohttp_client(app)
    error = await error_of(await http.post(GENERATE, json=HELLO, headers=KEY), 400)
    assert "closest recording: none" in error["message"]
    assert [r.getMessage() for r in caplog.records if "no answer" in r.getMessage()] == [
        f"no answer for POST {GENERATE}: closest recording: none"
    ]


async def test_a_turn_without_role_replays_a_recording_made_with_role_user(aiohttp_client: Any) -> None:
    cassettes = EXAMPLE_RULES.parent / "cassettes"
    http = await aiohttp_client(create_app(Config(cassette_dir=cassettes)))
    body = {"contents": [{"parts": [{"text": "What is the capital of France?"}]}]}  # as curl users write it
    answer = await (await http.post(GENERATE, json=body, headers=KEY)).json()
    assert answer["candidates"][0]["content"]["parts"][0]["text"] == "The capital of France is Paris."


def _enum_message(path: str, enum: str, value: str) -> str:
    return f"Invalid value at '{path}' (type.googleapis.com/google.ai.generativelanguage.v1beta.{enum}), {value}"


@pytest.mark.parametrize(
    ("action", "extra", "path", "enum", "value"),
    [
        ("generateContent", {"safetySettings": [{"category": "NOPE", "threshold": "OFF"}]},
         "safety_settings[0].category", "HarmCategory", '"NOPE"'),
        ("generateContent", {"safety_settings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "LOW"}]},
         "safety_settings[0].threshold", "SafetySetting.HarmBlockThreshold", '"LOW"'),
        ("streamGenerateContent", {"generationConfig": {"responseModalities": ["TEXT", "VIDEO"]}},
         "generation_config.response_modalities[1]", "GenerationConfig.Modality", '"VIDEO"'),
        ("generateContent", {"generationConfig": {"mediaResolution": "high"}},
         "generation_config.media_resolution", "GenerationConfig.MediaResolution", '"high"'),
        ("generateContent", {"toolConfig": {"functionCallingConfig": {"mode": "SOMETIMES"}}},
         "tool_config.function_calling_config.mode", "FunctionCallingConfig.Mode", '"SOMETIMES"'),
    ],
)
async def test_unknown_enum_value_gets_the_real_invalid_value(
    http: TestClient, action: str, extra: dict[str, Any], path: str, enum: str, value: str
) -> None:
    url = f"/v1beta/models/gemini-2.5-flash:{action}?alt=sse"
    error = await error_of(await http.post(url, json={**HELLO, **extra}, headers=KEY), 400)
    message = _enum_message(path, enum, value)
    assert error["status"] == "INVALID_ARGUMENT" and error["message"] == message
    assert error["details"] == [
        {"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [{"field": path, "description": message}]}
    ]


async def test_unknown_task_type_gets_the_real_invalid_value(http: TestClient) -> None:
    path = "/v1beta/models/gemini-embedding-001:embedContent"
    body = {"content": {"parts": [{"text": "a"}]}, "taskType": "NOPE"}
    error = await error_of(await http.post(path, json=body, headers=KEY), 400)
    assert error["message"] == _enum_message("task_type", "TaskType", '"NOPE"')


@pytest.mark.parametrize(
    "extra",
    [
        {"toolConfig": {"functionCallingConfig": {"mode": "none"}}},  # a corpus request the real API took
        {"safetySettings": [{"category": 7, "threshold": "block_none"}]},
        {"generationConfig": {"responseModalities": ["TEXT"], "mediaResolution": "MEDIA_RESOLUTION_LOW"}},
    ],
)
async def test_known_enum_values_in_any_case_or_as_numbers_are_accepted(http: TestClient, extra: dict[str, Any]) -> None:
    assert (await http.post(GENERATE, json={**HELLO, **extra}, headers=KEY)).status == 200


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (GENERATE, {"contents": [{"parts": [{"text": "a"}], "role": "assistant"}]}),
        (STREAM + "?alt=sse", {"contents": [{"parts": [{"text": "a"}], "role": "user"}, {"parts": [{"text": "b"}], "role": "system"}]}),
        ("/v1beta/models/gemini-2.5-flash:countTokens", {"contents": [{"parts": [{"text": "a"}], "role": "function"}]}),
        ("/v1beta/models/gemini-2.5-flash:countTokens", {"generateContentRequest": {"model": "models/gemini-2.5-flash", "contents": [{"parts": [{"text": "a"}], "role": "bot"}]}}),
        ("/v1beta/cachedContents", {"model": "models/gemini-2.5-flash", "contents": [{"parts": [{"text": "a"}], "role": "system"}]}),
    ],
)
async def test_a_turn_with_another_role_gets_the_real_invalid_role(http: TestClient, path: str, body: dict[str, Any]) -> None:
    error = await error_of(await http.post(path, json=body, headers=KEY), 400)
    assert error == {"code": 400, "message": "Please use a valid role: user, model.", "status": "INVALID_ARGUMENT"}


async def test_system_instruction_role_is_not_checked(http: TestClient) -> None:
    body = {**HELLO, "systemInstruction": {"parts": [{"text": "be brief"}], "role": "system"}}
    assert (await http.post(GENERATE, json=body, headers=KEY)).status == 200


@pytest.mark.parametrize(("query", "indented"), [("?prettyPrint=false", False), ("", True), ("?prettyPrint=true", True)])
async def test_pretty_print_false_answers_compact_json(http: TestClient, query: str, indented: bool) -> None:
    for path in (GENERATE + query, "/v1beta/models" + query):
        response = await (http.post(path, json=HELLO, headers=KEY) if path.startswith(GENERATE) else http.get(path, headers=KEY))
        raw = await response.read()
        assert response.status == 200 and (b"\n" in raw) is indented
        json.loads(raw)
