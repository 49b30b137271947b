"""The first screen of pictures from disk with the network off, against reading the same files.

A product seen before (its images in the saved copy, app/services/saved_copy.py, and its
pictures in the BlobCache) is opened in the real MainWindow (offscreen) while the store
emulator is stopped: from the call to `open_store` to the moment every card on screen shows its
picture. Baselines in the same run, on the same files (the renditions those cards show, as the
cache holds them):
- reading them raw, one after the other;
- reading and decoding them to the cards' size, with as many threads as the app's loader.
The issue's target: under 150 ms.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.figures import Figure, Size

PRODUCT = 4           # the demo catalog's product with 50 images: more than one screen
LOADER_WORKERS = 6    # the grid's ThumbnailLoader (app/services/session.py)
TARGET_MS = 150


def _window(tmp: Path):  # type: ignore[no-untyped-def]
    from app.credentials import CredentialStore
    from app.services.store_registry import StoreRegistry
    from app.ui.main_window import MainWindow
    from tests.support.memory_keyring import MemoryKeyring

    # Every run of the window keeps its files in `tmp`: the saved copy and the cache persist
    # from the first (online) window to the measured (offline) ones.
    window = MainWindow(CredentialStore(MemoryKeyring()), StoreRegistry(tmp / "stores.json"),
                        tmp / "cache")
    window.resize(1280, 800)
    window.show()
    return window


def _close(window) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QCoreApplication

    window.close()
    window.deleteLater()
    QCoreApplication.processEvents()


def _screen_ready(page) -> bool:  # type: ignore[no-untyped-def]
    grid = page.grid
    if page.image_model.rowCount() == 0 or not grid.visible_rows():
        return False
    settled, failed = grid.visible_pictures_settled()
    if settled and failed:
        raise RuntimeError(f"{failed} pictures failed from the cache: not a first screen")
    return settled


def _see_once(info, tmp: Path) -> None:  # type: ignore[no-untyped-def]
    """Online: the product is opened, its first screen loaded (into the cache) and saved."""
    from benchmarks.soak import pump_until

    window = _window(tmp)
    page = window.open_store(info, PRODUCT)
    assert page is not None
    saved_copy = page.session.saved_copy
    assert saved_copy is not None
    pump_until(lambda: page.images_ready and not page.showing_saved_copy
               and _screen_ready(page), 60)
    window.show_start()   # the session closes: what was posted is written, then the file closed
    pump_until(saved_copy.is_closed, 30)
    _close(window)


def _open_offline(info, tmp: Path):  # type: ignore[no-untyped-def]
    """Seconds from open to a full first screen, the cache keys of its cards' pictures and
    the box they are decoded into."""
    from benchmarks.soak import pump_until
    from app.ui.image_model import ImageRoles

    window = _window(tmp)
    started = time.perf_counter()
    page = window.open_store(info, PRODUCT)
    assert page is not None
    pump_until(lambda: page.image_model.rowCount() > 0, 60)
    rows_shown = time.perf_counter() - started
    pump_until(lambda: _screen_ready(page), 60)
    elapsed = time.perf_counter() - started
    print(f"offline first screen: cards listed from disk after {rows_shown * 1000:.1f} ms, "
          f"every card's picture after {elapsed * 1000:.1f} ms", file=sys.stderr)
    if not page.showing_saved_copy:
        raise RuntimeError("the store answered: the emulator should be stopped")
    picture_size = page.image_model.picture_size
    urls = [page.image_model.index(row, 0).data(ImageRoles.Image).rendition_url(
                picture_size.width())
            for row in page.grid.visible_rows() if not page.grid.isRowHidden(row)]
    _close(window)
    return elapsed, urls, picture_size


def _read_raw(paths: list[Path]) -> float:
    started = time.perf_counter()
    for path in paths:
        with open(path, "rb") as handle:
            handle.read()
    return time.perf_counter() - started


def _read_and_decode(paths: list[Path], box) -> float:  # type: ignore[no-untyped-def]
    from app.services.thumbnails import decode_thumbnail

    def load(path: Path) -> None:
        with open(path, "rb") as handle:
            decode_thumbnail(handle.read(), box)

    started = time.perf_counter()
    with ThreadPoolExecutor(LOADER_WORKERS) as pool:
        list(pool.map(load, paths))
    return time.perf_counter() - started


def run(size: Size) -> list[Figure]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from app.api.auth import OAuthCredentials
    from app.cache.blob_cache import BlobCache
    from app.services.session import StoreInfo
    from app.store_emulator import EmulatorConfig, StoreEmulator

    app = QApplication.instance() or QApplication([])  # noqa: F841 - signals need it
    rounds = 7 if size == "full" else 2   # the first round warms Python's imports: not counted
    emulator = StoreEmulator(EmulatorConfig(catalog="demo")).start()
    stopped = False
    try:
        info = StoreInfo("Bench store", OAuthCredentials(
            emulator.config.store_hash, emulator.config.access_token,
            api_base=emulator.oauth_api_base))
        with tempfile.TemporaryDirectory(prefix="pim-bench-offline-") as folder:
            tmp = Path(folder)
            _see_once(info, tmp)
            emulator.stop()  # the network is off: connections are refused
            stopped = True
            apps, raws, decodes, cards = [], [], [], 0
            cache = BlobCache(tmp / "cache" / "images")
            for round_ in range(rounds):
                elapsed, urls, box = _open_offline(info, tmp)
                paths = [cache._path(url) for url in urls]   # the files the cards came from
                missing = [path for path in paths if not path.is_file()]
                if missing:
                    raise RuntimeError(f"{len(missing)} of the cards' pictures are not cached")
                raw = _read_raw(paths)
                decoded = _read_and_decode(paths, box)
                if round_ == 0:
                    continue
                apps.append(elapsed)
                raws.append(raw)
                decodes.append(decoded)
                cards = len(paths)
    finally:
        if not stopped:
            emulator.stop()
    app_ms = statistics.median(apps) * 1000
    print(f"offline first screen: median {app_ms:.1f} ms (target < {TARGET_MS} ms), "
          f"{app_ms / (statistics.median(raws) * 1000):.0f}x the raw reads, "
          f"{app_ms / (statistics.median(decodes) * 1000):.1f}x the reads + decodes",
          file=sys.stderr)
    return [
        Figure(f"first screen from disk, network off ({cards} cards)", app_ms,
               statistics.median(raws) * 1000, "ms", "reading the same cached files raw",
               target=f"< {TARGET_MS} ms"),
        Figure(f"first screen from disk, network off ({cards} cards)", app_ms,
               statistics.median(decodes) * 1000, "ms",
               f"reading + decoding them ({LOADER_WORKERS} threads)", target=f"< {TARGET_MS} ms"),
    ]


def main() -> None:
    from benchmarks.figures import table
    print(table(run("tiny" if "--tiny" in sys.argv else "full")))


if __name__ == "__main__":
    main()
