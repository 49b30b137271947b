"""Credentials refuse what would leak or break before anything is sent: plain http to another
computer, and secrets that cannot travel in an HTTP header."""

from __future__ import annotations

import httpx
import pytest

from app.api import BasicCredentials, OAuthCredentials, StoreClient
from app.api.transport import ApiTransport
from app.store_emulator import StoreEmulator
from tests.api.conftest import ClientFactory

TOKEN = "tok-Sup3rSecretOAuthToken-7731"
API_KEY = "key-Sup3rSecretBasicKey-4410"


class NothingMayLeave(httpx.BaseTransport):
    """A wire that fails the test if any request reaches it."""

    def __init__(self) -> None:
        self.sent: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return httpx.Response(200, json={"count": 0})


# ---- plain http ------------------------------------------------------------------------------

INSECURE = [
    OAuthCredentials("abc123", TOKEN, api_base="http://api.example.com/stores/abc123/v2"),
    OAuthCredentials("abc123", TOKEN, api_base="HTTP://api.example.com/stores/abc123/v2/"),
    BasicCredentials("http://store-abc123.mybigcommerce.com", "admin", API_KEY),
    BasicCredentials("https://store-abc123.mybigcommerce.com", "admin", API_KEY,
                     api_base="http://store-abc123.mybigcommerce.com/api/v2"),
    BasicCredentials("http://192.168.1.20", "admin", API_KEY),       # the LAN is a network
    BasicCredentials("http://localhost.example.com", "admin", API_KEY),
    OAuthCredentials("abc123", TOKEN, api_base="http://[::ffff:10.0.0.1]:8080/stores/a/v2"),
]


@pytest.mark.parametrize("credentials", INSECURE, ids=lambda c: c.kind)
def test_plain_http_to_another_host_is_refused_before_anything_is_sent(
        credentials: OAuthCredentials | BasicCredentials, make_client: ClientFactory) -> None:
    wire = NothingMayLeave()
    with pytest.raises(ValueError) as caught:
        _ = credentials.v2_base
    message = str(caught.value)
    assert "plain http" in message and "unencrypted" in message   # the problem
    assert "use https://" in message                               # the fix
    assert TOKEN not in message and API_KEY not in message
    with pytest.raises(ValueError, match="use https://"):
        make_client(credentials=credentials, wire=wire)
    with pytest.raises(ValueError, match="use https://"):
        StoreClient(credentials)
    with pytest.raises(ValueError, match="use https://"):
        ApiTransport(credentials, transport=wire)
    assert wire.sent == []


def test_the_message_names_the_https_address_to_use() -> None:
    """The address as typed (the field to fix), not one derived from it."""
    with pytest.raises(ValueError) as caught:
        _ = BasicCredentials("http://shop.example/", "admin", API_KEY).v2_base
    assert "use https://shop.example instead" in str(caught.value)


@pytest.mark.parametrize("base", [
    "http://127.0.0.1:8080/stores/abc123/v2", "http://localhost:8080/stores/abc123/v2",
    "http://[::1]:8080/stores/abc123/v2", "http://127.0.0.2/stores/abc123/v2",
    "https://api.example.com/stores/abc123/v2", "https://10.0.0.1/stores/abc123/v2",
])
def test_https_anywhere_and_plain_http_to_this_computer_are_accepted(base: str) -> None:
    assert OAuthCredentials("abc123", TOKEN, api_base=base).v2_base == base
    assert BasicCredentials("https://shop.example", "admin", API_KEY,
                            api_base=base).v2_base == base
    assert BasicCredentials(base.rsplit("/stores/", 1)[0], "admin", API_KEY).v2_base \
        == base.rsplit("/stores/", 1)[0] + "/api/v2"


def test_the_default_oauth_host_is_https() -> None:
    assert OAuthCredentials("abc123", TOKEN).v2_base.startswith("https://api.bigcommerce.com/")


def test_a_store_saved_with_plain_http_keeps_its_id() -> None:
    """So the app can still find (and forget) it; connecting is what fails."""
    oauth = OAuthCredentials("abc123", "", api_base="http://api.example.com/stores/abc123/v2")
    basic = BasicCredentials("http://shop.example", "admin", "")
    assert oauth.store_id == "oauth:abc123@http://api.example.com/stores/abc123/v2"
    assert basic.store_id == "basic:admin@http://shop.example/api/v2"


def test_the_emulator_over_loopback_http_still_works(
        emulator: StoreEmulator, make_client: ClientFactory, auth_style: str) -> None:
    assert emulator.oauth_api_base.startswith("http://127.0.0.1:")
    assert make_client(emulator, auth_style).count_products() > 0


def test_a_password_in_the_address_is_never_echoed() -> None:
    """Checked before the scheme, whose message repeats the address."""
    with pytest.raises(ValueError) as caught:
        _ = OAuthCredentials("abc", TOKEN, api_base=f"ftp://u:{TOKEN}@api.example/v2").v2_base
    assert TOKEN not in str(caught.value)
