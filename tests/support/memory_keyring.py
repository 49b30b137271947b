"""An in-memory keyring backend for unit tests: fast, private to one test, never on disk."""

from __future__ import annotations

import keyring.errors
from keyring.backend import KeyringBackend


def forget_backend_class(cls: type[KeyringBackend]) -> None:
    """Keep a test double out of keyring's auto-detection.

    keyring's metaclass registers every concrete KeyringBackend subclass, so a double defined in a
    test would otherwise be a candidate whenever any later code calls keyring.get_keyring().
    """
    KeyringBackend._classes.discard(cls)  # type: ignore[attr-defined]


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]  # the lowest priority the app accepts as real

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.passwords[(service, username)]
        except KeyError:
            raise keyring.errors.PasswordDeleteError("No such password!") from None


forget_backend_class(MemoryKeyring)
