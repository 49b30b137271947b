"""Start-up work that the window does not need to paint waits for its first paint (issue 11:
start-up), and the first-paint probe watches the window, not every object in the app."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.credentials import CredentialStore
from app.services.store_registry import StoreRegistry
from app.ui.first_paint import after_first_paint, report_first_paint_if_asked
from app.ui.main_window import MainWindow
from tests.support.memory_keyring import MemoryKeyring


class _Canvas(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.paints = 0

    def paintEvent(self, event: QPaintEvent) -> None:
        self.paints += 1


def test_work_runs_once_the_window_has_painted_not_before(qtbot: QtBot) -> None:
    window = _Canvas()
    qtbot.addWidget(window)
    painted_when_run: list[int] = []
    after_first_paint(window, lambda: painted_when_run.append(window.paints))
    after_first_paint(window, lambda: painted_when_run.append(window.paints))
    QApplication.processEvents()
    assert painted_when_run == []  # not shown, not painted: nothing runs
    window.show()
    qtbot.waitUntil(lambda: len(painted_when_run) == 2)
    assert all(paints >= 1 for paints in painted_when_run)
    # Asked again later: runs soon, without waiting for another paint.
    after_first_paint(window, lambda: painted_when_run.append(-1))
    qtbot.waitUntil(lambda: painted_when_run[-1:] == [-1])


def _window_threads() -> int:
    return sum(thread.name.startswith("pim-window-") for thread in threading.enumerate())


def test_the_window_builds_its_tls_context_only_after_its_first_paint(
        qtbot: QtBot, tmp_path: Path) -> None:
    """Its imports (ssl, certifi) on a worker held the GIL while the window was built."""
    before = _window_threads()
    window = MainWindow(CredentialStore(MemoryKeyring()),
                        StoreRegistry(tmp_path / "stores.json"), tmp_path / "cache")
    qtbot.addWidget(window)
    QApplication.processEvents()
    assert _window_threads() == before
    window.show()
    qtbot.waitUntil(lambda: _window_threads() == before + 1)


def test_the_probe_reports_the_first_paint_once(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PIM_REPORT_FIRST_PAINT", "1")
    window = _Canvas()
    qtbot.addWidget(window)
    report_first_paint_if_asked(window)
    window.show()
    qtbot.waitUntil(lambda: window.paints >= 1)
    window.repaint()
    lines = [line for line in capsys.readouterr().out.splitlines()
             if line.startswith("first-paint ")]
    assert len(lines) == 1


def test_work_runs_even_if_the_window_never_paints(qtbot: QtBot,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A window started minimized paints only when restored; the work does not wait for it."""
    import app.ui.first_paint as first_paint
    monkeypatch.setattr(first_paint, "LATEST_MS", 50)
    window = _Canvas()
    qtbot.addWidget(window)
    ran: list[bool] = []
    after_first_paint(window, lambda: ran.append(True))
    qtbot.waitUntil(lambda: ran == [True], timeout=5000)
    assert window.paints == 0


_PREPARED_PROBE = r"""
import sys, threading
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

importers = []

class Probe:  # notes which thread imports the store page
    def find_spec(self, name, path=None, target=None):
        if name == "app.ui.store_page":
            importers.append(threading.current_thread() is threading.main_thread())
        return None

sys.meta_path.insert(0, Probe())
app = QApplication([])
from pathlib import Path
from tempfile import mkdtemp
from app.credentials import CredentialStore
from app.services.store_registry import StoreRegistry
from app.ui.main_window import MainWindow
from tests.support.memory_keyring import MemoryKeyring
tmp = Path(mkdtemp())
window = MainWindow(CredentialStore(MemoryKeyring()), StoreRegistry(tmp / "stores.json"),
                    tmp / "cache")
imported_before_show = "app.ui.store_page" in sys.modules
window.show()
import time
deadline = time.monotonic() + 30
while not window.prepared_for_a_store and time.monotonic() < deadline:
    QCoreApplication.processEvents()
    time.sleep(0.005)
print(imported_before_show, window.prepared_for_a_store, importers)
"""


def test_the_window_imports_the_store_page_on_a_worker_after_its_first_paint(
        tmp_path: Path) -> None:
    """Opening a store no longer starts with tens of milliseconds of imports on the GUI
    thread: they were done on a worker while the start screen was up. A fresh interpreter,
    since this test process imported the store page long ago."""
    import os
    import subprocess
    import sys
    root = Path(__file__).resolve().parents[2]
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(root))
    done = subprocess.run([sys.executable, "-c", _PREPARED_PROBE], capture_output=True,
                          text=True, timeout=120, cwd=root, env=environment)
    assert done.returncode == 0, done.stderr[-2000:]
    imported_before_show, prepared, importers = done.stdout.strip().splitlines()[-1].split(" ", 2)
    assert imported_before_show == "False"  # not at start-up: the first paint comes first
    assert prepared == "True"
    assert importers == "[False]"  # imported once, by a worker
