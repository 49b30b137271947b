"""Does a big drop freeze the window? 500 files dropped on the real grid, checked and queued.

A fresh process opens the real MainWindow (offscreen) on a store emulator running in another
process, opens a product, and drops 500 picture files (photo-like JPEGs of 640x480, made with
Pillow) through `UploadFlow.drop`, the method the grid's drop calls. A 5 ms QTimer on the GUI
thread records every gap between its ticks until every dropped picture is a card on the grid
(checked on a worker, its file copied into the journal, its create queued; uploads start
meanwhile, as they do for the merchant). Beside it: the same timer in the same window while
nothing happens (the platform's noise floor).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.figures import Figure, Size
from benchmarks.remote_store import RemoteStore

HEARTBEAT_MS = 5


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def make_pictures(folder: Path, count: int) -> list[Path]:
    """Photo-like JPEGs (noise over a gradient compresses as a photo does), ~60 KB each."""
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    base = Image.linear_gradient("L").resize((640, 480))
    paths = []
    for n in range(count):
        noise = Image.effect_noise((640, 480), 20 + n % 40)
        picture = Image.merge("RGB", (base, noise, base.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
        path = folder / f"photo {n:04}.jpg"
        picture.save(path, "JPEG", quality=80)
        paths.append(path)
    return paths


def measure(address: dict, product_id: int, folder: str) -> dict:
    """Runs in the measured process; returns plain numbers."""
    import os
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QMimeData, QTimer, QUrl
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
                        tmp / "cache", journal_dir=tmp / "journal")
    window.resize(1280, 800)
    window.show()
    credentials = OAuthCredentials(address["store_hash"], address["access_token"],
                                   api_base=address["api_base"])
    page = window.open_store(StoreInfo("Bench store", credentials), product_id)
    assert page is not None and page.uploads is not None
    pump_until(lambda: page.images_ready and not page.images_failed, timeout=60)
    pump_until(lambda: page.grid.visible_pictures_settled()[0], timeout=60)

    ticks: list[float] = []
    heartbeat = QTimer(interval=HEARTBEAT_MS)
    heartbeat.setTimerType(heartbeat.timerType().PreciseTimer)
    heartbeat.timeout.connect(lambda: ticks.append(time.perf_counter()))

    def gaps() -> list[float]:
        return [(b - a) * 1000 for a, b in zip(ticks, ticks[1:])]

    heartbeat.start()
    idle_until = time.perf_counter() + 1.0
    pump_until(lambda: time.perf_counter() > idle_until)
    idle = gaps()

    files = sorted(Path(folder).iterdir())
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in files])
    rows_before = page.image_model.rowCount()
    finished: list[object] = []
    page.uploads.batchFinished.connect(finished.append)
    ticks.clear()
    started = time.perf_counter()
    page.uploads.drop(mime, min(3, rows_before))
    pump_until(lambda: bool(finished)
               and page.image_model.rowCount() == rows_before + len(files), timeout=600)
    queued_s = time.perf_counter() - started
    heartbeat.stop()
    busy = gaps()
    window.close()
    return {"idle_max": max(idle), "idle_p99": _percentile(idle, 0.99),
            "max": max(busy), "p99": _percentile(busy, 0.99), "queued_s": queued_s,
            "files": len(files)}


def run(size: Size) -> list[Figure]:
    count = 500 if size == "full" else 12
    with tempfile.TemporaryDirectory(prefix="pim-drop-") as folder:
        make_pictures(Path(folder), count)
        with RemoteStore(products={"drop": 12}) as address:
            spec = json.dumps({"address": address.__dict__,
                               "product_id": address.product_ids["drop"], "folder": folder})
            done = subprocess.run([sys.executable, "-m", "benchmarks.upload_drop", spec],
                                  capture_output=True, text=True, timeout=900,
                                  cwd=Path(__file__).resolve().parent.parent)
    if done.returncode != 0:
        raise RuntimeError(f"upload drop measurement failed:\n{done.stderr[-3000:]}")
    r = json.loads(done.stdout.strip().splitlines()[-1])
    what = f"while {r['files']} dropped files are checked and queued"
    floor = "the same timer, window idle"
    return [
        Figure(f"GUI gap max {what}", r["max"], r["idle_max"], "ms", floor, target="< 50 ms"),
        Figure(f"GUI gap p99 {what}", r["p99"], r["idle_p99"], "ms", floor, target="< 16 ms"),
    ]


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1].startswith("{"):
        spec = json.loads(sys.argv[1])
        print(json.dumps(measure(spec["address"], spec["product_id"], spec["folder"])))
    else:
        from benchmarks.figures import table
        print(table(run("full" if "--tiny" not in sys.argv else "tiny")))
