"""The two ways to reach a store's v2 API, and where each one's requests go.

OAuth: `https://api.bigcommerce.com/stores/{hash}/v2` with `X-Auth-Token`.
Legacy Basic: `https://{store domain}/api/v2` with HTTP Basic `username:api_key`.
Either may override the API base (a staging host, the local emulator). Secrets are excluded
from `repr` so they cannot leak into logs or tracebacks through an f-string, and are checked
on construction: what cannot travel in an HTTP header is refused with a message that never
quotes them.
"""

from __future__ import annotations

import base64
import ipaddress
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

OAUTH_API_HOST = "https://api.bigcommerce.com"


def _is_loopback(host: str | None) -> bool:
    """This computer (the local emulator): plain http to it never crosses a network."""
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback  # 127.0.0.0/8, ::1
    except ValueError:
        return False


def _clean_base(url: str, *, require_tls: bool = True) -> str:
    """`url` without trailing slashes; ValueError naming the fix for an address that cannot
    carry credentials: not http(s), with a user name or password in it, or plain http to
    anything but this computer (the credential would cross the network unencrypted)."""
    parts = urlsplit(url.strip())
    if parts.username or parts.password:
        # Checked first, so no message below ever echoes a password.
        # A URL is logged and shown; credentials belong in the keyring, never in it.
        raise ValueError("The address must not contain a user name or password; "
                         "enter them in their own fields.")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"'{url}' is not an http(s) address. Example: https://store-abc123.mybigcommerce.com")
    base = url.strip().rstrip("/")
    if require_tls and parts.scheme == "http" and not _is_loopback(parts.hostname):
        secure = "https://" + base[len("http://"):]
        raise ValueError(
            f"'{base}' uses plain http, which would send the access token or API key "
            f"unencrypted: use {secure} instead. (Plain http is only allowed to this "
            "computer: localhost, 127.0.0.1 or ::1.)")
    return base


# Printable ASCII without whitespace: what a token, key or user name can be in a header.
# Anything else is a paste accident (a zero-width space, a line break, a non-breaking space).
_SENDABLE = re.compile(r"[\x21-\x7e]*")
_UNSENDABLE = ("The {what} contains a character that cannot be sent (an invisible character "
               "from copying?). {again}")


def _check_sendable(value: object, what: str, again: str = "Paste it again.") -> None:
    """ValueError unless `value` fits in a header. Never quotes the value: it may be secret.

    Empty passes: the app builds credentials with an empty secret as a key for the keyring
    (SavedStore.store_id); auth_headers() refuses an empty one before anything is sent."""
    if not isinstance(value, str) or not _SENDABLE.fullmatch(value):
        raise ValueError(_UNSENDABLE.format(what=what, again=again))


def _check_entered(value: str, message: str) -> str:
    if not value:
        raise ValueError(message)
    return value


@dataclass(frozen=True)
class OAuthCredentials:
    store_hash: str
    access_token: str = field(repr=False)
    api_base: str | None = None  # e.g. "http://127.0.0.1:8080/stores/abc123/v2"

    kind = "oauth"

    def __post_init__(self) -> None:
        _check_sendable(self.access_token, "access token")

    @property
    def v2_base(self) -> str:
        return self._v2(require_tls=True)

    def _v2(self, *, require_tls: bool) -> str:
        if self.api_base:
            return _clean_base(self.api_base, require_tls=require_tls)
        return f"{OAUTH_API_HOST}/stores/{self.store_hash}/v2"

    @property
    def v3_base(self) -> str:
        """The v3 API beside the v2 one (file uploads use it)."""
        base = self.v2_base
        if not base.endswith("/v2"):
            raise ValueError(f"The API base '{base}' should end in /v2 (e.g. "
                             "https://api.bigcommerce.com/stores/abc123/v2).")
        return base[: -len("/v2")] + "/v3"

    @property
    def store_id(self) -> str:
        """A stable, non-secret key for settings and the keyring.

        Lenient about plain http: a store saved with an http address before https was
        required keeps its id (so it can still be found and removed); connecting fails."""
        return f"oauth:{self.store_hash}@{self._v2(require_tls=False)}"

    @property
    def supports_file_upload(self) -> bool:
        return True

    def auth_headers(self) -> dict[str, str]:
        return {"X-Auth-Token": _check_entered(
            self.access_token, "Enter the access token of the store's API account.")}


@dataclass(frozen=True)
class BasicCredentials:
    store_url: str  # e.g. "https://store-abc123.mybigcommerce.com"
    username: str
    api_key: str = field(repr=False)
    api_base: str | None = None  # overrides store_url + "/api/v2"

    kind = "basic"

    def __post_init__(self) -> None:
        _check_entered(self.username, "Enter the user name of the store's legacy API account.")
        _check_sendable(self.username, "user name", again="Type it again.")
        if ":" in self.username:  # HTTP Basic splits user and key at the first colon
            raise ValueError("The user name cannot contain ':'. Check that the user name and "
                             "the API key are each in their own field.")
        _check_sendable(self.api_key, "API key")

    @property
    def v2_base(self) -> str:
        return self._v2(require_tls=True)

    def _v2(self, *, require_tls: bool) -> str:
        if self.api_base:
            return _clean_base(self.api_base, require_tls=require_tls)
        return _clean_base(self.store_url, require_tls=require_tls) + "/api/v2"

    @property
    def v3_base(self) -> str:
        raise NotImplementedError("v3 is OAuth-only")

    @property
    def store_id(self) -> str:
        return f"basic:{self.username}@{self._v2(require_tls=False)}"

    @property
    def supports_file_upload(self) -> bool:
        return False

    def auth_headers(self) -> dict[str, str]:
        _check_entered(self.api_key, "Enter the API key of the store's legacy API account.")
        token = base64.b64encode(f"{self.username}:{self.api_key}".encode()).decode("ascii")
        return {"Authorization": f"Basic {token}"}


StoreCredentials = OAuthCredentials | BasicCredentials
