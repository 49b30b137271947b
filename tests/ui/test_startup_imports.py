"""The window paints its start screen before httpx, Pillow or the store emulator are imported
(issue 11: start-up). Checked in a fresh interpreter, where nothing is loaded yet."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json, sys
from pathlib import Path
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication
import app.ui.application  # everything the start path imports
from app.credentials import CredentialStore
from app.services.store_registry import StoreRegistry
from app.ui.main_window import MainWindow
from app.ui.window_state import WindowStateFile

HEAVY = ("httpx", "PIL", "app.store_emulator", "app.ui.store_page", "keyring")
qt = QApplication(sys.argv[:1])
home = Path(sys.argv[1])
window = MainWindow(CredentialStore(), StoreRegistry(home / "stores.json"), home / "cache",
                    WindowStateFile(home / "window.ini"))

class AtFirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and watched.isWidgetType() \\
                and watched.window() is window:
            print(json.dumps(sorted(m for m in HEAVY if m in sys.modules)), flush=True)
            qt.removeEventFilter(self)
            qt.quit()
        return False

spy = AtFirstPaint()
qt.installEventFilter(spy)
window.show()
qt.exec()
"""


def test_the_start_screen_paints_before_network_and_picture_libraries_load(tmp_path) -> None:
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], cwd=ROOT,
                            env=environment, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded == []


def test_pillow_plugins_load_when_the_decoder_does_not_at_the_first_picture() -> None:
    """A plugin imported by the first decode, in a worker, stalled the scrolling grid."""
    script = ("import json, sys, PySide6.QtWidgets, app.services.picture_decoder; "
              "print(json.dumps(sorted(m for m in ('PIL.JpegImagePlugin', "
              "'PIL.PngImagePlugin', 'PIL.GifImagePlugin') if m in sys.modules)))")
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=environment,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["PIL.GifImagePlugin", "PIL.JpegImagePlugin",
                                         "PIL.PngImagePlugin"]
