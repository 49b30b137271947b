"""Does the grid stutter, and what does it cost in memory? Measured on the real main window.

A fresh process opens the real MainWindow (offscreen) on a store emulator running in another
process (40 ms API, 20 ms CDN latency), opens a product with an empty disk cache, scrolls it end
to end while its pictures load, and waits for the last screen. A 5 ms QTimer on the GUI thread
records every gap between its ticks: a gap is how long the window could not react.
- GUI gaps (p99, max) beside the same timer in the same window while nothing loads (the
  platform's own noise floor).
- Peak resident memory beside the window's own before the product opened; for the large
  product, the resident memory after a second pass beside the first (flat: ratio ~1).

Each gap over 16 ms is split (printed on stderr) into the GUI thread's own CPU time, its wait
for a CPU (Linux schedstat: other processes had it) and the rest, time blocked (the GIL, a
lock). On a busy machine most of a long gap is the wait for a CPU, not the app's work.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.figures import Figure, Size
from benchmarks.installed import child_environment, compile_app
from benchmarks.remote_store import RemoteStore, StoreAddress

API_LATENCY_MS = 40
CDN_LATENCY_MS = 20
HEARTBEAT_MS = 5


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


class _SchedStat:
    """The calling thread's time spent runnable but waiting for a CPU (Linux schedstat):
    the part of a stall the machine's other processes cause, not the app."""

    def __init__(self) -> None:
        path = f"/proc/self/task/{threading.get_native_id()}/schedstat"
        try:
            self._fd: int | None = os.open(path, os.O_RDONLY)
        except OSError:
            self._fd = None

    def run_queue_wait(self) -> float:
        if self._fd is None:
            return 0.0
        return int(os.pread(self._fd, 128, 0).split()[1]) / 1e9


def _stall_breakdown(ticks: list[float], clocks: list[tuple[float, float]]) -> dict:
    """Where the GUI thread's time went in the gaps over 16 ms: running (its own work),
    waiting for a CPU (other processes), or blocked (the GIL, a lock: the app's threads)."""
    total = {"gaps": 0, "wall_ms": 0.0, "running_ms": 0.0, "waiting_for_cpu_ms": 0.0,
             "blocked_ms": 0.0}
    worst: list[tuple[float, float, float, float]] = []
    for n in range(1, min(len(ticks), len(clocks))):
        wall = (ticks[n] - ticks[n - 1]) * 1000
        if wall <= 16:
            continue
        running = (clocks[n][0] - clocks[n - 1][0]) * 1000
        waiting = (clocks[n][1] - clocks[n - 1][1]) * 1000
        blocked = max(0.0, wall - running - waiting)
        total["gaps"] += 1
        total["wall_ms"] += wall
        total["running_ms"] += running
        total["waiting_for_cpu_ms"] += waiting
        total["blocked_ms"] += blocked
        worst.append((round(wall, 1), round(running, 1), round(waiting, 1), round(blocked, 1)))
    total["worst (wall, running, waiting for cpu, blocked)"] = sorted(worst, reverse=True)[:5]
    return total


def measure(address: dict, product_id: int, picture_width: int, passes: int) -> dict:
    """Runs in the measured process; returns plain numbers."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.api.auth import OAuthCredentials
    from app.credentials import CredentialStore
    from app.services.session import StoreInfo
    from app.services.store_registry import StoreRegistry
    from app.ui.main_window import MainWindow
    from benchmarks.soak import pump_until
    from tests.support.memory_keyring import MemoryKeyring

    app = QApplication([])  # noqa: F841
    tmp = Path(tempfile.mkdtemp(prefix="pim-bench-"))
    window = MainWindow(CredentialStore(MemoryKeyring()), StoreRegistry(tmp / "stores.json"),
                        tmp / "cache")
    window.resize(1280, 800)
    window.show()

    ticks: list[float] = []
    clocks: list[tuple[float, float]] = []   # the GUI thread's CPU time, run-queue wait (s)
    schedstat = _SchedStat()
    heartbeat = QTimer(interval=HEARTBEAT_MS)
    heartbeat.setTimerType(heartbeat.timerType().PreciseTimer)

    def beat() -> None:
        ticks.append(time.perf_counter())
        clocks.append((time.thread_time(), schedstat.run_queue_wait()))

    heartbeat.timeout.connect(beat)

    def gaps() -> list[float]:
        return [(b - a) * 1000 for a, b in zip(ticks, ticks[1:])]

    # The noise floor: the same timer, the same window, nothing to do.
    heartbeat.start()
    idle_until = time.perf_counter() + 1.0
    pump_until(lambda: time.perf_counter() > idle_until)
    idle = gaps()
    rss_before = _status_kb("VmRSS")

    ticks.clear()
    clocks.clear()
    credentials = OAuthCredentials(address["store_hash"], address["access_token"],
                                   api_base=address["api_base"])
    page = window.open_store(StoreInfo("Bench store", credentials), product_id)
    assert page is not None
    page.grid.picture_width = picture_width
    ticks.clear()   # building the store's page is a one-off; loading and scrolling are measured
    clocks.clear()
    pump_until(lambda: page.images_ready and not page.images_failed, timeout=60)
    bar = page.grid.verticalScrollBar()
    rss_after_pass: list[int] = []
    for _ in range(passes):
        for to_end in (True, False) if passes > 1 else (True,):
            step = max(1, page.grid.viewport().height() // 2)

            def scroll(to_end: bool = to_end) -> bool:
                # The range is read at each step: it changes while the layout settles.
                current, target = bar.value(), bar.maximum() if to_end else bar.minimum()
                if current == target:
                    return True
                bar.setValue(min(current + step, target) if to_end
                             else max(current - step, target))
                return False

            # One scroll step per frame (16 ms), as a merchant flicking the wheel would.
            scroller = QTimer(interval=16)
            arrived = [False]
            scroller.timeout.connect(lambda: arrived.__setitem__(0, scroll()))
            scroller.start()
            pump_until(lambda: arrived[0], timeout=120)
            scroller.stop()
            pump_until(lambda: page.grid.visible_pictures_settled()[0], timeout=120)
        rss_after_pass.append(_status_kb("VmRSS"))
    heartbeat.stop()
    loaded = gaps()
    result = {
        "stalls": _stall_breakdown(ticks, clocks),
        "idle_p99": _percentile(idle, 0.99), "idle_max": max(idle),
        "p99": _percentile(loaded, 0.99), "max": max(loaded),
        "median": statistics.median(loaded),
        "rss_before_mb": rss_before / 1024, "peak_mb": _status_kb("VmHWM") / 1024,
        "rss_after_pass_mb": [kb / 1024 for kb in rss_after_pass],
    }
    window.close()
    return result


def _measure_in_child(address: StoreAddress, product_id: int, width: int, passes: int,
                      bytecode: Path | None = None) -> dict:
    args = json.dumps({"address": address.__dict__, "product_id": product_id,
                       "picture_width": width, "passes": passes})
    done = subprocess.run([sys.executable, "-m", "benchmarks.grid_smoothness", args],
                          capture_output=True, text=True, timeout=600,
                          cwd=Path(__file__).resolve().parent.parent,
                          env=child_environment(bytecode) if bytecode is not None else None)
    if done.returncode != 0:
        raise RuntimeError(f"grid measurement failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(size: Size) -> list[Figure]:
    counts = (300, 1000) if size == "full" else (30,)
    latency = {"latency_ms": API_LATENCY_MS, "cdn_latency_ms": CDN_LATENCY_MS} \
        if size == "full" else {}
    figures: list[Figure] = []
    products = {f"bench{count}": count for count in counts}
    with RemoteStore(products=products, **latency) as address, \
            tempfile.TemporaryDirectory(prefix="pim-bytecode-") as bytecode:
        compile_app(Path(bytecode))  # modules imported while it scrolls load as installed
        for count in counts:
            product_id = address.product_ids[f"bench{count}"]
            passes = 2 if count >= 1000 else 1
            r = _measure_in_child(address, product_id, 386, passes, Path(bytecode))
            stalls = r["stalls"]
            print(f"grid_smoothness: {count} images: {stalls['gaps']} gaps over 16 ms, "
                  f"{stalls['wall_ms']:.0f} ms in all: the GUI thread ran "
                  f"{stalls['running_ms']:.0f} ms, waited for a CPU (other processes) "
                  f"{stalls['waiting_for_cpu_ms']:.0f} ms, was blocked (GIL, locks) "
                  f"{stalls['blocked_ms']:.0f} ms; load average "
                  f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", file=sys.stderr)
            what = f"{count} images, largest cards"
            floor = "the same timer, window idle"
            figures += [
                Figure(f"GUI gap p99 while {what} load and scroll", r["p99"], r["idle_p99"],
                       "ms", floor, target="< 16 ms"),
                Figure(f"GUI gap max while {what} load and scroll", r["max"], r["idle_max"],
                       "ms", floor, target="< 50 ms"),
                Figure(f"peak RSS, {what}", r["peak_mb"], r["rss_before_mb"], "MB",
                       "the window before the product opened",
                       target="< 250 MB" if count < 1000 else "< 300 MB"),
            ]
            if passes > 1:
                first, second = r["rss_after_pass_mb"][:2]
                figures.append(Figure(f"RSS after a second pass, {what}", second, first, "MB",
                                      "after the first pass", target="flat (1.0x)"))
    return figures


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1].startswith("{"):
        spec = json.loads(sys.argv[1])
        print(json.dumps(measure(spec["address"], spec["product_id"], spec["picture_width"],
                                 spec["passes"])))
    else:
        from benchmarks.figures import table
        print(table(run("full" if "--tiny" not in sys.argv else "tiny")))
