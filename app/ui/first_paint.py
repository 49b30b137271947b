"""`PIM_REPORT_FIRST_PAINT=1`: print when the main window first paints (for benchmarks/startup.py).

Prints one line to stdout, `first-paint <seconds since the process started>`, the moment the
first paint event of any widget of the window arrives. The time comes from /proc (Linux, 10 ms
steps); benchmarks/startup.py times the line's arrival with its own clock instead. Without the
variable nothing is installed, so the normal start pays one environment look-up.
"""

from __future__ import annotations

import os
import time

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QWidget

ENVIRONMENT_VARIABLE = "PIM_REPORT_FIRST_PAINT"


def seconds_since_process_start() -> float:
    try:
        with open("/proc/self/stat", encoding="ascii") as stat, \
                open("/proc/uptime", encoding="ascii") as uptime:
            started_ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
            return float(uptime.read().split()[0]) - started_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.process_time()  # elsewhere: CPU time, a lower bound


class _FirstPaintReporter(QObject):
    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.Paint and isinstance(watched, QWidget)
                and watched.window() is self._window):
            print(f"first-paint {seconds_since_process_start():.3f}", flush=True)
            QApplication.instance().removeEventFilter(self)
        return False


def report_first_paint_if_asked(window: QWidget) -> None:
    if os.environ.get(ENVIRONMENT_VARIABLE) == "1":
        QApplication.instance().installEventFilter(_FirstPaintReporter(window))
