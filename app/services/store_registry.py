"""The saved stores: only what is not secret (kind, hash or address, user name, API base).

Secrets live in the keyring under the store's id; removing a store removes its secret too.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from app.api.auth import BasicCredentials, OAuthCredentials, StoreCredentials

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SavedStore:
    label: str
    kind: str                 # "oauth" or "basic"
    store_hash: str = ""      # oauth
    store_url: str = ""       # basic
    username: str = ""        # basic
    api_base: str = ""        # optional override

    @property
    def store_id(self) -> str:
        return self.credentials("").store_id

    def credentials(self, secret: str) -> StoreCredentials:
        if self.kind == "oauth":
            return OAuthCredentials(self.store_hash, secret, self.api_base or None)
        return BasicCredentials(self.store_url, self.username, secret, self.api_base or None)

    @classmethod
    def from_credentials(cls, label: str, credentials: StoreCredentials) -> "SavedStore":
        if isinstance(credentials, OAuthCredentials):
            return cls(label, "oauth", store_hash=credentials.store_hash,
                       api_base=credentials.api_base or "")
        return cls(label, "basic", store_url=credentials.store_url,
                   username=credentials.username, api_base=credentials.api_base or "")


class StoreRegistry:
    """A small JSON file in the config directory, written atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def stores(self) -> list[SavedStore]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            log.warning("saved stores unreadable (%s); starting with none", exc)
            return []
        stores = []
        for item in raw.get("stores", []) if isinstance(raw, dict) else []:
            try:
                stores.append(SavedStore(**{k: str(v) for k, v in item.items()
                                            if k in SavedStore.__dataclass_fields__}))
            except TypeError:
                continue
        return stores

    def add(self, store: SavedStore) -> None:
        stores = [s for s in self.stores() if s.store_id != store.store_id]
        stores.append(store)
        self._write(stores)

    def remove(self, store_id: str) -> None:
        self._write([s for s in self.stores() if s.store_id != store_id])

    def _write(self, stores: list[SavedStore]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".stores-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"stores": [asdict(s) for s in stores]}, handle, indent=2)
        os.replace(tmp, self.path)
