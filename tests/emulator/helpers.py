"""HTTP clients and picture bytes for the emulator's contract tests."""

from __future__ import annotations

import io

import httpx
from PIL import Image

from app.store_emulator import StoreEmulator

JSON_HEADERS = {"Content-Type": "application/json"}


def oauth_client(emulator: StoreEmulator, token: str | None = None, version: str = "v2",
                 ) -> httpx.Client:
    base = emulator.oauth_api_base if version == "v2" else emulator.v3_api_base
    return httpx.Client(base_url=base, trust_env=False, timeout=20.0, headers={
        "X-Auth-Token": token if token is not None else emulator.config.access_token,
        "Accept": "application/json"})


def basic_client(emulator: StoreEmulator, key: str | None = None) -> httpx.Client:
    config = emulator.config
    return httpx.Client(base_url=emulator.basic_api_base, trust_env=False, timeout=20.0,
                        auth=(config.basic_user, key if key is not None else config.basic_key),
                        headers={"Accept": "application/json"})


def plain_client() -> httpx.Client:
    return httpx.Client(trust_env=False, timeout=20.0)


def picture_bytes(fmt: str = "JPEG", size: tuple[int, int] = (120, 160),
                  colour: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, fmt)
    return buffer.getvalue()


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
