"""QApplication set-up and the first window."""

from __future__ import annotations

import argparse
import sys

from PySide6.QtWidgets import QApplication, QLabel

from app import APP_NAME


def run_gui(args: argparse.Namespace) -> int:
    app = QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    label = QLabel(f"{APP_NAME}: the image grid arrives with the GUI issue.")
    label.resize(640, 400)
    label.show()
    return app.exec()
