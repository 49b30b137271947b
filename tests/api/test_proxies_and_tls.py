"""Store credentials never go through a proxy from the environment, and a certificate the
client does not trust is named as such (not as a broken internet connection)."""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.api import OAuthCredentials, StoreClient, errors
from app.store_emulator import StoreEmulator
from tests.api.conftest import ClientFactory, fast_retry


class Listener:
    """A TCP listener on 127.0.0.1 that records what each connection sends (a fake proxy)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.05)
        self.received: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    self.received.append(conn.recv(65536))
                except OSError:
                    self.received.append(b"")

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[Listener]:
    listener = Listener()
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                 "all_proxy"):
        monkeypatch.setenv(name, listener.url)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    yield listener
    listener.close()


def test_environment_proxies_never_see_the_token(emulator: StoreEmulator, proxy: Listener,
                                                 make_client: ClientFactory,
                                                 auth_style: str) -> None:
    client = make_client(emulator, auth_style)
    assert client.count_products() > 0
    assert client.list_images(1, limit=5)
    assert proxy.received == []  # not a connection, so not a byte of any credential
    assert len(emulator.requests()) == 2  # they went straight to the store


# ---- TLS ----------------------------------------------------------------------------------

def self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class SelfSignedServer:
    """Accepts TLS connections with a certificate nobody trusts; counts handshakes tried."""

    def __init__(self, cert: Path, key: Path) -> None:
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.05)
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            conn.settimeout(2)
            try:
                with self.context.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(1024)
            except (OSError, ssl.SSLError):
                pass  # the client hangs up: it does not trust us

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


def test_an_untrusted_certificate_is_named_and_not_retried(tmp_path: Path) -> None:
    server = SelfSignedServer(*self_signed(tmp_path))
    try:
        credentials = OAuthCredentials(
            "abc123", "secret-token", api_base=f"https://127.0.0.1:{server.port}/stores/abc123/v2")
        with StoreClient(credentials, retry=fast_retry()) as client:
            with pytest.raises(errors.CertificateNotTrusted) as caught:
                client.count_products()
    finally:
        server.close()
    message = caught.value.message
    assert "certificate is not trusted" in message
    assert "internet connection" not in message and "secret-token" not in message
    assert not isinstance(caught.value, errors.NetworkError)  # not "offline"
    assert server.connections == 1  # retrying cannot make a certificate trusted
