"""What the window remembers between runs: its place and size, the splitter widths, the card
size, and the last store and product.

An ini file in the app's config folder (beside stores.json, so the portable build keeps it in
its own folder too), through QSettings. `load` and `save` may run on any thread: each call
uses its own QSettings object.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QByteArray, QRect, QSettings

GEOMETRY = "window/geometry"          # QRect: the normal (not maximized) geometry
MAXIMIZED = "window/maximized"        # bool
SPLITTER = "store_page/splitter"      # QByteArray: QSplitter.saveState()
CARD_SIZE = "grid/card_size"          # int: the picture width of a card, in pixels
LAST_STORE = "last/store_id"          # str: SavedStore.store_id of the last store opened
LAST_PRODUCT = "last/product_id"      # int: the product shown last in that store


@dataclass
class RememberedState:
    geometry: QRect | None = None
    maximized: bool = False
    splitter: QByteArray | None = None
    card_size: int | None = None
    last_store: str | None = None
    last_product: int | None = None


class WindowStateFile:
    def __init__(self, path: Path) -> None:
        self.path = path

    def _settings(self) -> QSettings:
        return QSettings(str(self.path), QSettings.Format.IniFormat)

    def load(self) -> RememberedState:
        settings = self._settings()
        geometry = settings.value(GEOMETRY)
        splitter = settings.value(SPLITTER)
        card_size = settings.value(CARD_SIZE, 0, type=int)
        last_product = settings.value(LAST_PRODUCT, 0, type=int)
        return RememberedState(
            geometry=geometry if isinstance(geometry, QRect) and geometry.isValid() else None,
            maximized=bool(settings.value(MAXIMIZED, False, type=bool)),
            splitter=splitter if isinstance(splitter, QByteArray) and splitter.size() else None,
            card_size=card_size or None,
            last_store=str(settings.value(LAST_STORE, "") or "") or None,
            last_product=last_product if last_product > 0 else None)

    def save(self, state: RememberedState) -> None:
        settings = self._settings()
        values = {GEOMETRY: state.geometry, MAXIMIZED: state.maximized,
                  SPLITTER: state.splitter, CARD_SIZE: state.card_size,
                  LAST_STORE: state.last_store, LAST_PRODUCT: state.last_product}
        for key, value in values.items():
            if value is None:
                settings.remove(key)
            else:
                settings.setValue(key, value)
        settings.sync()
