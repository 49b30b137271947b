"""Does decoding pictures on worker threads stall the GUI thread?

Ours: `decode_thumbnail` (Pillow, which releases the GIL while it decodes and resizes).
Baseline: the previous path, `QImage.fromData` + `QImage.scaled`, which in PySide6 6.11 hold
the GIL for their whole run. Both decode the same 2000x2000 PNGs on the same number of worker
threads into a 386x513 box, while a 5 ms QTimer on the GUI thread records the gaps between its
ticks. Printed: the longest gap and the 99th percentile for each, and their ratio.

Run: `.venv/bin/python benchmarks/decode_stall.py [pictures] [side]`.
"""

from __future__ import annotations

import hashlib
import io
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image  # noqa: E402
from PySide6.QtCore import QEventLoop, QSize, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage  # noqa: E402

from app.services.thumbnails import decode_thumbnail  # noqa: E402

BOX = QSize(386, 513)
WORKERS = 2
HEARTBEAT_MS = 5


def sample_png(side: int, seed: int) -> bytes:
    """A photo-like PNG (noise compresses poorly, as real pictures do)."""
    gradient = Image.linear_gradient("L").resize((side, side))
    noise = Image.effect_noise((side, side), 40 + seed)
    picture = Image.merge("RGB", (gradient, noise, gradient.rotate(90)))
    out = io.BytesIO()
    picture.save(out, "PNG", compress_level=1)
    return out.getvalue()


def qt_decode(data: bytes, box: QSize) -> QImage:
    """The path the app used before: Qt decodes and scales, holding the GIL."""
    image = QImage.fromData(data)
    return image.scaled(box, Qt.AspectRatioMode.KeepAspectRatio,
                        Qt.TransformationMode.SmoothTransformation)


def busy_without_gil(data: bytes, box: QSize) -> None:
    """CPU work that releases the GIL (hashing a large buffer): the floor set by the workers
    competing with the GUI thread for the machine's cores, not for the GIL."""
    for _ in range(8):
        hashlib.sha256(data).digest()


def gaps_while(decode: Callable[[bytes, QSize], QImage], pictures: list[bytes]) -> list[float]:
    """GUI-thread tick gaps (ms) while `WORKERS` threads decode every picture."""
    ticks: list[float] = []
    timer = QTimer(interval=HEARTBEAT_MS)
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    done = threading.Event()
    loop = QEventLoop()

    def work() -> None:
        with ThreadPoolExecutor(WORKERS) as pool:
            list(pool.map(lambda data: decode(data, BOX), pictures))
        done.set()

    poll = QTimer(interval=HEARTBEAT_MS)
    poll.timeout.connect(lambda: loop.quit() if done.is_set() else None)
    timer.start()
    poll.start()
    threading.Thread(target=work, daemon=True).start()
    loop.exec()
    timer.stop()
    poll.stop()
    return [(b - a) * 1000 for a, b in zip(ticks, ticks[1:])]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def measure(count: int = 8, side: int = 2000) -> dict[str, float]:
    """Longest and p99 gaps in ms for idle workers (the noise floor), workers busy without
    the GIL (the CPU-contention floor), the Qt path and the Pillow path, and `ratio_max`
    (Qt's longest gap over Pillow's)."""
    _ = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    pictures = [sample_png(side, n) for n in range(count)]
    decode_thumbnail(pictures[0], BOX)  # warm both paths (plugin loading, first allocation)
    qt_decode(pictures[0], BOX)
    idle = gaps_while(lambda data, box: time.sleep(0.05), pictures)  # the machine's noise
    busy = gaps_while(busy_without_gil, pictures)
    old = gaps_while(qt_decode, pictures)
    new = gaps_while(decode_thumbnail, pictures)
    result = {"idle_max": max(idle, default=0.0), "idle_p99": percentile(idle, 0.99),
              "busy_max": max(busy, default=0.0), "busy_p99": percentile(busy, 0.99),
              "qt_max": max(old, default=0.0), "qt_p99": percentile(old, 0.99),
              "pillow_max": max(new, default=0.0), "pillow_p99": percentile(new, 0.99)}
    result["ratio_max"] = result["qt_max"] / max(result["pillow_max"], 0.001)
    return result


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    side = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    runs = [measure(count, side) for _ in range(3)]
    median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    print(f"{count} PNGs of {side}x{side} decoded into {BOX.width()}x{BOX.height()} on "
          f"{WORKERS} workers; GUI-thread gaps of a {HEARTBEAT_MS} ms timer (median of 3 runs)")
    rows = [("workers sleeping (noise floor)", "idle"),
            ("workers hashing (cores busy, GIL free)", "busy"),
            ("QImage.fromData + scaled (before)", "qt"),
            ("Pillow decode_thumbnail (now)", "pillow")]
    for label, key in rows:
        print(f"  {label + ':':40} max {median[key + '_max']:6.1f} ms, "
              f"p99 {median[key + '_p99']:6.1f} ms")
    print(f"  longest stall: {median['ratio_max']:.1f}x shorter")


if __name__ == "__main__":
    main()
