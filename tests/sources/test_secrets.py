"""No key is written, and none is shown (issue 17, defect 8): record through every credential
path a client has (google-genai's header, `?key=`, the openai SDK's bearer, a Vertex OAuth
token, a resumable upload whose session URL carries `key=`, `--upstream-key`), then scan every
byte written for each secret; `mockgem cassette check` finds a key that is short or says FAKE."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import openai
import pytest
from google import genai
from google.genai import types
from google.oauth2.credentials import Credentials

from mockgem import MockGemServer
from mockgem.cli import main
from mockgem.sources.cassettes.model import Interaction, RecordedRequest, RecordedResponse
from mockgem.sources.cassettes.redact import find_secrets
from mockgem.sources.cassettes.store import CassetteStore, dump_cassette
from tests.raw_http import GENERATE, request_bytes, send_raw

Start = Callable[..., MockGemServer]
MODEL = "gemini-2.5-flash"
HOST = "https://generativelanguage.googleapis.com"
KEYS = {
    "genai header": "AIzaSyA1genaiHeaderKey000000000000000001",
    "query": "AIzaSyA2queryParamKey0000000000000000002",
    "openai bearer": "AIzaSyA3openaiBearerKey00000000000000003",
    "vertex token": "ya29.a0AfH6SMvertexOAuthToken0000000000004",
    "upload": "AIzaSyA5uploadClientKey00000000000000005",
    "upload url": "AIzaSyA6uploadSessionUrlKey000000000006",
    "upstream key": "AIzaSyA7upstreamFlagKey00000000000000007",
}
UPLOAD_START = {"X-Goog-Upload-Protocol": "resumable", "X-Goog-Upload-Command": "start", "X-Goog-Upload-Header-Content-Length": "5"}


def upload_cassette(path: Path, upstream_port: int) -> None:
    """What the upstream answers an upload with: a session URL that carries a key, then the file."""
    session = f"{HOST}/upload/v1beta/files?upload_id=U1&upload_protocol=resumable&key={KEYS['upload url']}"
    start = Interaction(
        RecordedRequest("POST", f"{HOST}/upload/v1beta/files", (("content-type", "application/json"),), b'{"file": {"displayName": "n"}}'),
        RecordedResponse(200, (("x-goog-upload-url", session), ("x-goog-upload-status", "active")), b""),
    )
    file = b'{"file": {"name": "files/n1", "sizeBytes": "5", "state": "ACTIVE"}}'
    chunk = Interaction(
        RecordedRequest("POST", session, (), b"hello"),
        RecordedResponse(200, (("content-type", "application/json"), ("x-goog-upload-status", "final")), file),
    )
    path.write_text(dump_cassette([start, chunk]))


@pytest.fixture
def upstream(tmp_path: Path, make_server: Start) -> MockGemServer:
    cassette = tmp_path / "upstream" / "uploads.yaml"
    cassette.parent.mkdir()
    upload_cassette(cassette, 0)
    return make_server(cassette=cassette, rules={"default": {"text": "answer"}})


def record_every_credential_path(recorder: MockGemServer) -> None:
    header = genai.Client(api_key=KEYS["genai header"], http_options=types.HttpOptions(base_url=recorder.url))
    assert header.models.generate_content(model=MODEL, contents="by header").text == "answer"
    query = send_raw(recorder.port, request_bytes("POST", f"{GENERATE}?key={KEYS['query']}", b'{"contents": [{"parts": [{"text": "by query"}]}]}', {"x-goog-api-key": ""}).replace(b"x-goog-api-key: \r\n", b""))
    assert query.status == 200
    chat = openai.OpenAI(api_key=KEYS["openai bearer"], base_url=f"{recorder.url}/v1beta/openai/", max_retries=0)
    assert chat.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "by bearer"}]).choices[0].message.content == "answer"
    vertex = genai.Client(vertexai=True, project="p", location="us-central1", credentials=Credentials(token=KEYS["vertex token"]), http_options=types.HttpOptions(base_url=recorder.url))
    assert vertex.models.generate_content(model=MODEL, contents="by oauth").text == "answer"
    start = send_raw(recorder.port, request_bytes("POST", "/upload/v1beta/files", b'{"file": {"displayName": "n"}}', {"x-goog-api-key": KEYS["upload"], **UPLOAD_START}))
    assert start.status == 200
    session = local_target(start.header("X-Goog-Upload-URL") or "")
    assert KEYS["upload url"] not in session
    done = send_raw(recorder.port, request_bytes("POST", session, b"hello", {"X-Goog-Upload-Command": "upload, finalize", "X-Goog-Upload-Offset": "0", "Content-Type": "application/octet-stream"}))
    assert done.status == 200 and done.json()["file"]["name"] == "files/n1"


def local_target(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def written_bytes(root: Path) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in root.rglob("*") if path.is_file()}


def test_no_credential_is_written_through_any_path(tmp_path: Path, upstream: MockGemServer, make_server: Start, capsys: pytest.CaptureFixture[str]) -> None:
    recorded = tmp_path / "recorded"
    recorder = make_server(mode="record", cassette_dir=recorded, cassette="suite", upstream=upstream.url, state_dir=tmp_path / "state")
    record_every_credential_path(recorder)
    keyed = make_server(mode="record", cassette_dir=recorded, cassette="keyed", upstream=upstream.url, upstream_key=KEYS["upstream key"])
    client = genai.Client(api_key="AIzaSyA8clientKeyUnderUpstreamKey0000008", http_options=types.HttpOptions(base_url=keyed.url))
    assert client.models.generate_content(model=MODEL, contents="upstream key").text == "answer"
    recorder.stop()
    keyed.stop()
    files = written_bytes(recorded) | written_bytes(tmp_path / "state")
    assert {path.name for path in files} >= {"suite.yaml", "keyed.yaml"}
    leaks = [(path.name, what) for path, data in files.items() for what, secret in KEYS.items() if secret.encode() in data]
    assert leaks == []
    assert main(["cassette", "check", str(recorded / "suite.yaml"), str(recorded / "keyed.yaml")]) == 0, capsys.readouterr().err


def test_upstream_error_message_shows_no_session_key(upstream: MockGemServer, make_server: Start, tmp_path: Path) -> None:
    recorder = make_server(mode="record", cassette_dir=tmp_path / "recorded", upstream=upstream.url)
    start = send_raw(recorder.port, request_bytes("POST", "/upload/v1beta/files", b'{"file": {"displayName": "n"}}', {"x-goog-api-key": KEYS["upload"], **UPLOAD_START}))
    session = local_target(start.header("X-Goog-Upload-URL") or "")
    upstream.stop()
    failed = send_raw(recorder.port, request_bytes("POST", session, b"hello", {"X-Goog-Upload-Command": "upload, finalize", "X-Goog-Upload-Offset": "0"}))
    assert failed.status == 502 and "could not be reached" in failed.error()["message"]
    assert KEYS["upload url"] not in failed.body.decode() and "key=<REDACTED>" in failed.error()["message"]


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ((("x-goog-api-key", "sk-FAKE-4f9a0c2e77d1"),), b"{}"),  # says FAKE, and is not only placeholder words
        ((), b'{"apiKey": "AIzaSyShort12345"}'),  # a Google key cut short, in a body
        ((("x-goog-upload-url", "https://x/upload?upload_id=u&key=AIzaSyShort12345"),), b"{}"),
        ((("location", "https://x/upload?upload_id=u&key=k-4f9a0c2e77d1"),), b"{}"),
    ],
    ids=["fake-in-a-real-looking-value", "short-key-in-a-body", "short-key-in-an-upload-url", "key-in-a-url-header"],
)
def test_cassette_check_finds_a_short_or_fake_looking_key(tmp_path: Path, headers: tuple[tuple[str, str], ...], body: bytes) -> None:
    interaction = Interaction(RecordedRequest("POST", f"{HOST}{GENERATE}", headers if headers and headers[0][0] == "x-goog-api-key" else (), b"{}"),
                              RecordedResponse(200, headers if headers and headers[0][0] != "x-goog-api-key" else (), body))
    assert find_secrets(interaction) != []
    path = tmp_path / "leaky.yaml"
    path.write_text(dump_cassette([interaction]))
    assert main(["cassette", "check", str(path)]) == 1
    CassetteStore().write(path, [interaction])  # redaction on write clears what it finds in headers and URLs
    if not body.startswith(b'{"apiKey"'):
        assert main(["cassette", "check", str(path)]) == 0
