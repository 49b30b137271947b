"""Process start to first paint: `python -m app` showing its start screen vs a bare
QApplication with an empty QMainWindow, each a fresh subprocess, medians of 5.

Both report their first paint with the same kind of event filter, on the window only (the
app's is app/ui/first_paint.py, switched on by PIM_REPORT_FIRST_PAINT=1); this script times,
with its own clock, from just before starting the process to the moment that line arrives.
Config and cache live in an empty temporary folder, so the app shows its start screen, as on a
first run.

Both run with Python's bytecode cache, as an installed app does (benchmarks/installed.py).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.figures import Figure, Size
from benchmarks.installed import child_environment, compile_app

ROOT = Path(__file__).resolve().parent.parent

BARE_WINDOW = """
import sys
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMainWindow

class Reporter(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            print("first-paint", flush=True)
            watched.removeEventFilter(self)
        return False

app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1100, 720)
reporter = Reporter()
window.installEventFilter(reporter)
window.show()
app.exec()
"""


def time_to_first_paint(arguments: list[str], home: Path) -> float:
    """Seconds from starting `python arguments…` to its first-paint line."""
    environment = child_environment(
        home / "bytecode", PIM_REPORT_FIRST_PAINT="1", QT_QPA_PLATFORM="offscreen",
        XDG_CONFIG_HOME=str(home / "config"), XDG_CACHE_HOME=str(home / "cache"),
        PYTHONPATH=str(ROOT))
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, *arguments], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, env=environment, cwd=ROOT, text=True)
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("first-paint"):
                return time.perf_counter() - started
        raise RuntimeError(f"{arguments} exited without painting")
    finally:
        process.kill()
        process.wait()


def run(size: Size) -> list[Figure]:
    rounds = 5 if size == "full" else 1
    app_times, bare_times = [], []
    with tempfile.TemporaryDirectory(prefix="pim-startup-") as folder:
        home = Path(folder)
        compile_app(home / "bytecode")
        for _ in range(rounds):  # alternate, so both see the same machine load
            bare_times.append(time_to_first_paint(["-c", BARE_WINDOW], home))
            app_times.append(time_to_first_paint(["-m", "app"], home))
    return [Figure("process start to first paint (start screen)",
                   statistics.median(app_times) * 1000, statistics.median(bare_times) * 1000,
                   "ms", "a bare QApplication + empty QMainWindow", target="≤ 2x the bare window")]


if __name__ == "__main__":
    from benchmarks.figures import table
    print(table(run("full")))
