"""Upload check (issue 9 §2): what judging dropped files costs beyond reading them.

N photo-like files (4 JPEGs of 1600x1200 to 1 PNG of 1200x900, each with its own bytes) are
written to a temporary folder and read once so both sides start from the page cache. Ours:
`check_batch` on the folder (gather, sniff, header, pixel cap, readability, hash, warnings).
Baselines: reading every file's bytes (the least any check must do), and reading and hashing
them (the check without its picture work: header, pixel cap, readability). A second pair of figures:
the GUI thread's longest gap (a 5 ms Qt timer) while a worker thread checks the files, beside
the same timer while a worker only reads them: the check must not hold the GIL for long.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import statistics
import struct
import tempfile
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path

from PIL import Image

from app.services.upload_check import check_batch
from benchmarks.figures import Figure, Size

HEARTBEAT_MS = 5


def _photo(width: int, height: int, seed: int) -> Image.Image:
    gradient = Image.linear_gradient("L").resize((width, height))
    noise = Image.effect_noise((width, height), 6 + seed)
    return Image.merge("RGB", (gradient, noise, gradient.rotate(180)))


def _jpeg(picture: Image.Image) -> bytes:
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90)
    return out.getvalue()


def _png(picture: Image.Image) -> bytes:
    out = io.BytesIO()
    picture.save(out, "PNG", compress_level=1)
    return out.getvalue()


def _unique(data: bytes, n: int) -> bytes:
    """The same picture with bytes of its own (a comment), so no two files are duplicates."""
    text = f"file {n}".encode()
    if data.startswith(b"\xff\xd8"):
        return data[:2] + b"\xff\xfe" + struct.pack(">H", len(text) + 2) + text + data[2:]
    chunk = b"tEXt" + b"n\x00" + text
    packed = struct.pack(">I", len(chunk) - 4) + chunk + struct.pack(">I", zlib.crc32(chunk))
    return data[:33] + packed + data[33:]  # after the signature and IHDR


def write_files(folder: Path, count: int, scale: float) -> int:
    """`count` files in `folder`; returns their total size in bytes."""
    side = (int(1600 * scale), int(1200 * scale))
    bases = [_jpeg(_photo(*side, seed)) for seed in range(4)]
    bases.append(_png(_photo(int(side[0] * 0.75), int(side[1] * 0.75), 9)))
    total = 0
    for n in range(count):
        base = bases[n % len(bases)]
        data = _unique(base, n)
        (folder / f"photo-{n:04d}.{'png' if n % 5 == 4 else 'jpg'}").write_bytes(data)
        total += len(data)
    return total


def read_all(folder: Path) -> None:
    for path in sorted(folder.iterdir()):
        path.read_bytes()


def read_and_hash_all(folder: Path) -> None:
    for path in sorted(folder.iterdir()):
        hashlib.sha256(path.read_bytes()).digest()


def timed(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def longest_gap_while(work: Callable[[], object]) -> float:
    """The GUI thread's longest gap between 5 ms timer ticks (ms) while `work` runs on a
    worker thread."""
    from PySide6.QtCore import QEventLoop, Qt, QTimer

    ticks: list[float] = []
    done = threading.Event()
    loop = QEventLoop()
    heartbeat = QTimer(interval=HEARTBEAT_MS)
    heartbeat.setTimerType(Qt.TimerType.PreciseTimer)
    heartbeat.timeout.connect(lambda: ticks.append(time.perf_counter()))
    heartbeat.timeout.connect(lambda: loop.quit() if done.is_set() else None)

    def run() -> None:
        try:
            work()
        finally:
            done.set()

    heartbeat.start()
    threading.Thread(target=run, name="upload-check-bench", daemon=True).start()
    loop.exec()
    heartbeat.stop()
    return max(((b - a) * 1000 for a, b in itertools.pairwise(ticks)), default=HEARTBEAT_MS)


def run(size: Size) -> list[Figure]:
    count, scale, runs = (500, 1.0, 3) if size == "full" else (10, 0.25, 1)
    with tempfile.TemporaryDirectory(prefix="pim-bench-upload-") as temporary:
        folder = Path(temporary)
        total = write_files(folder, count, scale)
        read_all(folder)  # both sides from the page cache
        report = check_batch([folder])
        if len(report.accepted) != count or report.rejected or report.warnings:
            raise AssertionError(f"the benchmark's files were not all accepted: {report}")
        baseline = timed(lambda: read_all(folder), runs)
        hashing = timed(lambda: read_and_hash_all(folder), runs)
        ours = timed(lambda: check_batch([folder]), runs)
        stall_reading = longest_gap_while(lambda: read_all(folder))
        stall_checking = longest_gap_while(lambda: check_batch([folder]))
    what = f"{count} files ({total / 1048576:.0f} MB)"
    return [
        Figure(f"check {what}", ours * 1000, baseline * 1000, "ms",
               "reading their bytes (from the page cache)",
               target="none in the issue; context for the two below"),
        Figure(f"check {what}", ours * 1000, hashing * 1000, "ms",
               "reading and hashing them (the check without any picture work)",
               target="none in the issue (most of it: decoding each JPEG at 1/8 scale, "
                      "which proves it complete)"),
        Figure(f"longest GUI-thread gap while a worker checks {what}", stall_checking,
               stall_reading, "ms", "while a worker only reads them",
               target="close to reading (the check holds no GIL for long)"),
    ]


if __name__ == "__main__":
    from benchmarks.figures import table
    print(table(run("full")))
