"""mockgem as an HTTPS proxy: clients with Google's URL hard-coded replay with no change to their code.

Each client here is given only the environment a proxied CI job has (`HTTPS_PROXY`, and the
local CA in `SSL_CERT_FILE`): google-genai with no base URL, a small httpx script, llm-gemini
(which builds `https://generativelanguage.googleapis.com/...` itself and downloads attachments
with httpx). Requests for other hosts (an image a test sends) replay from the same cassette.
"""

from __future__ import annotations

import base64
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx2
import pytest
from google import genai

from mockgem import MockGemServer
from mockgem.server.proxy import connect_target
from mockgem.sources.cassettes.formats import load_cassette
from mockgem.sources.cassettes.model import Interaction, RecordedRequest, RecordedResponse
from mockgem.sources.cassettes.store import CassetteStore
from tests.conftest import EXAMPLE_RULES

GOOGLE = "https://generativelanguage.googleapis.com"
GENERATE = f"{GOOGLE}/v1beta/models/gemini-2.5-flash:generateContent"
PICTURE = "https://example.com/pelican.png"
# A 1x1 PNG: what llm's attachment type detection and a download expect.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
ANSWER = b'{"candidates": [{"content": {"parts": [{"text": "A pelican"}], "role": "model"}, "finishReason": "STOP"}]}'


def _interaction(method: str, uri: str, body: bytes, answer: bytes, content_type: str = "application/json") -> Interaction:
    request = RecordedRequest(method, uri, (("content-type", "application/json"),) if body else (), body)
    return Interaction(request, RecordedResponse(200, (("content-type", content_type),), answer, "OK"))


@pytest.fixture
def cassette(tmp_path: Path) -> Path:
    """Recorded with Google's URL and a download of another host, as a proxied recorder keeps them."""
    path = tmp_path / "cassettes" / "hard_coded.yaml"
    path.parent.mkdir()
    CassetteStore().write(path, [
        _interaction("GET", PICTURE, b"", PNG, "image/png"),
        _interaction("POST", GENERATE, b'{"contents": [{"parts": [{"text": "What is it?"}], "role": "user"}]}', ANSWER),
    ])
    return path


@pytest.fixture
def proxied(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Callable[[MockGemServer], None]]:
    """Points this process's clients at a server as their proxy, as the pytest plugin does."""
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "GOOGLE_GEMINI_BASE_URL", "GEMINI_API_KEY", "GOOGLE_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LLM_USER_PATH", str(tmp_path / "llm"))

    def point(server: MockGemServer) -> None:
        for name in ("HTTPS_PROXY", "HTTP_PROXY"):
            monkeypatch.setenv(name, server.url)
        monkeypatch.setenv("SSL_CERT_FILE", str(server.ca.bundle_path))

    yield point


def test_proxy_replays_a_hard_coded_google_url_and_another_hosts_download(cassette: Path, proxied: Callable[[MockGemServer], None],
                                                                           make_server: Callable[..., MockGemServer], tmp_path: Path) -> None:
    server = make_server(cassette=cassette, state_dir=tmp_path / "state")
    proxied(server)
    with httpx2.Client() as client:  # a script's own client: the URL is Google's, nothing points it elsewhere
        picture = client.get(PICTURE)
        answer = client.post(GENERATE, headers={"x-goog-api-key": "k"}, json={"contents": [{"parts": [{"text": "What is it?"}]}]})
    assert (picture.status_code, picture.headers["content-type"], picture.content) == (200, "image/png", PNG)
    assert answer.json()["candidates"][0]["content"]["parts"][0]["text"] == "A pelican"
    assert [entry.answered_by for entry in server.requests] == ["hard_coded.yaml #1", "hard_coded.yaml #2"]


def test_proxy_serves_google_genai_with_no_base_url_which_still_reports_googles(cassette: Path, proxied: Callable[[MockGemServer], None],
                                                                               make_server: Callable[..., MockGemServer], tmp_path: Path) -> None:
    proxied(make_server(cassette=cassette, state_dir=tmp_path / "state"))
    client = genai.Client(api_key="k")
    assert client.models.generate_content(model="gemini-2.5-flash", contents="What is it?").text == "A pelican"
    assert str(client._api_client._http_options.base_url).startswith(GOOGLE)


def test_proxy_miss_for_another_host_names_the_closest_recording(cassette: Path, proxied: Callable[[MockGemServer], None],
                                                                 make_server: Callable[..., MockGemServer], tmp_path: Path) -> None:
    server = make_server(cassette=cassette, state_dir=tmp_path / "state")
    proxied(server)
    with httpx2.Client() as client:
        missed = client.get("https://example.com/heron.png")
    assert missed.status_code == 400 and "Closest: hard_coded.yaml #1, GET https://example.com/pelican.png" in missed.json()["error"]["message"]
    assert server.requests.misses[-1].path == "/heron.png"


def test_proxy_match_on_host_tells_hosts_apart(cassette: Path, proxied: Callable[[MockGemServer], None],
                                               make_server: Callable[..., MockGemServer], tmp_path: Path) -> None:
    proxied(make_server(cassette=cassette, state_dir=tmp_path / "state", match_on=("method", "host", "path"), strict=True))
    with httpx2.Client() as client:
        assert client.get(PICTURE).content == PNG
        assert client.get("https://elsewhere.example.org/pelican.png").status_code == 400


def test_proxy_refuses_a_request_that_is_no_connect(make_server: Callable[..., MockGemServer], tmp_path: Path) -> None:
    server = make_server(state_dir=tmp_path / "state")
    with socket.create_connection(("127.0.0.1", server.port)) as connection:
        connection.sendall(b"CONNECT nowhere HTTP/1.1\r\n\r\n")
        assert connection.recv(100).startswith(b"HTTP/1.1 400")
    assert connect_target(b"CONNECT [::1]:8443 HTTP/1.1\r\n\r\n") == ("::1", 8443)


class _Picture(BaseHTTPRequestHandler):
    def do_HEAD(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(PNG)))
        self.end_headers()

    def do_GET(self) -> None:
        self.do_HEAD()
        self.wfile.write(PNG)

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def picture_host() -> Iterator[str]:
    """Another host on loopback serving a picture: what a test downloads while recording."""
    host = ThreadingHTTPServer(("127.0.0.1", 0), _Picture)
    thread = threading.Thread(target=host.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{host.server_address[1]}"
    host.shutdown()
    host.server_close()
    thread.join()


def test_llm_gemini_records_through_the_proxy_then_replays_offline(proxied: Callable[[MockGemServer], None], picture_host: str,
                                                                   make_server: Callable[..., MockGemServer], tmp_path: Path) -> None:
    import llm

    def describe() -> str:
        model = llm.get_model("gemini-2.5-flash")
        return model.prompt("What is it?", key="k", attachments=[llm.Attachment(url=f"{picture_host}/pelican.png")]).text()

    upstream = make_server(rules=EXAMPLE_RULES)
    path = tmp_path / "llm.yaml"
    proxied(make_server(mode="record", cassette=path, upstream=upstream.url, state_dir=tmp_path / "state"))
    recorded_answer = describe()
    requests = [interaction.request for interaction in load_cassette(path).interactions]
    downloads = [(request.method, request.uri) for request in requests[:-1]]
    assert set(downloads) == {("HEAD", f"{picture_host}/pelican.png"), ("GET", f"{picture_host}/pelican.png")}
    assert "/v1beta/models/gemini-2.5-flash:streamGenerateContent" in requests[-1].uri  # sent to the upstream given
    upstream.stop()
    replaying = make_server(cassette=path, state_dir=tmp_path / "state")
    proxied(replaying)
    assert describe() == recorded_answer
    assert [entry.source for entry in replaying.requests] == ["cassettes"] * len(requests)
    assert all(entry.fallback is None for entry in replaying.requests)
