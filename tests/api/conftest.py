"""Clients of both auth styles pointed at a running emulator, with fast retry delays."""

from __future__ import annotations

import io
import json
import socket
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from PIL import Image

from app.api import BasicCredentials, OAuthCredentials, StoreClient
from app.api.auth import StoreCredentials
from app.api.retry import RetryPolicy
from app.api.transport import ApiTransport
from app.store_emulator import StoreEmulator
from tests.hostile.api_fixtures import hostile_api  # noqa: F401  (a fixture)

AUTH_STYLES = ("oauth", "basic")


def fast_retry(**overrides: Any) -> RetryPolicy:
    """Real retry logic, tiny delays: a test never waits for backoff."""
    return RetryPolicy(**{"base_delay": 0.01, "max_delay": 0.05, **overrides})


def credentials_for(emu: StoreEmulator, style: str, *, token: str | None = None,
                    api_key: str | None = None) -> StoreCredentials:
    config = emu.config
    if style == "oauth":
        return OAuthCredentials(config.store_hash, token or config.access_token,
                                api_base=emu.oauth_api_base)
    assert style == "basic"
    return BasicCredentials(emu.store_url, config.basic_user, api_key or config.basic_key,
                            api_base=emu.basic_api_base)


ClientFactory = Callable[..., StoreClient]


@pytest.fixture
def make_client() -> Iterator[ClientFactory]:
    """make_client(emu, style, token=, api_key=, credentials=, wire=, **transport options)."""
    made: list[StoreClient] = []

    def make(emu: StoreEmulator | None = None, style: str = "oauth", *,
             token: str | None = None, api_key: str | None = None,
             credentials: StoreCredentials | None = None, **options: Any) -> StoreClient:
        if credentials is None:
            assert emu is not None
            credentials = credentials_for(emu, style, token=token, api_key=api_key)
        options.setdefault("retry", fast_retry())
        wire = options.pop("wire", None)  # an httpx transport under the ApiTransport
        if wire is not None:
            options["transport"] = ApiTransport(credentials, transport=wire, **options)
        client = StoreClient(credentials, **options)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture(params=AUTH_STYLES)
def auth_style(request: pytest.FixtureRequest) -> str:
    return request.param


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def methods_and_paths(emu: StoreEmulator) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in emu.requests()]


class RecordingTransport(httpx.HTTPTransport):
    """A real HTTP transport that also keeps each request it sent (bodies included).

    The emulator records method, path, query and headers but not bodies; this sees what the
    client actually put on the wire, without replacing the network.
    """

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.sent.append(request)
        return super().handle_request(request)

    def json_bodies(self, method: str) -> list[Any]:
        return [json.loads(r.content) for r in self.sent if r.method == method and r.content]


PILLOW_FORMATS = {"jpeg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP"}


def picture_bytes(kind: str = "png", size: tuple[int, int] = (32, 24)) -> bytes:
    """A real, small picture made by Pillow."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buffer, format=PILLOW_FORMATS[kind])
    return buffer.getvalue()


def spend_quota(emu: StoreEmulator, requests: int) -> None:
    """Another app on the same store (plain httpx, no pacing) uses up part of the quota."""
    with httpx.Client(headers={"X-Auth-Token": emu.config.access_token}) as other_app:
        for _ in range(requests):
            other_app.get(f"{emu.oauth_api_base}/products/count").raise_for_status()
