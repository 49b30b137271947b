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


# ---- secrets that cannot travel in a header ----------------------------------------------------

SECRET = "Zq8Kq2ZrX7vLw4Yp9Hs3"  # shares no 4 characters with the message
PASTE_ACCIDENTS = {
    "zero-width space inside": SECRET[:8] + "\u200b" + SECRET[8:],
    "zero-width space at the end": SECRET + "\u200b",
    "byte order mark in front": "\ufeff" + SECRET,
    "newline at the end": SECRET + "\n",
    "CRLF inside (header injection)": SECRET[:8] + "\r\nX-Evil: 1" + SECRET[8:],
    "space inside": SECRET[:8] + " " + SECRET[8:],
    "leading space": " " + SECRET,
    "tab": SECRET + "\t",
    "non-breaking space": SECRET + "\u00a0",
    "accented letter": SECRET + "\u00e9",
    "NUL": SECRET + "\x00",
    "DEL": SECRET + "\x7f",
    "soft hyphen": SECRET[:8] + "\u00ad" + SECRET[8:],
}


def assert_quotes_no_part_of(secret: str, message: str) -> None:
    for start in range(len(secret) - 3):
        assert secret[start:start + 4] not in message, "the message quotes the secret"


@pytest.mark.parametrize("secret", PASTE_ACCIDENTS.values(), ids=PASTE_ACCIDENTS.keys())
def test_an_access_token_that_cannot_be_sent_is_refused_on_construction(secret: str) -> None:
    with pytest.raises(ValueError) as caught:
        OAuthCredentials("abc123", secret, api_base="http://127.0.0.1:9/stores/abc123/v2")
    message = str(caught.value)
    assert message == ("The access token contains a character that cannot be sent (an "
                       "invisible character from copying?). Paste it again.")
    assert_quotes_no_part_of(secret, message + repr(caught.value.args))
    assert caught.value.__cause__ is None and caught.value.__context__ is None


@pytest.mark.parametrize("secret", PASTE_ACCIDENTS.values(), ids=PASTE_ACCIDENTS.keys())
def test_an_api_key_or_user_name_that_cannot_be_sent_is_refused_on_construction(
        secret: str) -> None:
    with pytest.raises(ValueError) as caught:
        BasicCredentials("https://shop.example", "admin", secret)
    assert str(caught.value).startswith("The API key contains a character that cannot be sent")
    assert str(caught.value).endswith("Paste it again.")
    assert_quotes_no_part_of(secret, str(caught.value))
    with pytest.raises(ValueError) as caught:
        BasicCredentials("https://shop.example", secret, "key-OK-1234")
    assert str(caught.value).startswith("The user name contains a character that cannot be sent")
    assert_quotes_no_part_of(secret, str(caught.value))


def test_before_the_check_an_invisible_character_crashed_deep_in_httpx(
        emulator: StoreEmulator, make_client: ClientFactory) -> None:
    """What the merchant met: a UnicodeEncodeError from httpx, no ApiError, no advice."""
    with pytest.raises(ValueError, match="Paste it again"):
        make_client(emulator, "oauth", token=emulator.config.access_token + "\u200b")
    with pytest.raises(ValueError, match="Paste it again"):
        make_client(emulator, "basic", api_key=emulator.config.basic_key + "\n")
    assert emulator.requests() == []


def test_a_colon_in_the_user_name_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot contain ':'"):
        BasicCredentials("https://shop.example", "admin:key-OK-1234", "key-OK-1234")


def test_an_empty_secret_is_a_keyring_key_but_never_sent(make_client: ClientFactory) -> None:
    """The app names keyring entries with credentials("") (SavedStore.store_id)."""
    oauth = OAuthCredentials("abc123", "", api_base="http://127.0.0.1:9/stores/abc123/v2")
    basic = BasicCredentials("https://shop.example", "admin", "")
    assert oauth.store_id and basic.store_id
    wire = NothingMayLeave()
    with pytest.raises(ValueError, match="Enter the access token"):
        make_client(credentials=oauth, wire=wire)
    with pytest.raises(ValueError, match="Enter the API key"):
        make_client(credentials=basic, wire=wire)
    assert wire.sent == []
    with pytest.raises(ValueError, match="Enter the user name"):
        BasicCredentials("https://shop.example", "", "key-OK-1234")


@pytest.mark.parametrize("secret", [
    "demo-access-token", "tok-Sup3rSecretOAuthToken-7731", "a" * 200,
    "abc+/=~!#$%&'*.^_`|{}[]()<>@,;:\\\"?",  # every printable ASCII is fine in a token
])
def test_ordinary_secrets_are_accepted(secret: str) -> None:
    assert OAuthCredentials("abc123", secret).auth_headers() == {"X-Auth-Token": secret}
    assert BasicCredentials("https://shop.example", "admin@shop.example", secret).auth_headers()
