"""mockgem's local certificate authority: made on first use, kept in a state directory.

google-genai (Python) always opens the Live API's WebSocket with `wss://` (`_api_client.py`,
`_websocket_base_url` swaps the scheme of the base URL), so mockgem must answer TLS to be
reachable at all. The CA signs a leaf for each host name asked (`leaf_for`), so the same CA
serves the `--tls` listener (127.0.0.1 and localhost) and any host an intercepting proxy needs.

    ca = LocalCA.at(state_dir)           # <state_dir>/ca, else ~/.cache/mockgem/ca
    context = ca.server_context()        # an ssl.SSLContext for 127.0.0.1 and localhost
    os.environ["SSL_CERT_FILE"] = str(ca.bundle_path)   # what a client trusts

A CA is created once: its files are written in a fresh folder that is then renamed into place,
so two processes starting at once end up with the same CA, never with two.
"""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import os
import shutil
import ssl
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

LOCAL_HOSTS = ("127.0.0.1", "localhost")
CA_FILE, CA_KEY_FILE, BUNDLE_FILE = "ca.pem", "ca-key.pem", "bundle.pem"
CA_LIFETIME = datetime.timedelta(days=3650)
# Below the 398 days that browsers and Apple's TLS stacks accept for a leaf.
LEAF_LIFETIME = datetime.timedelta(days=397)
# Clocks of other machines (a CI runner's container) may lag a little behind this one.
CLOCK_SKEW = datetime.timedelta(days=1)


def default_directory(state_dir: Path | None = None) -> Path:
    """`<state_dir>/ca`, else `$XDG_CACHE_HOME/mockgem/ca`, else `~/.cache/mockgem/ca`."""
    if state_dir is not None:
        return state_dir / "ca"
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "mockgem" / "ca"


@dataclass(frozen=True, slots=True)
class Leaf:
    """A host's certificate (followed by the CA's, as a chain) and its key, as PEM files."""

    host: str
    cert_path: Path
    key_path: Path


class LocalCA:
    """The CA in `directory` (created on first use) and the leaves it signed."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self._contexts: dict[str, ssl.SSLContext] = {}

    @classmethod
    def at(cls, state_dir: Path | None = None) -> LocalCA:
        return cls(default_directory(state_dir))

    @property
    def cert_path(self) -> Path:
        self.ensure()
        return self.directory / CA_FILE

    @property
    def bundle_path(self) -> Path:
        """The CA followed by the system's trusted roots: for `SSL_CERT_FILE`, so that a client
        trusting mockgem still reaches every other HTTPS host."""
        self.ensure()
        bundle = self.directory / BUNDLE_FILE
        if not bundle.exists():
            _write_atomic(bundle, (self.directory / CA_FILE).read_bytes() + _system_roots())
        return bundle

    def ensure(self) -> None:
        """Creates the CA unless its files are there (another process may have just made them)."""
        if (self.directory / CA_FILE).exists():
            return
        self.directory.parent.mkdir(parents=True, exist_ok=True)
        fresh = Path(tempfile.mkdtemp(dir=self.directory.parent, prefix=".ca-"))
        try:
            key, cert = _new_ca()
            _write_key(fresh / CA_KEY_FILE, key)
            (fresh / CA_FILE).write_bytes(cert.public_bytes(serialization.Encoding.PEM))
            with contextlib.suppress(OSError):  # another process's CA got there first: use it
                os.rename(fresh, self.directory)
        finally:
            shutil.rmtree(fresh, ignore_errors=True)

    def leaf_for(self, host: str) -> Leaf:
        """The certificate for `host` (a name or an IP address), signed now or on an earlier run."""
        return self._leaf((host,))

    def server_context(self, hosts: tuple[str, ...] = LOCAL_HOSTS) -> ssl.SSLContext:
        """A server-side context presenting one leaf for every name of `hosts`."""
        name = ",".join(hosts)
        with self._lock:
            found = self._contexts.get(name)
        if found is not None:
            return found
        leaf = self._leaf(hosts)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(leaf.cert_path, leaf.key_path)
        with self._lock:
            return self._contexts.setdefault(name, context)

    def any_host_context(self) -> ssl.SSLContext:
        """A server-side context that answers each TLS client with a leaf for the name it asks
        (SNI), made on demand: what a proxy intercepting any host needs."""
        context = self.server_context()

        def choose(sock: ssl.SSLObject, name: str | None, _: ssl.SSLContext) -> None:
            if name and name not in LOCAL_HOSTS:
                sock.context = self.server_context((name,))

        context.sni_callback = choose
        return context

    def _leaf(self, hosts: tuple[str, ...]) -> Leaf:
        """One leaf naming every host of `hosts`, kept under `leaves/`."""
        self.ensure()
        stem = _file_name("+".join(hosts))
        leaf = Leaf(hosts[0], self.directory / "leaves" / f"{stem}.pem", self.directory / "leaves" / f"{stem}-key.pem")
        with self._lock:
            if not (leaf.cert_path.exists() and leaf.key_path.exists() and _still_valid(leaf.cert_path)):
                self._sign_leaf(leaf, hosts)
        return leaf

    def _sign_leaf(self, leaf: Leaf, hosts: tuple[str, ...]) -> None:
        ca_key = serialization.load_pem_private_key((self.directory / CA_KEY_FILE).read_bytes(), password=None)
        ca_cert = x509.load_pem_x509_certificate((self.directory / CA_FILE).read_bytes())
        if not isinstance(ca_key, ec.EllipticCurvePrivateKey):
            raise ValueError(f"{self.directory / CA_KEY_FILE}: not the EC key mockgem writes")
        key, cert = _new_leaf(hosts, ca_key, ca_cert)
        leaf.cert_path.parent.mkdir(parents=True, exist_ok=True)
        _write_key(leaf.key_path, key)
        chain = cert.public_bytes(serialization.Encoding.PEM) + ca_cert.public_bytes(serialization.Encoding.PEM)
        _write_atomic(leaf.cert_path, chain)


def _new_ca() -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mockgem local CA"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "mockgem")])
    now = _now()
    usage = x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
                          key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - CLOCK_SKEW).not_valid_after(now + CA_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _new_leaf(hosts: tuple[str, ...], ca_key: ec.EllipticCurvePrivateKey, ca_cert: x509.Certificate) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    usage = x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
                          key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False)
    issuer_key_id = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    cert = (
        x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
        .issuer_name(ca_cert.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW).not_valid_after(now + LEAF_LIFETIME)
        .add_extension(x509.SubjectAlternativeName([_general_name(host) for host in hosts]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(issuer_key_id), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def _general_name(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


def _still_valid(cert_path: Path) -> bool:
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    # `not_valid_after_utc` is cryptography 42's; older releases give a naive UTC time only.
    expires = getattr(cert, "not_valid_after_utc", None) or cert.not_valid_after.replace(tzinfo=datetime.timezone.utc)
    return expires - _now() > datetime.timedelta(days=1)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def _file_name(host: str) -> str:
    return "".join(c if c.isalnum() or c in "-._+" else "_" for c in host)


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    _write_atomic(path, pem, mode=0o600)


def _write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _system_roots() -> bytes:
    """The roots this machine trusts by default (OpenSSL's CA file, else certifi's), if any."""
    candidates = [ssl.get_default_verify_paths().cafile]
    with contextlib.suppress(ImportError):
        import certifi

        candidates.append(certifi.where())
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return b"\n" + Path(candidate).read_bytes()
    return b""
