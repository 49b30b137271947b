"""`--screenshot PATH`: save the window once the first screen of pictures has settled."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

from app.ui.store_page import StorePage

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_PICTURES_FAILED = 1
EXIT_TIMED_OUT = 2
#: How long the picture also waits for the product list's pictures and counts, which follow
#: the grid's first screen (side_work_hold); a row whose picture fails must not hold it up.
LIST_EXTRAS_WAIT_S = 3.0


class ScreenshotWhenSettled(QObject):
    """Polls until every card on screen has loaded or failed, then saves and quits.

    Exits 0 only if every visible picture loaded (the frozen-app smoke test relies on this).
    """

    def __init__(self, window: QMainWindow, path: Path, timeout_s: float = 90.0) -> None:
        super().__init__(window)
        self._window = window
        self._path = path
        self._deadline = time.monotonic() + timeout_s
        self.page: StorePage | None = None
        self._settled_polls = 0
        self._list_deadline: float | None = None
        self._timer = QTimer(self, interval=100)
        self._timer.timeout.connect(self._poll)
        self._timer.start()

    def watch(self, page: StorePage) -> None:
        self.page = page

    def _poll(self) -> None:
        outcome = self._outcome(time.monotonic() > self._deadline)
        if outcome is not None and outcome[0] != EXIT_TIMED_OUT and self._list_extras_loading():
            outcome = None
        if outcome is None:
            self._settled_polls = 0
            return
        # Two polls in a row with the same end: late layout passes (new cards in view, the
        # status bar taking in a late text) are drawn before the picture is taken.
        self._settled_polls += 1
        if self._settled_polls >= 2 or outcome[0] == EXIT_TIMED_OUT:
            self._finish(*outcome)

    def _outcome(self, timed_out: bool) -> tuple[int, str | None] | None:
        """How the window ended up, or None while it is still getting there."""
        page = self.page
        if page is not None and page.image_model.product_id is None and \
                page.product_model.failed:
            return EXIT_PICTURES_FAILED, "the product list could not be loaded"
        if page is None or not page.images_ready:
            return (EXIT_TIMED_OUT, "no product images before the time limit") if timed_out \
                else None
        if page.images_failed:
            return EXIT_PICTURES_FAILED, "the product's images could not be loaded"
        settled, failed = page.grid.visible_pictures_settled()
        if timed_out:
            return EXIT_TIMED_OUT, "pictures still loading at the time limit"
        if not settled:
            return None
        if failed:
            return EXIT_PICTURES_FAILED, f"{failed} visible picture(s) failed to load"
        return EXIT_OK, None

    def _list_extras_loading(self) -> bool:
        """The product list's pictures and counts, for a while (they follow the grid's)."""
        if self.page is None or not self.page.product_model.extras_loading():
            return False
        if self._list_deadline is None:
            self._list_deadline = time.monotonic() + LIST_EXTRAS_WAIT_S
        return time.monotonic() < self._list_deadline

    def _finish(self, code: int, problem: str | None) -> None:
        self._timer.stop()
        self._path.parent.mkdir(parents=True, exist_ok=True)
        saved = self._window.grab().save(str(self._path), "PNG")
        if not saved:
            problem, code = f"could not write {self._path}", EXIT_PICTURES_FAILED
        if problem:
            print(f"screenshot: {problem}; saved {self._path}" if saved
                  else f"screenshot: {problem}")
        else:
            print(f"screenshot: saved {self._path}")
        QApplication.exit(code)
