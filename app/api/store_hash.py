"""The store hash out of whatever a merchant pastes for it.

BigCommerce shows the hash inside other things: the API account's "API path"
(`https://api.bigcommerce.com/stores/abc123/v3/`), the store's address
(`https://store-abc123.mybigcommerce.com`) and every control-panel page under it (`/manage/…`).
Each of those is accepted; anything else is refused with an example, and never quoted back (a
token pasted into the wrong field must not end up on screen).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

API_HOST = "api.bigcommerce.com"
EXPECTED = ("Paste one of these:\n"
            "• the API path, e.g. https://api.bigcommerce.com/stores/abc123/v3/\n"
            "• the store's address, e.g. https://store-abc123.mybigcommerce.com\n"
            "• the hash alone, e.g. abc123")

_HASH = r"[A-Za-z0-9]{1,64}"
_BARE = re.compile(_HASH)
_STORE_HOST = re.compile(rf"store-({_HASH})\.mybigcommerce\.com", re.IGNORECASE)
_API_PATH = re.compile(rf"/?stores/({_HASH})(?:/.*)?")


def parse_store_hash(text: str) -> str:
    """The hash in `text`; ValueError saying what is expected when there is none."""
    text = text.strip()
    if not text:
        raise ValueError(f"Enter the store hash. {EXPECTED}")
    if _BARE.fullmatch(text):
        return text
    path_only = _API_PATH.fullmatch(text)  # "/stores/abc123/v3/" without the host
    if path_only:
        return path_only.group(1)
    parts = urlsplit(text if "://" in text else f"https://{text}")
    if parts.scheme in ("http", "https") and not parts.username and not parts.password:
        host = (parts.hostname or "").lower()
        store = _STORE_HOST.fullmatch(host)
        if store:
            return store.group(1).lower()  # host names are case-insensitive; hashes are lower
        api = _API_PATH.fullmatch(parts.path)
        if api and host == API_HOST:
            return api.group(1)
    raise ValueError(f"That is not a store hash. {EXPECTED}")
