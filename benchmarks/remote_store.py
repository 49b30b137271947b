"""A store emulator in its own process, so its work never shows up in the app's measurements.

The emulator is pure Python (Werkzeug, Pillow): run in the measured process it would hold the
GIL while it answers, and its memory would count as the app's.
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any


@dataclass(frozen=True)
class StoreAddress:
    api_base: str
    cdn_origin: str
    store_hash: str
    access_token: str
    product_ids: dict[str, int]   # the extra products asked for, by name


def _serve(config: dict[str, Any], products: dict[str, int], conn: Connection) -> None:
    from app.store_emulator import EmulatorConfig, StoreEmulator
    with StoreEmulator(EmulatorConfig(**config)) as emulator:
        ids = {name: emulator.add_product(name, name.upper()[:12], count)
               for name, count in products.items()}
        conn.send(StoreAddress(emulator.oauth_api_base, emulator.cdn_origin,
                               emulator.config.store_hash, emulator.config.access_token, ids))
        conn.recv()   # anything, or the parent's end closing, stops the store


class RemoteStore:
    """`with RemoteStore(latency_ms=40, products={"big": 1000}) as address: ...`"""

    def __init__(self, products: dict[str, int] | None = None, **config: Any) -> None:
        self._config = {"rate_limit_quota": 1_000_000, **config}
        self._products = products or {}

    def __enter__(self) -> StoreAddress:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, daemon=True,
                                        args=(self._config, self._products, child))
        self._process.start()
        if not self._conn.poll(60):
            self._process.kill()
            raise RuntimeError("the store emulator did not start within 60 s")
        address: StoreAddress = self._conn.recv()
        return address

    def __exit__(self, *exc: object) -> None:
        try:
            self._conn.send("stop")
        except OSError:
            pass
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()
