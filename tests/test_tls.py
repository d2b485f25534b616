"""mockgem's local CA: one CA per state directory however many start it, leaves any TLS client
verifies (strict X.509 checks too), the `mockgem ca` command and the `--tls` flag."""

from __future__ import annotations

import socket
import ssl
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from mockgem.cli import build_parser, checked_config, main
from mockgem.tls import LocalCA


def test_ca_is_made_once_when_many_start_it_at_once(tmp_path: Path) -> None:
    with ThreadPoolExecutor(8) as pool:
        paths = list(pool.map(lambda _: LocalCA.at(tmp_path).cert_path.read_bytes(), range(8)))
    assert len(set(paths)) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["ca"]


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "generativelanguage.googleapis.com"])
def test_ca_leaf_passes_a_strict_client_handshake(tmp_path: Path, host: str) -> None:
    ca = LocalCA.at(tmp_path)
    server_context = ca.any_host_context()
    listener = socket.create_server(("127.0.0.1", 0))
    thread = threading.Thread(target=lambda: _serve_once(listener, server_context), daemon=True)
    thread.start()
    client_context = ssl.create_default_context(cafile=str(ca.cert_path))
    client_context.verify_flags |= getattr(ssl, "VERIFY_X509_STRICT", 0)
    with socket.create_connection(listener.getsockname()) as raw, client_context.wrap_socket(raw, server_hostname=host) as tls:
        tls.sendall(b"ping")
        assert tls.getpeercert()["subject"][0][0][1] == ("127.0.0.1" if host in ("127.0.0.1", "localhost") else host)
    thread.join()
    listener.close()


def _serve_once(listener: socket.socket, context: ssl.SSLContext) -> None:
    connection, _ = listener.accept()
    with context.wrap_socket(connection, server_side=True) as tls:
        tls.recv(4)


def test_ca_command_prints_the_certificate_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ca", "--state-dir", str(tmp_path)]) == 0
    printed = Path(capsys.readouterr().out.strip())
    assert printed == tmp_path / "ca" / "ca.pem" and printed.read_text().startswith("-----BEGIN CERTIFICATE-----")


def test_tls_flag_sets_the_setting() -> None:
    assert checked_config(build_parser().parse_args(["serve", "--tls"])).tls
