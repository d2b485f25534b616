from __future__ import annotations

from typing import Any

import pytest

from mockgem.errors import InvalidArgument
from mockgem.translate.chat_messages import to_contents


def user(*parts: Any) -> dict[str, Any]:
    return {"role": "user", "content": list(parts)}


def only_part(message: dict[str, Any]) -> dict[str, Any]:
    _, contents = to_contents([message])
    [content] = contents
    [part] = content["parts"]
    return dict(part)


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({"type": "text", "text": "a"}, {"text": "a"}),
        (
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,aGVsbG8=", "detail": "low"}},
            {"inlineData": {"mimeType": "image/png", "data": "aGVsbG8="}},
        ),
        (
            {"type": "image_url", "image_url": {"url": "https://x.test/cat.jpg?size=2"}},
            {"fileData": {"mimeType": "image/jpeg", "fileUri": "https://x.test/cat.jpg?size=2"}},
        ),
        (
            {"type": "image_url", "image_url": {"url": "gs://bucket/dog.png"}},
            {"fileData": {"mimeType": "image/png", "fileUri": "gs://bucket/dog.png"}},
        ),
        (
            {"type": "image_url", "image_url": {"url": "https://generativelanguage.googleapis.com/v1beta/files/abc"}},
            {"fileData": {"fileUri": "https://generativelanguage.googleapis.com/v1beta/files/abc"}},
        ),
        ({"type": "image_url", "image_url": "gs://b/c.webp"}, {"fileData": {"mimeType": "image/webp", "fileUri": "gs://b/c.webp"}}),
        (
            {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}},
            {"inlineData": {"mimeType": "audio/wav", "data": "UklGRg=="}},
        ),
        (
            {"type": "input_audio", "input_audio": {"data": "SUQz", "format": "mp3"}},
            {"inlineData": {"mimeType": "audio/mp3", "data": "SUQz"}},
        ),
        (
            {"type": "file", "file": {"file_data": "data:application/pdf;base64,JVBE", "filename": "a.pdf"}},
            {"inlineData": {"mimeType": "application/pdf", "data": "JVBE"}},
        ),
        (
            {"type": "file", "file": {"file_data": "aGk=", "filename": "a.txt"}},
            {"inlineData": {"mimeType": "text/plain", "data": "aGk="}},
        ),
        ({"type": "file", "file": {"file_id": "files/abc"}}, {"fileData": {"fileUri": "files/abc"}}),
    ],
)  # fmt: skip
def test_to_contents_user_part(item: dict[str, Any], expected: dict[str, Any]) -> None:
    assert only_part(user(item)) == expected


@pytest.mark.parametrize(
    "item",
    [
        {"type": "image_url", "image_url": {"url": "ftp://x/y.png"}},
        {"type": "image_url", "image_url": {"url": "data:image/png,notbase64"}},
        {"type": "image_url", "image_url": {"url": 3}},
        {"type": "video_url", "video_url": "x"},
        {"type": "file", "file": {}},
    ],
)
def test_to_contents_user_part_rejected(item: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgument):
        to_contents([user(item)])


@pytest.mark.parametrize("role", [["user"], {"name": "user"}, None, "robot"])
def test_to_contents_refuses_a_role_that_is_not_one_of_the_five(role: Any) -> None:
    with pytest.raises(InvalidArgument, match="Unsupported message role"):
        to_contents([{"role": role, "content": "hi"}])


@pytest.mark.parametrize("role", ["system", "developer"])
def test_to_contents_system_roles_become_the_system_instruction(role: str) -> None:
    messages = [
        {"role": role, "content": "be nice"},
        {"role": "user", "content": "Hi"},
        {"role": "system", "content": [{"type": "text", "text": "be brief"}]},
    ]
    system, contents = to_contents(messages)
    assert system == {"parts": [{"text": "be nice"}, {"text": "be brief"}]}
    assert contents == [{"role": "user", "parts": [{"text": "Hi"}]}]


def call(call_id: str, name: str, arguments: str, signature: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}
    if signature:
        result["extra_content"] = {"google": {"thought_signature": signature}}
    return result


def test_to_contents_tool_round_trip() -> None:
    messages = [
        {"role": "user", "content": "Weather in Paris and Rome?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [call("a1", "weather", '{"city":"Paris"}', "c2ln"), call("b2", "weather", '{"city":"Rome"}')],
        },
        {"role": "tool", "tool_call_id": "a1", "content": '{"temp": 20}'},
        {"role": "tool", "tool_call_id": "b2", "content": "sunny"},
        {"role": "assistant", "content": "Both fine."},
    ]
    _, contents = to_contents(messages)
    assert contents[1:] == [
        {
            "role": "model",
            "parts": [
                {"functionCall": {"name": "weather", "args": {"city": "Paris"}}, "thoughtSignature": "c2ln"},
                {"functionCall": {"name": "weather", "args": {"city": "Rome"}}},
            ],
        },
        {
            "role": "user",
            "parts": [
                {"functionResponse": {"name": "weather", "response": {"temp": 20}}},
                {"functionResponse": {"name": "weather", "response": {"content": "sunny"}}},
            ],
        },
        {"role": "model", "parts": [{"text": "Both fine."}]},
    ]


@pytest.mark.parametrize(("arguments", "args"), [("", {}), ("{}", {}), ('{"a": [1, 2]}', {"a": [1, 2]})])
def test_to_contents_tool_call_arguments(arguments: str, args: dict[str, Any]) -> None:
    message = {"role": "assistant", "tool_calls": [call("x", "f", arguments)]}
    assert only_part(message) == {"functionCall": {"name": "f", "args": args}}


@pytest.mark.parametrize("arguments", ["{oops", "[1, 2]"])
def test_to_contents_tool_call_arguments_rejected(arguments: str) -> None:
    with pytest.raises(InvalidArgument):
        to_contents([{"role": "assistant", "tool_calls": [call("x", "f", arguments)]}])


def test_to_contents_assistant_text_signature_echoed() -> None:
    message = {"role": "assistant", "content": "Hi", "extra_content": {"google": {"thought_signature": "c2ln"}}}
    assert only_part(message) == {"text": "Hi", "thoughtSignature": "c2ln"}


def test_to_contents_assistant_text_and_calls_keep_order() -> None:
    message = {
        "role": "assistant",
        "content": [{"type": "text", "text": "Let me look."}],
        "tool_calls": [call("x", "f", "{}")],
    }
    _, [content] = to_contents([message])
    assert content["parts"] == [{"text": "Let me look."}, {"functionCall": {"name": "f", "args": {}}}]


def test_to_contents_tool_message_with_part_list() -> None:
    messages = [
        {"role": "assistant", "tool_calls": [call("x", "f", "{}")]},
        {
            "role": "tool",
            "tool_call_id": "x",
            "content": [{"type": "text", "text": "o"}, {"type": "text", "text": "k"}],
        },
    ]
    _, contents = to_contents(messages)
    assert contents[1]["parts"] == [{"functionResponse": {"name": "f", "response": {"content": "ok"}}}]


@pytest.mark.parametrize(
    "messages",
    [
        [{"role": "tool", "tool_call_id": "nobody", "content": "x"}],
        [{"role": "function", "name": "f", "content": "x"}],
        ["just a string"],
        [{"role": "user", "content": 42}],
        [{"role": "system", "content": [{"type": "image_url", "image_url": "gs://b/c.png"}]}],
        [{"role": "assistant", "tool_calls": [{"id": "x", "type": "function", "function": {}}]}],
    ],
)
def test_to_contents_rejected(messages: list[Any]) -> None:
    with pytest.raises(InvalidArgument):
        to_contents(messages)


def test_to_contents_skips_an_empty_assistant_turn() -> None:
    _, contents = to_contents([{"role": "user", "content": "a"}, {"role": "assistant", "content": None}])
    assert contents == [{"role": "user", "parts": [{"text": "a"}]}]
