"""Make available offline (issue 10 §2), the Qt-free engine, against the store emulator:
what it keeps is on disk, pinned and readable with the store gone; pause, cancel and resume
after a restart; it waits while the merchant's reads run; a small quota meets no 429."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from app.api import ImageDownloader, OAuthCredentials, StoreClient
from app.api.retry import NO_RETRIES, RetryPolicy
from app.api.tls import tls_context
from app.api.transport import ApiTransport
from app.api.watched_network import WatchedTransport
from app.cache.blob_cache import BlobCache
from app.cache.metadata import MetadataStore
from app.services.store_sync import (
    StoreSync,
    SyncFailed,
    SyncProgress,
    SyncScope,
    job_path,
    pending_job,
)
from app.store_emulator import StoreEmulator
from tests.support.emulator_fixtures import EmulatorFactory

STORE = "test-store"


class CountingTransport(httpx.BaseTransport):
    def __init__(self) -> None:
        self._inner = WatchedTransport(verify=tls_context())
        self.statuses: list[int] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        self.statuses.append(response.status_code)
        return response

    def close(self) -> None:
        self._inner.close()


class Rig:
    """A store with a few products, and what a sync needs beside it."""

    def __init__(self, emulator: StoreEmulator, folder: Path,
                 retry: RetryPolicy | None = None) -> None:
        self.emulator = emulator
        self.folder = folder
        self.counting = CountingTransport()
        credentials = OAuthCredentials(emulator.config.store_hash, emulator.config.access_token,
                                       api_base=emulator.oauth_api_base)
        self.client = StoreClient(credentials, ApiTransport(
            credentials, transport=self.counting, retry=retry))
        self.downloader = ImageDownloader()
        self.metadata = MetadataStore.open(folder / "metadata")
        self.cache = BlobCache(folder / "cache")

    def sync(self, scope: SyncScope, **options: object) -> StoreSync:
        return StoreSync(self.client, self.downloader, self.metadata, self.cache, STORE, scope,
                         **options)  # type: ignore[arg-type]

    def start(self, scope: SyncScope, **options: object
              ) -> tuple[threading.Thread, StoreSync, list[object]]:
        """A sync running on a thread of its own, with its own connection to the database
        (SQLite binds one to its thread), as the app runs it."""
        made: list[StoreSync] = []
        result: list[object] = []
        ready = threading.Event()

        def work() -> None:
            with MetadataStore(self.folder / "metadata") as metadata:
                sync = StoreSync(self.client, self.downloader, metadata, self.cache, STORE,
                                 scope, **options)  # type: ignore[arg-type]
                made.append(sync)
                ready.set()
                result.append(sync.run())

        runner = threading.Thread(target=work)
        runner.start()
        assert ready.wait(10)
        return runner, made[0], result

    def image_lists(self) -> list[int]:
        """The products whose image list the store was asked for."""
        return [int(match.group(1)) for request in self.emulator.requests()
                if (match := re.fullmatch(r".*/products/(\d+)/images", request.path))]

    def close(self) -> None:
        self.metadata.close()
        self.downloader.close()
        self.client.close()


@pytest.fixture
def rig(emulator_factory: EmulatorFactory, tmp_path: Path) -> Iterator[Callable[..., Rig]]:
    made: list[Rig] = []

    def make(products: dict[str, int], retry: RetryPolicy | None = None,
             **config: object) -> Rig:
        emulator = emulator_factory(catalog="empty", **config)
        for name, count in products.items():
            emulator.add_product(name, name.upper().replace(" ", "-"), count)
        made.append(Rig(emulator, tmp_path, retry))
        return made[-1]

    yield make
    for each in made:
        each.close()


def test_kept_products_are_on_disk_pinned_and_readable_with_the_store_stopped(
        rig: Callable[..., Rig], tmp_path: Path) -> None:
    store = rig({"Red mug": 3, "Blue mug": 2, "Desk lamp": 4})
    outcome = store.sync(SyncScope(product_ids=(1, 3))).run()
    assert outcome.state == "finished"
    assert (outcome.progress.products_done, outcome.progress.products_total) == (2, 2)
    assert outcome.progress.images_done == 7 and outcome.progress.bytes_done > 0
    assert not job_path(store.metadata.folder, STORE).exists()
    store.emulator.stop()

    # A fresh start: new connections to the disk, no store.
    with MetadataStore(tmp_path / "metadata") as metadata:
        assert metadata.pinned_products(STORE) == [1, 3]
        lamp = metadata.product(STORE, 3)
        assert lamp is not None and lamp.product.name == "Desk lamp" and lamp.synced_at
        assert lamp.product.image_count == 4
        images = list(metadata.images(STORE, 3))
        assert len(images) == 4 and len(list(metadata.images(STORE, 1))) == 3
        assert metadata.product(STORE, 2) is None  # not asked for
    cache = BlobCache(tmp_path / "cache")
    for image in images:
        for url in (image.tiny_url, image.standard_url):
            assert url and cache.get(url), url
            assert cache.is_pinned(url)
        assert image.zoom_url and cache.get(image.zoom_url) is None  # zoom is optional
    assert set(cache.pinned()) == {f"{STORE}/1", f"{STORE}/3"}
    # Pinned pictures survive a cap of nothing.
    cache.max_bytes = 0
    cache.trim()
    assert all(cache.get(image.standard_url or "") for image in images)


def test_a_search_and_the_whole_store_keep_what_they_name(rig: Callable[..., Rig]) -> None:
    store = rig({"Red mug": 1, "Blue mug": 1, "Desk lamp": 1})
    assert store.sync(SyncScope(keyword="mug")).run().progress.products_done == 2
    assert store.metadata.pinned_products(STORE) == [1, 2]
    outcome = store.sync(SyncScope(), zoom=True).run()
    assert outcome.progress.products_done == 3
    assert store.metadata.pinned_products(STORE) == [1, 2, 3]
    image = next(iter(store.metadata.images(STORE, 3)))
    assert image.zoom_url and store.cache.is_pinned(image.zoom_url)


def test_the_estimate_counts_products_pictures_bytes_and_time(rig: Callable[..., Rig]) -> None:
    store = rig({"Red mug": 3, "Blue mug": 2, "Desk lamp": 4},
                rate_limit_quota=30, rate_limit_window_ms=30_000)
    sync = store.sync(SyncScope())
    estimate = sync.estimate()
    assert (estimate.products, estimate.images) == (3, 9)
    assert estimate.bytes > 0
    # 1 listing page + 3 image lists at 1 request a second.
    assert estimate.requests == 4 and estimate.seconds == pytest.approx(4.0)
    assert "3 products, 9 pictures: about" in estimate.describe()
    selected = store.sync(SyncScope(product_ids=(2,))).estimate()
    assert (selected.products, selected.images) == (1, 2)


def test_pause_holds_every_request_until_resumed(rig: Callable[..., Rig]) -> None:
    store = rig({f"Product {n}": 1 for n in range(12)})
    seen: list[SyncProgress] = []
    sync: StoreSync

    def on_progress(progress: SyncProgress) -> None:
        seen.append(progress)
        if len(seen) == 1:
            sync.pause()

    runner, sync, result = store.start(SyncScope(), on_progress=on_progress, api_parallel=1)
    try:
        assert _wait_for(lambda: bool(seen))
        # What was under way when paused finishes; then nothing more leaves.
        assert _settles(lambda: len(store.emulator.requests()))
        before = len(store.emulator.requests())
        runner.join(0.5)
        assert runner.is_alive() and len(store.emulator.requests()) == before
        assert sync.progress().products_done < 12
    finally:
        sync.resume_running()
        runner.join(30)
    assert result[0].state == "finished"  # type: ignore[attr-defined]
    assert store.metadata.pinned_products(STORE) == list(range(1, 13))


def test_cancel_stops_keeps_what_was_done_and_forgets_the_job(rig: Callable[..., Rig]) -> None:
    store = rig({f"Product {n}": 1 for n in range(12)})
    sync: StoreSync

    def on_progress(progress: SyncProgress) -> None:
        sync.cancel()

    sync = store.sync(SyncScope(), on_progress=on_progress, api_parallel=1)
    outcome = sync.run()
    assert outcome.state == "cancelled"
    done = outcome.progress.products_done
    assert 1 <= done < 12
    assert len(store.metadata.pinned_products(STORE)) == done
    assert pending_job(store.metadata.folder, STORE) is None


def test_a_sync_stopped_by_a_crash_resumes_without_fetching_again(
        rig: Callable[..., Rig]) -> None:
    store = rig({f"Product {n}": 1 for n in range(12)})

    def crash(progress: SyncProgress) -> None:
        if progress.products_done == 4:
            raise KeyboardInterrupt  # the process ends here: nothing is tidied up

    with pytest.raises(KeyboardInterrupt):
        store.sync(SyncScope(), on_progress=crash, api_parallel=1,
                   job_flush_interval_s=0).run()
    job = pending_job(store.metadata.folder, STORE)
    assert job is not None and job.scope == SyncScope() and 1 <= len(job.done) < 12
    done_before = set(job.done)
    assert done_before <= set(store.metadata.pinned_products(STORE))

    store.emulator.clear_requests()
    outcome = StoreSync.resume(job, store.client, store.downloader, store.metadata,
                               store.cache).run()
    assert outcome.state == "finished" and outcome.progress.products_done == 12
    assert not set(store.image_lists()) & done_before
    assert set(store.image_lists()) == set(range(1, 13)) - done_before
    assert store.metadata.pinned_products(STORE) == list(range(1, 13))
    assert pending_job(store.metadata.folder, STORE) is None


def test_it_waits_while_the_merchant_reads(rig: Callable[..., Rig]) -> None:
    store = rig({"Red mug": 1, "Blue mug": 1})
    merchant_reading = threading.Event()
    merchant_reading.set()
    runner, sync, result = store.start(SyncScope(), busy=merchant_reading.is_set)
    runner.join(0.5)
    assert runner.is_alive() and store.emulator.requests() == []
    merchant_reading.clear()
    runner.join(30)
    assert result[0].state == "finished"  # type: ignore[attr-defined]


def test_a_small_quota_is_used_without_a_single_429(rig: Callable[..., Rig]) -> None:
    store = rig({f"Product {n}": 1 for n in range(14)},
                rate_limit_quota=5, rate_limit_window_ms=1000)
    outcome = store.sync(SyncScope()).run()
    assert outcome.progress.products_done == 14
    assert len(store.counting.statuses) >= 15
    assert 429 not in store.counting.statuses


def test_a_store_that_keeps_failing_stops_the_sync_with_merchant_words(
        rig: Callable[..., Rig]) -> None:
    store = rig({f"Product {n}": 1 for n in range(8)}, retry=NO_RETRIES)
    store.emulator.faults.error_rate = 1.0
    store.emulator.faults.only_paths = r"/products/\d+/images$"
    with pytest.raises(SyncFailed) as failure:
        store.sync(SyncScope(), api_parallel=1).run()
    assert "start it again" in str(failure.value)
    assert pending_job(store.metadata.folder, STORE) is not None  # can resume


def _wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> bool:
    done = threading.Event()
    for _ in range(int(timeout / 0.02)):
        if condition():
            return True
        done.wait(0.02)
    return False


def _settles(value: Callable[[], int], quiet: float = 0.3, timeout: float = 20.0) -> bool:
    """Waits until `value` stays the same for `quiet` seconds."""
    pause = threading.Event()
    last = value()
    for _ in range(int(timeout / quiet)):
        pause.wait(quiet)
        now = value()
        if now == last:
            return True
        last = now
    return False


def test_a_stop_for_a_quit_keeps_the_job_to_resume(rig: Callable[..., Rig]) -> None:
    store = rig({f"Product {n}": 1 for n in range(12)})
    sync: StoreSync

    def on_progress(progress: SyncProgress) -> None:
        sync.stop()

    sync = store.sync(SyncScope(keyword="Product"), on_progress=on_progress, api_parallel=1)
    outcome = sync.run()
    assert outcome.state == "stopped" and outcome.progress.products_done < 12
    job = pending_job(store.metadata.folder, STORE)
    assert job is not None and job.scope == SyncScope(keyword="Product")
    assert job.done == set(store.metadata.pinned_products(STORE))
