"""Make products available offline (issue 10 §2), Qt-free: fetch their records, their image
lists and the renditions the grid shows, save them on disk and pin them.

One `StoreSync` runs one job on the thread that calls `run` (it owns a `MetadataStore`
opened on that thread). The API work goes to a few threads in parallel and the picture
downloads to a few more, so the store's quota is kept full: the shared `RateLimiter` of the
client paces every request by the X-Rate-Limit-* headers, and one request at a time would
leave most of each window unused (a request's round trip, and the wait at each window's end,
are time in which no other request is on its way).

The job (scope, products done) is written beside the metadata database, so a sync stopped
by a crash or a quit resumes where it was (`pending_job`, `StoreSync.resume`). Pause holds
new requests (the ones under way finish); cancel stops them and forgets the job (what was
done stays offline). `busy()` lets the merchant's own reads go first: while it answers True,
no new request of the sync leaves.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from app.api import errors
from app.api.cancellation import cancel_scope
from app.api.cdn import ImageDownloader
from app.api.client import MAX_PAGE_SIZE, StoreClient
from app.api.models import Product, ProductImage
from app.cache.blob_cache import BlobCache
from app.cache.metadata import MetadataError, MetadataStore
from app.services.sizes import describe_bytes

log = logging.getLogger(__name__)

#: Renditions the grid needs offline; the zoom one is optional (large).
GRID_RENDITIONS = ("tiny_url", "standard_url")
ZOOM_RENDITION = "zoom_url"
#: API requests in flight at once: enough to fill a window while one waits for its answer.
DEFAULT_API_PARALLEL = 3
DEFAULT_DOWNLOAD_PARALLEL = 6
#: Requests go in single file once a window has fewer than this many left per lane.
SINGLE_FILE_LEFT_PER_LANE = 2
#: Products whose pictures are still downloading, at most, before the lister waits.
MAX_PRODUCTS_DOWNLOADING = 200
#: The job file is rewritten at most this often while products complete.
JOB_FLUSH_INTERVAL_S = 1.0
#: Failures in a row (not of one product: the store or network itself) that stop the sync.
MAX_FAILURES_IN_A_ROW = 5
#: Products sampled for the size estimate.
SAMPLE_PRODUCTS = 3
#: A store that did not say its quota is assumed to have the Standard plan's.
DEFAULT_QUOTA_PER_S = 150 / 30
#: Products counted one by one for an estimate; more are extrapolated from the store's average.
MAX_COUNTED_PRODUCTS = 20
JOB_VERSION = 1


# ---- what the merchant asked for -----------------------------------------------------------

@dataclass(frozen=True)
class SyncScope:
    """Some products by id, the products a search finds, or (neither) the whole store."""

    product_ids: tuple[int, ...] | None = None
    keyword: str | None = None

    @property
    def kind(self) -> Literal["products", "search", "store"]:
        if self.product_ids is not None:
            return "products"
        return "search" if self.keyword else "store"

    def describe(self) -> str:
        if self.product_ids is not None:
            count = len(self.product_ids)
            return "the selected product" if count == 1 else f"{count} selected products"
        if self.keyword:
            return f"the products found for \u201c{self.keyword}\u201d"
        return "the whole store"

    def to_json(self) -> dict[str, Any]:
        return {"product_ids": None if self.product_ids is None else list(self.product_ids),
                "keyword": self.keyword}

    @classmethod
    def from_json(cls, data: Any) -> SyncScope:
        ids = data.get("product_ids")
        keyword = data.get("keyword")
        if ids is not None and not (isinstance(ids, list)
                                    and all(isinstance(i, int) for i in ids)):
            raise ValueError("product_ids")
        if keyword is not None and not isinstance(keyword, str):
            raise ValueError("keyword")
        return cls(None if ids is None else tuple(ids), keyword)


@dataclass(frozen=True)
class SyncEstimate:
    products: int
    images: int
    bytes: int
    seconds: float
    requests: int

    def describe(self) -> str:
        """ "24 products, 2,041 pictures: about 1.2 GB, about 40 minutes." """
        return (f"{self.products:,} product{'s' if self.products != 1 else ''}, "
                f"{self.images:,} picture{'s' if self.images != 1 else ''}: "
                f"about {describe_bytes(self.bytes)}, {describe_duration(self.seconds)}.")


@dataclass(frozen=True)
class SyncProgress:
    products_done: int
    products_total: int
    bytes_done: int
    images_done: int
    failed: int = 0   # products skipped this run (retried by the next sync)


@dataclass(frozen=True)
class SyncOutcome:
    state: Literal["finished", "cancelled", "stopped"]   # stopped: the job is kept
    progress: SyncProgress


class SyncFailed(Exception):
    """The sync stopped; `str()` is merchant text. The job is kept: it can resume."""


def describe_duration(seconds: float) -> str:
    if seconds < 60:
        return "less than a minute"
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"about {minutes} minute{'s' if minutes != 1 else ''}"
    hours = seconds / 3600
    return f"about {hours:.1f} hours" if hours < 10 else f"about {round(hours)} hours"


def describe_synced(synced_at: float | None, now: float | None = None) -> str:
    """ "synced 2 h ago", for a product kept offline."""
    if synced_at is None:
        return "not synced yet"
    age = max(0.0, (time.time() if now is None else now) - synced_at)
    if age < 60:
        return "synced just now"
    if age < 3600:
        return f"synced {int(age // 60)} min ago"
    if age < 86400:
        return f"synced {int(age // 3600)} h ago"
    days = int(age // 86400)
    return f"synced {days} day{'s' if days != 1 else ''} ago"


# ---- the job on disk -----------------------------------------------------------------------

@dataclass
class SyncJob:
    store: str
    scope: SyncScope
    zoom: bool = False
    started_at: float = field(default_factory=time.time)
    done: set[int] = field(default_factory=set)
    total: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"v": JOB_VERSION, "store": self.store, "scope": self.scope.to_json(),
                "zoom": self.zoom, "started_at": self.started_at, "done": sorted(self.done),
                "total": self.total}

    @classmethod
    def from_json(cls, data: Any) -> SyncJob:
        if not isinstance(data, dict) or data.get("v") != JOB_VERSION:
            raise ValueError("version")
        done = data["done"]
        if not isinstance(done, list) or not all(isinstance(i, int) for i in done):
            raise ValueError("done")
        total = data.get("total")
        return cls(str(data["store"]), SyncScope.from_json(data["scope"]), bool(data["zoom"]),
                   float(data["started_at"]), set(done),
                   total if isinstance(total, int) else None)


def job_path(folder: Path, store: str) -> Path:
    """The job file of `store`'s sync, beside the metadata database in `folder`."""
    digest = hashlib.sha256(store.encode("utf-8")).hexdigest()[:16]
    return folder / f"offline-sync-{digest}.json"


def pending_job(folder: Path, store: str) -> SyncJob | None:
    """The sync of `store` that was stopped before it finished (quit, crash), if any. A file
    that cannot be read is no job (the products it did are pinned anyway)."""
    path = job_path(folder, store)
    try:
        job = SyncJob.from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("offline sync: the stopped job could not be read (%s); not resumed", exc)
        return None
    return job if job.store == store else None


def save_job(path: Path, job: SyncJob) -> None:
    """Writes the job file atomically (a crash leaves the old one or the new one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-offline-sync-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(job.to_json(), handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ---- the sync ------------------------------------------------------------------------------

@dataclass
class _Fetched:
    """One product's listing, and its pictures on their way to the cache."""

    product: Product
    images: list[ProductImage]
    keys: list[str]
    downloads: list[concurrent.futures.Future[int]]


class StoreSync:
    """One sync job. `run` blocks (call it on a worker thread); `pause`, `resume`, `cancel`
    may be called from any thread."""

    def __init__(self, client: StoreClient, downloader: ImageDownloader,
                 metadata: MetadataStore, cache: BlobCache, store: str, scope: SyncScope, *,
                 zoom: bool = False, busy: Callable[[], bool] | None = None,
                 on_progress: Callable[[SyncProgress], None] | None = None,
                 api_parallel: int = DEFAULT_API_PARALLEL,
                 download_parallel: int = DEFAULT_DOWNLOAD_PARALLEL,
                 job: SyncJob | None = None,
                 job_flush_interval_s: float = JOB_FLUSH_INTERVAL_S,
                 cancel: threading.Event | None = None,
                 running: threading.Event | None = None,
                 keep_job: threading.Event | None = None) -> None:
        """`cancel`, `running` (cleared: paused) and `keep_job` (set: a cancel is a stop
        that keeps the job, for a quit) may be shared with a controller that exists before
        this object, e.g. a Qt wrapper whose pause may come first."""
        self._client = client
        self._downloader = downloader
        self._metadata = metadata
        self._cache = cache
        self._store = store
        self.job = job or SyncJob(store, scope, zoom)
        self._busy = busy or (lambda: False)
        self._on_progress = on_progress
        self._api_parallel = max(1, api_parallel)
        self._download_parallel = max(1, download_parallel)
        self._cancel = cancel or threading.Event()
        if running is None:
            running = threading.Event()
            running.set()
        self._running = running   # cleared while paused
        self._keep_job = keep_job or threading.Event()
        self._job_file = job_path(metadata.folder, store)
        self._bytes_done = 0
        self._images_done = 0
        self._failed = 0
        self._bytes_lock = threading.Lock()
        #: Time the listing waited for the picture downloads to catch up (the quota idles).
        self.held_for_pictures_s = 0.0
        self._lanes = threading.Condition()
        self._in_flight = 0
        self._flush_interval_s = job_flush_interval_s
        self._last_flush = 0.0

    @classmethod
    def resume(cls, job: SyncJob, client: StoreClient, downloader: ImageDownloader,
               metadata: MetadataStore, cache: BlobCache, **options: Any) -> StoreSync:
        """Carries on a job found by `pending_job`: the products it did are not fetched again."""
        return cls(client, downloader, metadata, cache, job.store, job.scope, zoom=job.zoom,
                   job=job, **options)

    @property
    def scope(self) -> SyncScope:
        return self.job.scope

    # -- control (any thread) ----------------------------------------------------------------

    def pause(self) -> None:
        self._running.clear()

    def resume_running(self) -> None:
        self._running.set()

    def cancel(self) -> None:
        """Stops, and forgets the job: what was done stays offline."""
        self._cancel.set()
        self._running.set()  # a paused sync wakes up to stop

    def stop(self) -> None:
        """Stops and keeps the job, so a later `resume` carries on (the app quits)."""
        self._keep_job.set()
        self.cancel()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    # -- estimate ----------------------------------------------------------------------------

    def estimate(self) -> SyncEstimate:
        """Products, pictures, bytes and time, from a few requests (counts and a sample of
        renditions, which go into the cache so they are not downloaded twice)."""
        with cancel_scope(self._cancel):
            scope = self.scope
            if scope.product_ids is not None:
                products = len(scope.product_ids)
                if products <= MAX_COUNTED_PRODUCTS:
                    images = sum(self._api(self._client.count_images, pid)
                                 for pid in scope.product_ids)
                else:
                    images = round(products * self._store_average())
                sample_ids = list(scope.product_ids[:SAMPLE_PRODUCTS])
            else:
                products = self._api(self._client.count_products, scope.keyword)
                if scope.keyword:
                    images = round(products * self._store_average())
                else:
                    images = self._api(self._client.count_images)
                first = self._api(self._client.list_products, 1, SAMPLE_PRODUCTS,
                                  scope.keyword) if products else []
                sample_ids = [product.id for product in first]
            self.job.total = products
            per_image = self._sample_bytes(sample_ids)
            requests = self._requests_needed(products, images)
            seconds = requests / self._quota_per_second()
            return SyncEstimate(products, images, round(per_image * images), seconds, requests)

    def _store_average(self) -> float:
        count = self._api(self._client.count_products, None)
        return self._api(self._client.count_images) / count if count else 0.0

    def _requests_needed(self, products: int, images: int) -> int:
        listing_pages = 0 if self.scope.product_ids is not None \
            else -(-products // MAX_PAGE_SIZE)
        per_product = 2 if self.scope.product_ids is not None else 1  # + the record by id
        extra_pages = max(0, -(-images // MAX_PAGE_SIZE) - products)  # products over 250
        return listing_pages + products * per_product + extra_pages

    def _quota_per_second(self) -> float:
        snapshot = self._client.transport.rate_limiter.snapshot
        if snapshot is None or not snapshot.quota or not snapshot.window_ms:
            return DEFAULT_QUOTA_PER_S
        return snapshot.quota / (snapshot.window_ms / 1000)

    def _sample_bytes(self, product_ids: Sequence[int]) -> float:
        """Mean bytes of one image's renditions (those this sync fetches), from the first
        image of a few products; 0 when none could be read."""
        sizes: list[int] = []
        for product_id in product_ids:
            images = self._api(self._client.list_images, product_id, 1, 1)
            if not images:
                continue
            try:
                sizes.append(sum(self._fetch_rendition(url)
                                 for url in self._rendition_urls(images[0])))
            except errors.ApiError as exc:
                if isinstance(exc, errors.Cancelled):
                    raise
                log.info("offline sync: a sample picture was not read (%s)", exc)
        return sum(sizes) / len(sizes) if sizes else 0.0

    # -- the run -----------------------------------------------------------------------------

    def run(self) -> SyncOutcome:
        """Syncs every product of the scope not done yet; returns when all are done or the
        sync was cancelled. Raises SyncFailed when the store or the disk keeps failing (the
        job is kept, so it can resume)."""
        job = self.job
        self._flush(force=True)
        api = concurrent.futures.ThreadPoolExecutor(self._api_parallel,
                                                    thread_name_prefix="pim-sync-api")
        downloads = concurrent.futures.ThreadPoolExecutor(
            self._download_parallel, thread_name_prefix="pim-sync-picture")
        listing: dict[concurrent.futures.Future[_Fetched], int] = {}
        downloading: list[_Fetched] = []
        failures_in_a_row = 0
        stopped_from_outside = False   # the client's own cancel: the session is closing
        try:
            with cancel_scope(self._cancel):
                todo = self._todo()
                exhausted = False
                while True:
                    if self._cancel.is_set():
                        break
                    # Keep the API lanes busy (unless paused or too much is downloading).
                    while (not exhausted and self._running.is_set()
                           and len(listing) < 2 * self._api_parallel
                           and len(downloading) < MAX_PRODUCTS_DOWNLOADING):
                        item = next(todo, None)
                        if item is None:
                            exhausted = True
                            break
                        key = item if isinstance(item, int) else item.id
                        listing[api.submit(self._fetch, item, downloads)] = key
                    if exhausted and not listing and not downloading:
                        break
                    held = not exhausted and len(downloading) >= MAX_PRODUCTS_DOWNLOADING
                    waited_from = time.monotonic()
                    finished, _ = concurrent.futures.wait(
                        [*listing, *(f for fetched in downloading for f in fetched.downloads)],
                        timeout=0.2, return_when=concurrent.futures.FIRST_COMPLETED)
                    if held:
                        self.held_for_pictures_s += time.monotonic() - waited_from
                    for future in [f for f in listing if f in finished]:
                        product_id = listing.pop(future)
                        try:
                            downloading.append(future.result())
                            failures_in_a_row = 0
                        except errors.Cancelled:
                            if not self._cancel.is_set():
                                raise
                        except errors.NotFound:
                            log.info("offline sync: product %s is gone from the store",
                                     product_id)
                            job.done.add(product_id)  # nothing left to keep
                        except errors.ApiError as exc:
                            failures_in_a_row = self._count_failure(
                                product_id, exc, failures_in_a_row)
                    for fetched in [f for f in downloading if all(d.done() for d in f.downloads)]:
                        downloading.remove(fetched)
                        failures_in_a_row = self._complete(fetched, failures_in_a_row)
                    self._flush()
        except errors.Cancelled:
            stopped_from_outside = not self._cancel.is_set()
        except (errors.ApiError, MetadataError, OSError) as exc:
            self._flush(force=True)
            raise SyncFailed(self._failure_text(exc)) from exc
        finally:
            self._cancel_all(listing, downloading)
            api.shutdown(wait=True, cancel_futures=True)
            downloads.shutdown(wait=True, cancel_futures=True)
        if self._cancel.is_set() or stopped_from_outside:
            if self._keep_job.is_set() or stopped_from_outside:
                self._flush(force=True)
                return SyncOutcome("stopped", self.progress())
            self._job_file.unlink(missing_ok=True)
            return SyncOutcome("cancelled", self.progress())
        if self._failed:
            self._flush(force=True)
            raise SyncFailed(
                f"{self._failed} of the products could not be made available offline "
                "(the store did not answer for them). The others are kept. Make them "
                "available offline again to fetch the rest.")
        self._job_file.unlink(missing_ok=True)
        return SyncOutcome("finished", self.progress())

    def progress(self) -> SyncProgress:
        job = self.job
        total = job.total if job.total is not None else len(job.done)
        with self._bytes_lock:
            return SyncProgress(len(job.done), max(total, len(job.done)), self._bytes_done,
                                self._images_done, self._failed)

    def _todo(self) -> Iterator[int | Product]:
        """Products (by id, or as listed) not done yet, in id order."""
        job = self.job
        if job.scope.product_ids is not None:
            if job.total is None:
                job.total = len(job.scope.product_ids)
            yield from (pid for pid in job.scope.product_ids if pid not in job.done)
            return
        if job.total is None:
            job.total = self._api(self._client.count_products, job.scope.keyword)
        page = 1
        while True:
            products = self._api(self._client.list_products, page, MAX_PAGE_SIZE,
                                 job.scope.keyword)
            yield from (product for product in products if product.id not in job.done)
            if len(products) < MAX_PAGE_SIZE:
                return
            page += 1

    def _fetch(self, item: int | Product,
               downloads: concurrent.futures.ThreadPoolExecutor) -> _Fetched:
        """On an API lane: the product's record (when only its id is known) and images; its
        pictures are queued for the download lanes."""
        with cancel_scope(self._cancel):
            product = self._api(self._client.get_product, item) if isinstance(item, int) \
                else item
            images = self._api(self._client.all_images, product.id)
        keys = [url for image in images for url in self._rendition_urls(image)]
        futures = [downloads.submit(self._download, url) for url in keys]
        return _Fetched(product, images, keys, futures)

    def _download(self, url: str) -> int:
        with cancel_scope(self._cancel):
            self._wait_turn(api=False)
            size = self._fetch_rendition(url)
        with self._bytes_lock:
            self._bytes_done += size
        return size

    def _fetch_rendition(self, url: str) -> int:
        """Puts `url`'s picture in the cache unless it is there; its size."""
        cached = self._cache.get(url)
        if cached is not None:
            return len(cached)
        download = self._downloader.download(url)
        if not download.complete:
            raise errors.NetworkError("A picture arrived incomplete.")
        self._cache.put(url, download.data)
        return len(download.data)

    def _rendition_urls(self, image: ProductImage) -> list[str]:
        fields = (*GRID_RENDITIONS, ZOOM_RENDITION) if self.job.zoom else GRID_RENDITIONS
        urls = [getattr(image, name) for name in fields]
        return list(dict.fromkeys(url for url in urls if url))

    def _complete(self, fetched: _Fetched, failures_in_a_row: int) -> int:
        """On the run's thread: the product's records saved and pinned, once every picture
        is in the cache."""
        product_id = fetched.product.id
        for future in fetched.downloads:
            failure = future.exception()
            if isinstance(failure, errors.Cancelled) and self._cancel.is_set():
                return failures_in_a_row
            if isinstance(failure, errors.NotFound):
                continue  # replaced meanwhile: the next sync fetches the new one
            if isinstance(failure, errors.ApiError):
                return self._count_failure(product_id, failure, failures_in_a_row)
            if failure is not None:
                raise failure
        store = self._store
        self._metadata.replace_images(store, product_id, fetched.images)
        self._metadata.save_products(store, [replace(fetched.product,
                                                     image_count=len(fetched.images))])
        self._cache.pin(f"{store}/{product_id}", fetched.keys)
        self._metadata.set_pinned(store, [product_id], True)
        self.job.done.add(product_id)
        with self._bytes_lock:
            self._images_done += len(fetched.images)
        if self._on_progress is not None:
            self._on_progress(self.progress())
        return 0

    def _count_failure(self, product_id: int, exc: errors.ApiError, in_a_row: int) -> int:
        log.info("offline sync: product %s not synced (%s)", product_id, exc)
        self._failed += 1
        if in_a_row + 1 >= MAX_FAILURES_IN_A_ROW:
            raise exc
        return in_a_row + 1

    def _api(self, call: Callable[..., Any], *args: Any) -> Any:
        self._wait_turn(api=True)
        with self._lane():
            return call(*args)

    @contextmanager
    def _lane(self) -> Iterator[None]:
        """One of the API requests allowed in flight: `api_parallel` (and the lister), but
        only one near the end of a window.

        Why: each answer tells the client's RateLimiter how much of the window is left, and it
        counts on from there; the requests still on their way when that answer was written are
        not in it. With several in flight the count runs high by up to their number, more than
        the limiter's small reserve, and the window's last requests met a 429 (2 in a
        10,000-product sync). In single file at the end of a window every answer is exact,
        and no answer of the old window arrives after the new one began."""
        with self._lanes:
            while self._in_flight >= self._lanes_open():
                self._lanes.wait(0.05)
            self._in_flight += 1
        try:
            yield
        finally:
            with self._lanes:
                self._in_flight -= 1
                self._lanes.notify_all()

    def _lanes_open(self) -> int:
        snapshot = self._client.transport.rate_limiter.snapshot
        if snapshot is not None and snapshot.left is not None \
                and snapshot.left <= SINGLE_FILE_LEFT_PER_LANE * (self._api_parallel + 1):
            resets_at = snapshot.resets_at
            if resets_at is None or time.monotonic() < resets_at:
                return 1
        return self._api_parallel + 1   # the lanes and the lister

    def _wait_turn(self, *, api: bool) -> None:
        """Holds a request while paused, and (API requests) while the merchant's reads run."""
        while True:
            if self._cancel.is_set():
                raise errors.Cancelled("Cancelled.")
            if not self._running.is_set():
                self._running.wait(0.2)
                continue
            if api and self._busy():
                self._cancel.wait(0.05)
                continue
            return

    def _cancel_all(self, listing: dict[Any, int], downloading: list[_Fetched]) -> None:
        for future in listing:
            future.cancel()
        for fetched in downloading:
            for future in fetched.downloads:
                future.cancel()

    def _flush(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_flush < self._flush_interval_s:
            return
        self._last_flush = now
        try:
            save_job(self._job_file, self.job)
        except OSError as exc:  # the sync goes on; only a resume would redo more
            log.warning("offline sync: the job file was not written (%s)", exc.strerror)

    @staticmethod
    def _failure_text(exc: BaseException) -> str:
        if isinstance(exc, MetadataError):
            return str(exc)
        if isinstance(exc, OSError):
            return ("The pictures could not be saved on this computer "
                    f"({exc.strerror or exc}). Free some disk space, then make the products "
                    "available offline again: what was done is kept.")
        return (f"Making products available offline stopped: {exc} What was done is kept; "
                "start it again to fetch the rest.")
