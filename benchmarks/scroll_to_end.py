"""Open a 300-image product, then jump to its end: how soon do the cards on screen load?

Ours: the app's ThumbnailLoader (LIFO, de-duplicated, `retain()` drops what scrolled away).
Baseline: the same downloader, decoder and number of workers as a plain first-in-first-out pool
that was handed every picture in row order when the product opened (what a grid that loads
everything eagerly does). Both run against the same emulator with a CDN latency, in this run.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QEventLoop, QSize, QTimer  # noqa: E402

from app.api import ImageDownloader, OAuthCredentials, StoreClient  # noqa: E402
from app.services.thumbnails import ThumbnailLoader, decode_thumbnail  # noqa: E402
from app.store_emulator import EmulatorConfig, StoreEmulator  # noqa: E402
from benchmarks.figures import Figure, Size  # noqa: E402

CDN_LATENCY_MS = 25
WORKERS = 6
SCREEN = 40          # cards on one screen
ROUNDS = 3
BOX = QSize(110, 143)


def wait_until(condition, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    loop = QEventLoop()
    timer = QTimer(interval=5)
    timer.timeout.connect(lambda: loop.quit() if condition() else None)
    timer.start()
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        loop.exec()
    timer.stop()


def ours(urls: list[tuple[int, str]]) -> float:
    downloader = ImageDownloader(max_connections=WORKERS)
    loader = ThumbnailLoader(downloader, cache=None, workers=WORKERS)
    done: set[int] = set()
    loader.loaded.connect(lambda key, url, image: done.add(key))
    for key, url in urls[:SCREEN]:            # the first screen is painted
        loader.request(key, url, BOX)
    time.sleep(0.05)                          # the merchant jumps to the end
    start = time.perf_counter()
    last_screen = urls[-SCREEN:]
    loader.retain(key for key, _ in last_screen)
    for key, url in last_screen:
        loader.request(key, url, BOX)
    wait_until(lambda: all(key in done for key, _ in last_screen))
    elapsed = time.perf_counter() - start
    loader.shutdown()
    downloader.close()
    return elapsed


def baseline(urls: list[tuple[int, str]]) -> float:
    downloader = ImageDownloader(max_connections=WORKERS)
    done: set[int] = set()
    lock = threading.Lock()

    def load(key: int, url: str) -> None:
        decode_thumbnail(downloader.fetch(url), BOX)
        with lock:
            done.add(key)

    pool = ThreadPoolExecutor(WORKERS)
    for key, url in urls:                     # everything, in row order, at open
        pool.submit(load, key, url)
    time.sleep(0.05)
    start = time.perf_counter()
    last_screen = [key for key, _ in urls[-SCREEN:]]
    while not all(key in done for key in last_screen):
        time.sleep(0.002)
    elapsed = time.perf_counter() - start
    pool.shutdown(wait=True)
    downloader.close()
    return elapsed


def run(size: Size) -> list[Figure]:
    rounds, latency = (ROUNDS, CDN_LATENCY_MS) if size == "full" else (1, 0)
    config = EmulatorConfig(cdn_latency_ms=latency)
    with StoreEmulator(config) as emulator:
        credentials = OAuthCredentials(config.store_hash, config.access_token,
                                       api_base=emulator.oauth_api_base)
        with StoreClient(credentials) as client:
            images = sorted(client.all_images(1), key=lambda i: (i.sort_order, i.id))
        # Warm the emulator's rendition cache so both sides pay only the CDN latency.
        warm = ImageDownloader()
        for image in images:
            warm.fetch(image.standard_url)
        warm.close()
        urls = [(image.id, image.standard_url) for image in images]
        ours_times, base_times = [], []
        for _ in range(rounds):
            base_times.append(baseline(urls))
            ours_times.append(ours(urls))
    base, mine = statistics.median(base_times), statistics.median(ours_times)
    return [Figure(f"last screen of a 300-image product loaded after a jump to the end "
                   f"({latency} ms CDN latency)", mine * 1000, base * 1000, "ms",
                   "a FIFO pool handed every picture at open")]


if __name__ == "__main__":
    from PySide6.QtCore import QCoreApplication
    app = QCoreApplication([])  # noqa: F841 - signals need an event loop
    from benchmarks.figures import table
    print(table(run("full")))
