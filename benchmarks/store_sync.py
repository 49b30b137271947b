"""A whole-store offline sync of a large emulated store: the share of the API quota it uses
(requests sent / (quota x windows elapsed)) and the 429s it met, against the same sync with
one request at a time.

The store runs in its own process (its picture drawing would hold this one's GIL) with a short
window (1 s, a proportionally small quota) so 10,000 products take minutes, not hours.
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from app.api import ImageDownloader, OAuthCredentials, StoreClient
from app.api.tls import tls_context
from app.api.transport import ApiTransport
from app.api.watched_network import WatchedTransport
from app.cache.blob_cache import BlobCache
from app.cache.metadata import MetadataStore
from app.services.store_sync import StoreSync, SyncScope
from benchmarks.figures import Figure, Size
from benchmarks.remote_store import RemoteStore

WINDOW_MS = 1000


class CountingTransport(httpx.BaseTransport):
    """Counts the API requests sent and the 429s answered."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self._inner = inner
        self._lock = threading.Lock()
        self.sent = 0
        self.too_many = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.sent += 1
        response = self._inner.handle_request(request)
        if response.status_code == 429:
            with self._lock:
                self.too_many += 1
        return response

    def close(self) -> None:
        self._inner.close()


def sync_whole_store(products: int, quota: int, api_parallel: int,
                     download_parallel: int) -> tuple[float, int, int, float]:
    """(share of the quota used, 429s, requests, seconds) of one whole-store sync."""
    # (On stderr too: how long the listing waited for the store's image server.)
    with RemoteStore(catalog="large", large_product_count=products,
                     large_images_per_product=1, rate_limit_quota=quota,
                     rate_limit_window_ms=WINDOW_MS) as store, \
            tempfile.TemporaryDirectory(prefix="pim-bench-sync-") as folder:
        counting = CountingTransport(WatchedTransport(verify=tls_context()))
        credentials = OAuthCredentials(store.store_hash, store.access_token,
                                       api_base=store.api_base)
        with StoreClient(credentials, ApiTransport(credentials, transport=counting)) as client:
            downloader = ImageDownloader()
            metadata = MetadataStore.open(Path(folder) / "metadata")
            try:
                sync = StoreSync(client, downloader, metadata, BlobCache(Path(folder) / "cache"),
                                 "bench", SyncScope(), api_parallel=api_parallel,
                                 download_parallel=download_parallel)
                started = time.perf_counter()
                outcome = sync.run()
                elapsed = time.perf_counter() - started
                print(f"store_sync: {products} products: the listing waited "
                      f"{sync.held_for_pictures_s:.1f} s of {elapsed:.1f} s for pictures",
                      file=sys.stderr)
            finally:
                metadata.close()
                downloader.close()
        assert outcome.progress.products_done == products, outcome
        windows = elapsed / (WINDOW_MS / 1000)
        return counting.sent / (quota * windows), counting.too_many, counting.sent, elapsed


def run(size: Size) -> list[Figure]:
    products, baseline_products, quota = (10_000, 1_000, 40) if size == "full" \
        else (120, 30, 40)
    share, too_many, sent, elapsed = sync_whole_store(products, quota, 3, 6)
    base_share, base_429, base_sent, base_elapsed = sync_whole_store(baseline_products, quota,
                                                                     1, 1)
    print(f"store_sync: {products} products, {sent} requests in {elapsed:.1f} s "
          f"({share:.1%} of {quota}/{WINDOW_MS} ms), {too_many} answered 429; one at a time: "
          f"{baseline_products} products, {base_sent} requests in {base_elapsed:.1f} s "
          f"({base_share:.1%}), {base_429} answered 429", file=sys.stderr)
    baseline = f"one request at a time ({baseline_products:,} products)"
    return [
        Figure(f"share of the API quota a whole-store sync of {products:,} products uses "
               f"({too_many} answered 429)", share * 100, base_share * 100, "%", baseline,
               lower_is_better=False, target="at least 90 %, zero 429s"),
    ]


if __name__ == "__main__":
    from benchmarks.figures import table
    print(table(run("tiny" if "--tiny" in sys.argv else "full")))
