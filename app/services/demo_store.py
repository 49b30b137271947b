"""The demo store: the built-in emulator on 127.0.0.1, started off the GUI thread."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from app.api.auth import OAuthCredentials
from app.api.tls import tls_context
from app.services.session import StoreInfo

if TYPE_CHECKING:
    from app.store_emulator import StoreEmulator


class DemoStore:
    def __init__(self) -> None:
        self._emulator: StoreEmulator | None = None
        self._lock = threading.Lock()

    def start(self) -> StoreInfo:
        """Blocking (binds sockets, seeds a SQLite file): call from a worker thread.

        Opening the demo again reuses the running store (and the edits made in it).
        """
        from app.store_emulator import EmulatorConfig, StoreEmulator

        tls_context()  # built here, off the GUI thread, before the session needs it
        with self._lock:
            if self._emulator is None:
                emulator = StoreEmulator(EmulatorConfig())
                emulator.start()
                self._emulator = emulator
            emulator = self._emulator
        credentials = OAuthCredentials(emulator.config.store_hash, emulator.config.access_token,
                                       api_base=emulator.oauth_api_base)
        return StoreInfo("Demo store", credentials)

    def stop(self) -> None:
        with self._lock:
            if self._emulator is not None:
                self._emulator.stop()
                self._emulator = None
