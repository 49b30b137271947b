"""What waits for the main window's first paint, and `PIM_REPORT_FIRST_PAINT=1` (for
benchmarks/startup.py).

`after_first_paint(window, work)` runs `work` on the GUI thread once the window has painted
for the first time: start-up work that is not needed to show the window (the keyring check,
the shared TLS context) starts there, so its worker threads do not compete for the GIL while
the window is built and painted.

With the variable set, one line goes to stdout, `first-paint <seconds since the process
started>`, the moment the window's first paint event arrives. The time comes from /proc
(Linux, 10 ms steps); benchmarks/startup.py times the line's arrival with its own clock.

The filter watches the window only, never the whole application: an application-wide Python
event filter is handed every object that gets an event, and the first object Qt created
internally (a timer's helper, say) makes PySide search every QObject subclass it knows for the
best wrapper type, building each class's enums on the way: ~40 ms, all before the first paint.
A top-level window is painted before its children, so its own paint event is the first.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QWidget

ENVIRONMENT_VARIABLE = "PIM_REPORT_FIRST_PAINT"


def seconds_since_process_start() -> float:
    try:
        with open("/proc/self/stat", encoding="ascii") as stat, \
                open("/proc/uptime", encoding="ascii") as uptime:
            started_ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
            return float(uptime.read().split()[0]) - started_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.process_time()  # elsewhere: CPU time, a lower bound


#: Waiting work runs after this long even if the window has not painted (started minimized).
LATEST_MS = 3000


class _FirstPaintWatcher(QObject):
    """One per window: runs the waiting work once, just after the window's first paint."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._waiting: list[Callable[[], None]] = []
        self.painted = False
        window.installEventFilter(self)
        QTimer.singleShot(LATEST_MS, self, self._release)

    def add(self, work: Callable[[], None]) -> None:
        if self.painted:
            QTimer.singleShot(0, work)
        else:
            self._waiting.append(work)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.painted:
            self._release()
        return False

    def _release(self) -> None:
        if self.painted:
            return
        self.painted = True
        self._window.removeEventFilter(self)
        # After this paint reaches the screen, not inside it.
        for work in self._waiting:
            QTimer.singleShot(0, work)
        self._waiting.clear()


def after_first_paint(window: QWidget, work: Callable[[], None]) -> None:
    """Runs `work` (on the GUI thread) once `window` has painted, or soon if it already has."""
    watcher = window.findChild(_FirstPaintWatcher,
                               options=Qt.FindChildOption.FindDirectChildrenOnly)
    if watcher is None:
        watcher = _FirstPaintWatcher(window)
    watcher.add(work)


def report_first_paint_if_asked(window: QWidget) -> None:
    if os.environ.get(ENVIRONMENT_VARIABLE) == "1":
        window.installEventFilter(_FirstPaintReporter(window))


class _FirstPaintReporter(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            print(f"first-paint {seconds_since_process_start():.3f}", flush=True)
            watched.removeEventFilter(self)
        return False
