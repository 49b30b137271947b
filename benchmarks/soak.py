"""Soak: many thumbnail loads and product switches with faults on; resources must stay flat.

Two workloads against one emulator whose API and CDN fail on purpose (500s, dropped
connections, garbage and truncated bodies):
- `thumbnail_soak`: the app's ThumbnailLoader (real downloader, real disk cache) loads pictures
  in screen-sized batches, switching "product" (`clear()`) between batches;
- `switch_soak`: the real main window opens one product after another.
Resident memory, threads and open file descriptors are sampled through the run; after a
warm-up they must not keep growing. `tests/ui/test_soak.py` runs a short form in CI;
`./pim bench soak` runs the full one (10,000 loads, 1,000 switches) and prints it.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QSize  # noqa: E402

from app.api import ImageDownloader, StoreClient  # noqa: E402
from app.api.auth import OAuthCredentials  # noqa: E402
from app.api.retry import RetryPolicy  # noqa: E402
from app.cache.blob_cache import BlobCache  # noqa: E402
from app.services.thumbnails import ThumbnailLoader  # noqa: E402
from app.store_emulator import EmulatorConfig, Faults, StoreEmulator  # noqa: E402
from benchmarks.figures import Figure, Size  # noqa: E402

BATCH = 40                   # cards on one screen
BOX = QSize(110, 143)        # the default card's picture box


def soak_faults() -> Faults:
    return Faults(error_rate=0.05, drop_rate=0.03, truncate_rate=0.02, garbage_rate=0.02)


def soak_config() -> EmulatorConfig:
    # No rate limit worth the name: the soak measures the app, not the store's quota.
    return EmulatorConfig(rate_limit_quota=1_000_000)


@dataclass(frozen=True)
class Sample:
    done: int            # loads or switches finished when sampled
    rss_bytes: int
    threads: int
    fds: int


@dataclass
class ResourceTrace:
    samples: list[Sample] = field(default_factory=list)
    image_server_requests: int = 0  # what the (in-process) image server was asked

    def record(self, done: int) -> None:
        self.samples.append(Sample(done, _rss_bytes(), _thread_count(), _fd_count()))

    def after_warm_up(self) -> tuple[Sample, list[Sample]]:
        """The sample that ends the warm-up (the first two fifths: allocator arenas and Qt's
        caches settle in steps there) and every one after it."""
        start = max(1, len(self.samples) * 2 // 5)
        return self.samples[start], self.samples[start + 1:]

    def growth(self) -> tuple[int, int, int]:
        """(RSS bytes, threads, fds) the run grew by after its warm-up. The least of the last
        three samples counts: the emulator serves each connection on a passing thread, so one
        sample may catch a few; a leak keeps all three up."""
        base, later = self.after_warm_up()
        tail = later[-3:]
        if not tail:
            return 0, 0, 0
        return (min(s.rss_bytes for s in tail) - base.rss_bytes,
                min(s.threads for s in tail) - base.threads,
                min(s.fds for s in tail) - base.fds)


def _rss_bytes() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource  # not Linux: the peak is the best the platform offers
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _thread_count() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


def _fd_count() -> int:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return 0


def pump_until(condition: Callable[[], bool], timeout: float = 120.0) -> None:
    """Runs the Qt event loop (queued signals) until `condition` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the soak stopped making progress")
        QCoreApplication.processEvents()
        time.sleep(0.001)


def rendition_urls(emulator: StoreEmulator, product_ids: Iterable[int]) -> list[str]:
    credentials = OAuthCredentials(emulator.config.store_hash, emulator.config.access_token,
                                   api_base=emulator.oauth_api_base)
    urls: list[str] = []
    with StoreClient(credentials) as client:
        for product_id in product_ids:
            for image in client.all_images(product_id):
                urls.extend(u for u in (image.tiny_url, image.standard_url) if u)
    return urls


def thumbnail_soak(emulator: StoreEmulator, urls: list[str], loads: int,
                   cache_dir: Path | None, samples: int = 20) -> ResourceTrace:
    """`loads` picture loads through the app's loader, a product switch between batches.
    Without `cache_dir` every load goes to the (faulty) image server."""
    downloader = ImageDownloader(retry=RetryPolicy(max_attempts=2, base_delay=0.01,
                                                   max_delay=0.05))
    cache = BlobCache(cache_dir, max_bytes=8 * 1024 * 1024) if cache_dir else None
    loader = ThumbnailLoader(downloader, cache, workers=6)
    answered: set[object] = set()
    loader.loaded.connect(lambda key, *_: answered.add(key))
    loader.failed.connect(lambda key, *_: answered.add(key))
    trace = ResourceTrace()
    every = max(BATCH, loads // samples)
    done = 0
    try:
        while done < loads:
            batch = [(done + n, urls[(done + n) % len(urls)]) for n in range(BATCH)]
            loader.clear()           # a product switch: nothing of the last one is kept
            answered.clear()
            for key, url in batch:
                loader.request(key, url, BOX)
            pump_until(lambda: all(key in answered for key, _ in batch))
            if done % every < BATCH:
                # The emulator runs in this process and logs every request it serves: count
                # and drop its log, or its growth would read as the app's.
                trace.image_server_requests += len(emulator.cdn_requests())
                emulator.clear_requests()
                trace.record(done)
            done += BATCH
        trace.image_server_requests += len(emulator.cdn_requests())
        emulator.clear_requests()
        trace.record(done)
    finally:
        loader.shutdown()
        downloader.close()
    return trace


def switch_soak(open_product: Callable[[int], None], is_settled: Callable[[], bool],
                product_ids: list[int], switches: int, samples: int = 20,
                before_sample: Callable[[], None] = lambda: None) -> ResourceTrace:
    """Opens `switches` products one after another through the window, each to its end.
    `before_sample` runs before each sample (e.g. to drop an in-process emulator's log)."""
    trace = ResourceTrace()
    every = max(1, switches // samples)
    for n in range(switches):
        open_product(product_ids[n % len(product_ids)])
        pump_until(is_settled)
        if n % every == 0:
            before_sample()
            trace.record(n)
    before_sample()
    trace.record(switches)
    return trace


def describe(name: str, trace: ResourceTrace) -> str:
    rss, threads, fds = trace.growth()
    last = trace.samples[-1]
    return (f"{name}: {last.done} done; after warm-up RSS grew {rss / 2**20:+.1f} MB "
            f"(now {last.rss_bytes / 2**20:.0f} MB), threads {threads:+d} (now {last.threads}), "
            f"fds {fds:+d} (now {last.fds})")


def run(size: Size) -> list[Figure]:
    """The soak as figures: each resource at the end beside its value after the warm-up."""
    import tempfile

    from app.credentials import CredentialStore
    from app.services.session import StoreInfo
    from app.services.store_registry import StoreRegistry
    from app.ui.main_window import MainWindow
    from tests.support.memory_keyring import MemoryKeyring

    loads, switches = (10_000, 1_000) if size == "full" else (200, 10)
    with StoreEmulator(soak_config()) as emulator, tempfile.TemporaryDirectory() as tmp:
        urls = rendition_urls(emulator, range(1, 7))
        emulator.cdn_faults = soak_faults()
        emulator.faults = soak_faults()
        loading = thumbnail_soak(emulator, urls, loads, cache_dir=None)
        window = MainWindow(CredentialStore(MemoryKeyring()),
                            StoreRegistry(Path(tmp) / "stores.json"), Path(tmp) / "cache")
        window.resize(1280, 800)
        window.show()
        credentials = OAuthCredentials(emulator.config.store_hash, emulator.config.access_token,
                                       api_base=emulator.oauth_api_base)
        page = window.open_store(StoreInfo("Soak store", credentials), 1)
        assert page is not None
        switching = switch_soak(page.open_product_id, lambda: page.images_ready,
                                list(range(1, 25)), switches,
                                before_sample=emulator.clear_requests)
        window.close()
    figures = []
    for what, trace in ((f"{loads:,} picture loads", loading),
                        (f"{switches:,} product switches", switching)):
        base, _ = trace.after_warm_up()
        end = trace.samples[-1]
        after = "after warm-up (2/5 of the run)"
        figures += [Figure(f"RSS at the end of {what}, faults on", end.rss_bytes / 2**20,
                           base.rss_bytes / 2**20, "MB", after, target="flat"),
                    Figure(f"threads at the end of {what}", end.threads, base.threads, "",
                           after, target="flat"),
                    Figure(f"open files at the end of {what}", end.fds, base.fds, "", after,
                           target="flat")]
    return figures


if __name__ == "__main__":
    from PySide6.QtWidgets import QApplication
    app = QApplication([])  # noqa: F841
    from benchmarks.figures import table
    print(table(run("full")))
