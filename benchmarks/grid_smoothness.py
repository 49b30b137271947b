"""Does the grid stutter, and what does it cost in memory? Measured on the real main window.

A fresh process opens the real MainWindow (offscreen) on a store emulator running in another
process (40 ms API, 20 ms CDN latency), opens a product with an empty disk cache, scrolls it end
to end while its pictures load, and waits for the last screen. A 5 ms QTimer on the GUI thread
records every gap between its ticks: a gap is how long the window could not react.
- GUI gaps (p99, max) beside the same timer in the same window while nothing loads (the
  platform's own noise floor).
- Peak resident memory beside the window's own before the product opened; for the large
  product, the resident memory after a second pass beside the first (flat: ratio ~1).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.figures import Figure, Size
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
    heartbeat = QTimer(interval=HEARTBEAT_MS)
    heartbeat.setTimerType(heartbeat.timerType().PreciseTimer)
    heartbeat.timeout.connect(lambda: ticks.append(time.perf_counter()))

    def gaps() -> list[float]:
        return [(b - a) * 1000 for a, b in zip(ticks, ticks[1:])]

    # The noise floor: the same timer, the same window, nothing to do.
    heartbeat.start()
    idle_until = time.perf_counter() + 1.0
    pump_until(lambda: time.perf_counter() > idle_until)
    idle = gaps()
    rss_before = _status_kb("VmRSS")

    ticks.clear()
    credentials = OAuthCredentials(address["store_hash"], address["access_token"],
                                   api_base=address["api_base"])
    page = window.open_store(StoreInfo("Bench store", credentials), product_id)
    assert page is not None
    page.grid.picture_width = picture_width
    ticks.clear()   # building the store's page is a one-off; loading and scrolling are measured
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
        "idle_p99": _percentile(idle, 0.99), "idle_max": max(idle),
        "p99": _percentile(loaded, 0.99), "max": max(loaded),
        "median": statistics.median(loaded),
        "rss_before_mb": rss_before / 1024, "peak_mb": _status_kb("VmHWM") / 1024,
        "rss_after_pass_mb": [kb / 1024 for kb in rss_after_pass],
    }
    window.close()
    return result


def _measure_in_child(address: StoreAddress, product_id: int, width: int, passes: int) -> dict:
    args = json.dumps({"address": address.__dict__, "product_id": product_id,
                       "picture_width": width, "passes": passes})
    done = subprocess.run([sys.executable, "-m", "benchmarks.grid_smoothness", args],
                          capture_output=True, text=True, timeout=600,
                          cwd=Path(__file__).resolve().parent.parent)
    if done.returncode != 0:
        raise RuntimeError(f"grid measurement failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(size: Size) -> list[Figure]:
    counts = (300, 1000) if size == "full" else (30,)
    latency = {"latency_ms": API_LATENCY_MS, "cdn_latency_ms": CDN_LATENCY_MS} \
        if size == "full" else {}
    figures: list[Figure] = []
    products = {f"bench{count}": count for count in counts}
    with RemoteStore(products=products, **latency) as address:
        for count in counts:
            product_id = address.product_ids[f"bench{count}"]
            passes = 2 if count >= 1000 else 1
            r = _measure_in_child(address, product_id, 386, passes)
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
