"""The saved stores: only what is not secret (kind, hash or address, user name, API base).

Secrets live in the keyring under the store's id; removing a store removes its secret too.
The file is read and written on a worker (the window's "stores" lane, one task at a time),
written atomically (a temporary file, then `os.replace`), and never overwritten when it cannot
be read: a damaged file is moved aside first, and the caller is told where it went.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from app.api.auth import BasicCredentials, OAuthCredentials, StoreCredentials
from app.api.store_hash import parse_store_hash

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

    @property
    def detail(self) -> str:
        """What tells two stores apart in a list: the hash, or the address and user."""
        return self.store_hash if self.kind == "oauth" else f"{self.username} at {self.store_url}"

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


@dataclass(frozen=True)
class SavedStores:
    """What the file holds now, and whether a damaged file had to be moved aside to get it."""
    stores: list[SavedStore] = field(default_factory=list)
    set_aside: Path | None = None   # where the damaged file now is
    problem: str = ""               # what was wrong with it, in plain words


class StoresFileUnreadable(OSError):
    """The file exists but cannot be read (or moved aside): nothing may be written over it."""


def _store_from(item: object) -> SavedStore:
    """One entry of the file; ValueError when it is not a store this app could have written."""
    if not isinstance(item, dict):
        raise ValueError("an entry is not a store")
    fields = {k: v for k, v in item.items() if k in SavedStore.__dataclass_fields__}
    if not all(isinstance(v, str) for v in fields.values()):
        raise ValueError("an entry has a field that is not text")
    try:
        store = SavedStore(**fields)
    except TypeError as exc:
        raise ValueError("an entry misses its name or kind") from exc
    if store.kind not in ("oauth", "basic"):
        raise ValueError("an entry has an unknown kind")
    if store.kind == "oauth" and parse_store_hash(store.store_hash) != store.store_hash:
        raise ValueError("an entry has a store hash that is not one")
    _ = store.store_id  # the address and user name make sense (ValueError otherwise)
    return store


def _parse(text: str) -> tuple[list[SavedStore], str]:
    """The stores in the file's text, and what was wrong with it ("" when nothing was)."""
    try:
        raw = json.loads(text)
    except ValueError:
        return [], "it is not valid JSON"
    if not isinstance(raw, dict) or not isinstance(raw.get("stores"), list):
        return [], "it has no list of stores"
    stores: list[SavedStore] = []
    problem = ""
    for item in raw["stores"]:
        try:
            stores.append(_store_from(item))
        except ValueError as exc:
            problem = problem or str(exc)
    return stores, problem


class StoreRegistry:
    """A small JSON file in the config directory. Blocking: call it from a worker."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> SavedStores:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return SavedStores()
        except OSError as exc:
            raise StoresFileUnreadable(
                f"The list of saved stores ({self.path}) cannot be read: "
                f"{exc.strerror or exc}. Check the file's permissions, then restart.") from exc
        try:
            stores, problem = _parse(data.decode("utf-8"))
        except UnicodeDecodeError:
            stores, problem = [], "it is not text"
        if not problem:
            return SavedStores(stores)
        aside = self._set_aside()
        log.warning("saved stores file damaged (%s); moved to %s", problem, aside)
        return SavedStores(stores, aside, problem)

    def stores(self) -> list[SavedStore]:
        return self.load().stores

    def add(self, store: SavedStore) -> SavedStores:
        """Saves `store` (replacing one with the same id); returns what the file now holds."""
        return self.replace(store.store_id, store)

    def replace(self, old_id: str, store: SavedStore) -> SavedStores:
        """Puts `store` where the store `old_id` was (at the end if there was none)."""
        current = self.load()
        stores = [s for s in current.stores if s.store_id != store.store_id]
        ids = [s.store_id for s in stores]
        if old_id in ids:
            stores[ids.index(old_id)] = store
        else:
            stores.append(store)
        self._write(stores)
        return SavedStores(stores, current.set_aside, current.problem)

    def remove(self, store_id: str) -> SavedStores:
        current = self.load()
        stores = [s for s in current.stores if s.store_id != store_id]
        self._write(stores)
        return SavedStores(stores, current.set_aside, current.problem)

    def _set_aside(self) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        n = 1
        while aside.exists():
            n += 1
            aside = self.path.with_name(f"{self.path.name}.damaged-{stamp}-{n}")
        try:
            os.replace(self.path, aside)
        except OSError as exc:
            raise StoresFileUnreadable(
                f"The list of saved stores ({self.path}) is damaged and could not be moved "
                f"aside: {exc.strerror or exc}. Move or delete it, then restart.") from exc
        return aside

    def _write(self, stores: list[SavedStore]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".stores-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"stores": [asdict(s) for s in stores]}, handle, indent=2)
                handle.flush()
                os.fsync(handle.fileno())  # the new list is on disk before it replaces the old
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
