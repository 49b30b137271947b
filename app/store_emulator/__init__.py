"""A local BigCommerce store: the v2 Product Images API, v2 products, v3 multipart image create,
and a CDN, faithful to the reference docs. Stdlib, Werkzeug, Pillow and httpx only: no Qt, and
nothing else from `app`, so it can run on its own (`python -m app.store_emulator`)."""

from .config import EmulatorConfig, Faults
from .emulator import StoreEmulator
from .recording import RecordedRequest

__all__ = ["EmulatorConfig", "Faults", "RecordedRequest", "StoreEmulator"]
