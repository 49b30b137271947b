"""The demo store: the built-in emulator on 127.0.0.1, started off the GUI thread."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.api.auth import OAuthCredentials
from app.services.session import StoreInfo

if TYPE_CHECKING:
    from app.store_emulator import StoreEmulator


class DemoStore:
    def __init__(self) -> None:
        self._emulator: StoreEmulator | None = None

    def start(self) -> StoreInfo:
        """Blocking (binds sockets, seeds a SQLite file): call from a worker thread."""
        from app.store_emulator import EmulatorConfig, StoreEmulator

        emulator = StoreEmulator(EmulatorConfig())
        emulator.start()
        self._emulator = emulator
        credentials = OAuthCredentials(emulator.config.store_hash, emulator.config.access_token,
                                       api_base=emulator.oauth_api_base)
        return StoreInfo("Demo store", credentials)

    def stop(self) -> None:
        if self._emulator is not None:
            self._emulator.stop()
            self._emulator = None
