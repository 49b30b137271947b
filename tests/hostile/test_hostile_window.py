"""The real window against a hostile store: it never freezes, never renders the store's markup,
and always ends in a message a merchant can read (or the store's data shown as plain text).

The client-level suite (test_hostile_api.py) proves each answer ends in time and in bounded
memory; here the same answers reach the window through the app's own threads. The GUI-thread
guard is active (no network, decoding or file I/O on the GUI thread), and a 5 ms heartbeat on
the GUI thread measures the longest moment the window could not react: a freeze shows as a gap
of seconds, whatever the machine's load, so the bound is a freeze detector, not a benchmark.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.api.auth import OAuthCredentials
from app.credentials import CredentialStore
from app.services.session import StoreInfo
from app.services.store_registry import StoreRegistry
from app.ui.main_window import MainWindow
from app.ui.store_page import StorePage
from tests.hostile.hostile_api import HostileApiServer
from tests.support.memory_keyring import MemoryKeyring

#: Answers that end fast (no drips or silences: those wait out the app's 90 s deadline, and the
#: client-level suite covers them with a short one).
ANSWERS = ["gzip-bomb", "stacked-gzip", "broken-gzip", "html-page", "deep-nesting",
           "wrong-types", "markup-everywhere", "retry-after-years", "redirect-elsewhere",
           "garbage-status-line", "html-500", "page-longer-than-limit"]
FROZEN_MS = 1000   # a gap this long is a frozen window on any machine
_MARKUP = re.compile(r"<\s*[a-zA-Z/!?]")


def _settled(page: StorePage) -> bool:
    products = page.product_model
    return page.images_ready and not products.loading and (products.failed or
                                                           products.rowCount() > 0)


def _shown_labels(window: MainWindow) -> list[QLabel]:
    return [label for label in window.findChildren(QLabel) if label.isVisibleTo(window)]


@pytest.mark.parametrize("answer", ANSWERS)
def test_the_window_stays_responsive_plain_and_says_what_happened(
        qtbot: QtBot, hostile_api: HostileApiServer, tmp_path: Path, gui_thread_guard,
        answer: str) -> None:
    window = MainWindow(CredentialStore(MemoryKeyring()),
                        StoreRegistry(tmp_path / "config" / "stores.json"), tmp_path / "cache")
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    ticks: list[float] = []
    heartbeat = QTimer(interval=5)
    heartbeat.setTimerType(Qt.TimerType.PreciseTimer)
    heartbeat.timeout.connect(lambda: ticks.append(time.perf_counter()))
    heartbeat.start()
    credentials = OAuthCredentials("hostile", "hostile-test-token",
                                   api_base=hostile_api.api_base(answer))
    page = window.open_store(StoreInfo("Hostile store", credentials), 1)
    assert page is not None
    qtbot.waitUntil(lambda: _settled(page), timeout=60000)
    qtbot.wait(100)  # a few more ticks after the last answer was shown
    heartbeat.stop()
    longest = max((b - a) * 1000 for a, b in zip(ticks, ticks[1:]))
    print(f"{answer}: longest GUI-thread gap {longest:.0f} ms over {len(ticks)} ticks")
    assert longest < FROZEN_MS, f"the window froze for {longest:.0f} ms"

    for label in _shown_labels(window):
        if label.textFormat() != Qt.TextFormat.PlainText and _MARKUP.search(label.text()):
            raise AssertionError(f"{label.accessibleName() or label.objectName()!r} would "
                                 f"render the store's markup: {label.text()[:120]!r}")
    texts = " ".join(label.text() for label in _shown_labels(window))
    if answer == "markup-everywhere":  # the store's markup reached the window, as text
        assert "SALE" in texts and "<b" in texts
    assert "Traceback" not in texts and "hostile-test-token" not in texts
    if page.images_failed:
        # A failure: the grid's panel names it in words, without HTTP in the main text.
        panel = page.grid_panel
        assert panel.isVisibleTo(window) and panel.title.strip()
        assert not re.search(r"\b(GET|POST|PUT|HTTP/|/v2/)", panel.title + panel.why)
    window.close()
