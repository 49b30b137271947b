"""The two ways to reach a store's v2 API, and where each one's requests go.

OAuth: `https://api.bigcommerce.com/stores/{hash}/v2` with `X-Auth-Token`.
Legacy Basic: `https://{store domain}/api/v2` with HTTP Basic `username:api_key`.
Either may override the API base (a staging host, the local emulator). Secrets are excluded
from `repr` so they cannot leak into logs or tracebacks through an f-string.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from urllib.parse import urlsplit

OAUTH_API_HOST = "https://api.bigcommerce.com"


def _clean_base(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"'{url}' is not an http(s) address. Example: https://store-abc123.mybigcommerce.com")
    if parts.username or parts.password:
        # A URL is logged and shown; credentials belong in the keyring, never in it.
        raise ValueError("The address must not contain a user name or password; "
                         "enter them in their own fields.")
    return url.strip().rstrip("/")


@dataclass(frozen=True)
class OAuthCredentials:
    store_hash: str
    access_token: str = field(repr=False)
    api_base: str | None = None  # e.g. "http://127.0.0.1:8080/stores/abc123/v2"

    kind = "oauth"

    @property
    def v2_base(self) -> str:
        if self.api_base:
            return _clean_base(self.api_base)
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
        """A stable, non-secret key for settings and the keyring."""
        return f"oauth:{self.store_hash}@{self.v2_base}"

    @property
    def supports_file_upload(self) -> bool:
        return True

    def auth_headers(self) -> dict[str, str]:
        return {"X-Auth-Token": self.access_token}


@dataclass(frozen=True)
class BasicCredentials:
    store_url: str  # e.g. "https://store-abc123.mybigcommerce.com"
    username: str
    api_key: str = field(repr=False)
    api_base: str | None = None  # overrides store_url + "/api/v2"

    kind = "basic"

    @property
    def v2_base(self) -> str:
        if self.api_base:
            return _clean_base(self.api_base)
        return _clean_base(self.store_url) + "/api/v2"

    @property
    def v3_base(self) -> str:
        raise NotImplementedError("v3 is OAuth-only")

    @property
    def store_id(self) -> str:
        return f"basic:{self.username}@{self.v2_base}"

    @property
    def supports_file_upload(self) -> bool:
        return False

    def auth_headers(self) -> dict[str, str]:
        token = base64.b64encode(f"{self.username}:{self.api_key}".encode()).decode("ascii")
        return {"Authorization": f"Basic {token}"}


StoreCredentials = OAuthCredentials | BasicCredentials
