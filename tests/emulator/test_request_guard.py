"""The emulator answers only requests addressed to itself, with bodies of a sane size, and says
loudly when it listens beyond this computer."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from app.store_emulator import StoreEmulator
from app.store_emulator.emulator import max_request_bytes

REPO = Path(__file__).resolve().parents[2]


def _raw_exchange(port: int, head: str, body: bytes = b"") -> tuple[int, bytes]:
    """Sends a hand-written request; the status and whole answer (the server closes)."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(head.encode("latin-1") + body)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return int(answer.split(b" ", 2)[1]), answer


def _get(emulator: StoreEmulator, host: str | None, port: int | None = None) -> int:
    port = port or emulator.api_port
    host_line = "" if host is None else f"Host: {host}\r\n"
    status, _ = _raw_exchange(port, (
        f"GET /stores/{emulator.config.store_hash}/v2/products/count HTTP/1.1\r\n{host_line}"
        f"X-Auth-Token: {emulator.config.access_token}\r\nConnection: close\r\n\r\n"))
    return status


@pytest.mark.parametrize("host", ["evil.example:{port}", "evil.example", "127.0.0.1:1",
                                  "localhost.evil.example:{port}", "127.0.0.1:{port}@evil", ""])
def test_a_foreign_host_header_is_refused(emulator: StoreEmulator, host: str) -> None:
    """DNS rebinding: a web page whose domain now points at 127.0.0.1 gets nothing."""
    assert _get(emulator, host.format(port=emulator.api_port)) == 421
    assert _get(emulator, host.format(port=emulator.cdn_port), emulator.cdn_port) == 421


def test_a_missing_host_header_is_refused(emulator: StoreEmulator) -> None:
    assert _get(emulator, None) in (400, 421)


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}"])
def test_its_own_loopback_addresses_are_served(emulator: StoreEmulator, host: str) -> None:
    assert _get(emulator, host.format(port=emulator.api_port)) == 200


def test_a_body_over_the_cap_is_413_without_being_read(emulator: StoreEmulator) -> None:
    cap = max_request_bytes(emulator.config)
    images_before = emulator.image_count(1)
    path = f"/stores/{emulator.config.store_hash}/v2/products/1/images"
    # Announces one byte over the cap and sends none of it: the answer must not wait for it.
    status, answer = _raw_exchange(emulator.api_port, (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{emulator.api_port}\r\n"
        f"X-Auth-Token: {emulator.config.access_token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {cap + 1}\r\n\r\n"))
    assert status == 413 and b'"status": 413' in answer
    status, _ = _raw_exchange(emulator.api_port, (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{emulator.api_port}\r\n"
        f"X-Auth-Token: {emulator.config.access_token}\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"), b"5\r\n{}{}{\r\n")
    assert status == 411
    assert emulator.image_count(1) == images_before  # nothing was added


def _emulator_stderr(*args: str) -> str:
    process = subprocess.Popen(
        [sys.executable, "-m", "app.store_emulator", "--port", "0", "--cdn-port", "0", *args],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("Serving"):
            break
    process.terminate()
    _, stderr = process.communicate(timeout=15)
    return stderr


def test_listening_beyond_loopback_warns_that_the_credentials_are_public() -> None:
    warning = _emulator_stderr("--host", "0.0.0.0")
    assert "WARNING" in warning and "0.0.0.0" in warning and "public" in warning
    assert "WARNING" not in _emulator_stderr("--host", "127.0.0.1")
