"""What a gallery state gets to work with: the window, the emulators, and ways to wait.

Everything here leans on things that stay put while the window's insides change: the
emulator's knobs and request log, `MainWindow.open_store`, `StorePage` attributes that exist
today, and real key and mouse events. Waits are for conditions, never for fixed times.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QApplication, QLabel,
                               QWidget)

from app.api.auth import OAuthCredentials
from app.services.session import StoreInfo
from app.store_emulator import EmulatorConfig, Faults, StoreEmulator
from app.ui.main_window import MainWindow
from app.ui.store_page import StorePage

POLL_MS = 20
DEFAULT_TIMEOUT_S = 20.0
# A state's wait for the network to fall quiet: long enough for the next request of a chain
# (the product list's pictures after its page) to start, short enough to keep runs fast.
QUIET_MS = 300


class StateNotReached(Exception):
    """The window never showed what the state waits for; the screenshot is kept anyway."""


class EmulatorPool:
    """Started emulators by name, reused by every state that asks for the same name.

    `reset()` runs between states: faults off, held requests let go, latency off, a fresh
    rate-limit window, so a state starts from a healthy store whatever the previous one did.
    """

    def __init__(self) -> None:
        self._started: dict[str, StoreEmulator] = {}

    def get(self, name: str, setup: Callable[[StoreEmulator], None] | None = None,
            **config: Any) -> StoreEmulator:
        """The emulator called `name`, started with `config` (and `setup` run) on first use."""
        emulator = self._started.get(name)
        if emulator is None:
            emulator = StoreEmulator(EmulatorConfig(**config)).start()
            self._started[name] = emulator
            if setup is not None:
                setup(emulator)
        return emulator

    def stopped(self, name: str) -> StoreEmulator:
        """An emulator that was started then stopped: its address refuses connections."""
        emulator = self._started.get(name)
        if emulator is None:
            emulator = StoreEmulator(EmulatorConfig()).start()
            emulator.stop()
            self._started[name] = emulator
        return emulator

    def reset(self) -> None:
        for emulator in self._started.values():
            for faults in (emulator.faults, emulator.cdn_faults):
                if faults.hold is not None:
                    faults.hold.set()  # what the state held is answered now
            emulator.faults = Faults()
            emulator.cdn_faults = Faults()
            emulator.config.latency_ms = 0
            emulator.config.cdn_latency_ms = 0
            emulator.reset_rate_limit()

    def stop_all(self) -> None:
        for emulator in self._started.values():
            emulator.stop()
        self._started.clear()


class Stage:
    """One window at one size, and the helpers a state drives it with."""

    def __init__(self, window: MainWindow, emulators: EmulatorPool) -> None:
        self.window = window
        self.emulators = emulators

    # ---- the store ----------------------------------------------------------------------

    def demo(self) -> StoreEmulator:
        """The shared demo store (24 products, the first with 300 images)."""
        return self.emulators.get("demo", catalog="demo")

    def open_store(self, emulator: StoreEmulator, product_id: int | None = None,
                   token: str | None = None, label: str = "Demo store") -> StorePage:
        """Opens `emulator`'s store in the window as a merchant's saved store would open."""
        credentials = OAuthCredentials(emulator.config.store_hash,
                                       token or emulator.config.access_token,
                                       api_base=emulator.oauth_api_base)
        page = self.window.open_store(StoreInfo(label, credentials), product_id)
        if page is None:
            raise StateNotReached("the window did not open the store")
        return page

    @property
    def page(self) -> StorePage:
        page = self.window.page
        if page is None:
            raise StateNotReached("no store is open")
        return page

    # ---- waiting ------------------------------------------------------------------------

    def wait_until(self, condition: Callable[[], object], what: str,
                   timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        """Runs the event loop until `condition()` is true; StateNotReached(what) if it never is."""
        deadline = time.monotonic() + timeout_s
        while True:
            QApplication.processEvents()
            if condition():
                return
            if time.monotonic() > deadline:
                raise StateNotReached(f"{what} (not within {timeout_s:g} s)")
            QTest.qWait(POLL_MS)

    def wait_for_requests(self, emulator: StoreEmulator, path_ends: str, after: int = 0,
                          timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        """Until the API has been asked for a path ending in `path_ends` (after request `after`)."""
        self.wait_until(lambda: any(r.path.endswith(path_ends)
                                    for r in emulator.requests()[after:]),
                        f"a request for …{path_ends}", timeout_s)

    def wait_quiet(self, emulator: StoreEmulator, quiet_ms: int = QUIET_MS,
                   timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        """Until neither the API nor the CDN has had a new request for `quiet_ms`."""
        last_count = -1
        last_change = time.monotonic()

        def quiet() -> bool:
            nonlocal last_count, last_change
            count = len(emulator.requests()) + len(emulator.cdn_requests())
            now = time.monotonic()
            if count != last_count:
                last_count, last_change = count, now
            return now - last_change >= quiet_ms / 1000

        self.wait_until(quiet, "the store to stop receiving requests", timeout_s)

    def wait_pictures_settled(self, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        """Until every card on screen has its picture or its failure, two polls in a row
        (a late layout pass can bring more cards into view)."""
        settled_polls = 0

        def settled() -> bool:
            nonlocal settled_polls
            settled_polls = settled_polls + 1 if self.page.grid.visible_pictures_settled()[0] \
                else 0
            return settled_polls >= 2

        self.wait_until(settled, "the visible pictures to load or fail", timeout_s)

    def open_product_and_settle(self, product_id: int = 1) -> StorePage:
        """The demo store with `product_id` shown and its visible pictures loaded."""
        demo = self.demo()
        page = self.open_store(demo, product_id)
        self.wait_until(lambda: page.images_ready and not page.images_failed,
                        f"product {product_id}'s images")
        self.wait_pictures_settled()
        self.wait_quiet(demo)
        return page

    def shows_text(self, text: str) -> bool:
        """Is `text` on screen: in a visible label or button, or an item of a visible list?"""
        for widget in self.window.findChildren(QWidget):
            if not widget.isVisible():
                continue
            if isinstance(widget, (QLabel, QAbstractButton)) and text in widget.text():
                return True
            if isinstance(widget, QAbstractItemView) and widget.model() is not None:
                model = widget.model()
                for row in range(min(model.rowCount(), 50)):
                    if text in str(model.index(row, 0).data() or ""):
                        return True
        return False

    # ---- the merchant's hands -----------------------------------------------------------

    def click_row(self, view: QAbstractItemView, row: int,
                  modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        """A left click in the middle of `row`'s item, scrolled into view first."""
        index = view.model().index(row, 0)
        view.scrollTo(index)
        QApplication.processEvents()
        point: QPoint = view.visualRect(index).center()
        QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, modifier, point)

    @staticmethod
    def press(widget: QWidget, key: Qt.Key,
              modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
              times: int = 1) -> None:
        for _ in range(times):
            QTest.keyClick(widget, key, modifier)

    @contextmanager
    def new_widgets_over(self, area: QWidget) -> Iterator[Callable[[], bool]]:
        """Yields a check: has a widget appeared since (a window, or one covering at least half
        of `area`)? For overlays such as a loupe, whatever their class or name."""
        before = {id(widget) for widget in QApplication.allWidgets() if widget.isVisible()}
        target = area.rect().translated(area.mapToGlobal(QPoint(0, 0)))
        target_area = max(1, target.width() * target.height())

        def appeared() -> bool:
            for widget in QApplication.allWidgets():
                if id(widget) in before or not widget.isVisible():
                    continue
                if widget.windowType() == Qt.WindowType.ToolTip:
                    continue
                if widget.isWindow() and widget is not self.window:
                    return True
                rect = widget.rect().translated(widget.mapToGlobal(QPoint(0, 0)))
                common = rect.intersected(target)
                if common.width() * common.height() * 2 >= target_area:
                    return True
            return False

        yield appeared
