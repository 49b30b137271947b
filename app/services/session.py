"""One connected store: its API client, its image downloader and the threads they run on.

Reads run in parallel on a small pool; a single writer thread (for the editing issues) keeps
each change in order. Every public method returns at once and reports back on the GUI thread.
"""

from __future__ import annotations

import functools
import logging
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, QTimer, Signal

from app.api import ImageDownloader, StoreClient
from app.api.errors import (ApiError, AuthenticationFailed, MalformedResponse, NetworkError,
                            PermissionDenied, RateLimited, ServerError, store_unreachable)
from app.api.models import Product, ProductImage
from app.api.rate_limit import RateLimitSnapshot
from app.cache.blob_cache import DEFAULT_MAX_BYTES, BlobCache
from app.cache.metadata import MetadataStore
from app.services.picture_recovery import recover_picture
from app.services.problems import clip
from app.services.store_connection import StoreConnection, StoreInfo  # noqa: F401 - re-exported
from app.services.rendition_facts import RenditionFacts, RenditionInspector
from app.services.saved_copy import SavedCopy
from app.services.tasks import Priority, Task, TaskRunner
from app.services.thumbnails import ThumbnailLoader
from app.services.write_lane import WriteLanes
from app.services.write_queue import WriteQueue
from app.services.worker_signals import WorkerSignal

log = logging.getLogger(__name__)

#: While offline because the store could not be reached, it is asked again this often.
OFFLINE_PROBE_S = 15.0


class NotSavedHere(Exception):
    """Working offline, and this was never saved on this computer."""


def _not_saved() -> Any:
    raise NotSavedHere()


def connection_after(error: Exception) -> StoreConnection | None:
    """The connection state a failure shows; None when it says nothing (e.g. a 404)."""
    if isinstance(error, NetworkError):
        return StoreConnection.UNREACHABLE
    if isinstance(error, (AuthenticationFailed, PermissionDenied)):
        return StoreConnection.REFUSED
    if isinstance(error, (ServerError, MalformedResponse, RateLimited)):
        return StoreConnection.FAILING
    return None


class StoreSession(QObject):
    rateLimitChanged = Signal(object)   # RateLimitSnapshot
    #: True once the store answers, False when it cannot be reached; never emitted before the
    #: first answer, so nothing claims the store is online before anything is known.
    onlineChanged = Signal(bool)
    #: The StoreConnection after each answer that changes it.
    connectionChanged = Signal(object)
    #: Working offline since (unix time), or None once the store is used again.
    offlineChanged = Signal(object)

    def __init__(self, store: StoreInfo, cache_dir: Path | None,
                 parent: QObject | None = None, *, journal_dir: Path | None = None,
                 saved_copy_dir: Path | None = None,
                 cache_max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        """`journal_dir`: where the write queue keeps its journal (`app.paths.journal_dir()`
        in the app, a temporary folder in tests); None: a session that sends no changes.
        `saved_copy_dir`: where what was seen is kept for the next start and for working
        offline (`app.paths.metadata_dir()`); None: nothing is kept.
        `cache_max_bytes`: the picture cache's cap (Settings)."""
        super().__init__(parent)
        self.store = store
        self._cancel = threading.Event()
        # Reported from inside each request, on its worker: it must neither reach a deleted
        # session nor turn the request into a failure (see worker_signals).
        self._rate_limit_news = WorkerSignal(self, self.rateLimitChanged)
        self.client = StoreClient(store.credentials, cancel=self._cancel,
                                  on_rate_limit=self._rate_limit_news.emit)
        self.downloader = ImageDownloader(cancel=self._cancel)
        cache = BlobCache(cache_dir / "images", cache_max_bytes) if cache_dir is not None else None
        self._picture_cache = cache
        #: Pictures made for an upload (a deleted image added again) wait here until the
        #: journal has copied them.
        self.staging_dir = (cache_dir / "staging" if cache_dir is not None
                            else Path(tempfile.gettempdir()) / "pim-staging")
        self.renditions = RenditionInspector(cache, self.downloader)
        #: The grid's pictures: many workers, requests dropped as cards scroll away.
        self.thumbnails = ThumbnailLoader(self.downloader, cache, workers=6, parent=self)
        #: Product-list pictures and the details pane: kept apart so the grid's
        #: scrolling and product switches never drop them.
        self.side_pictures = ThumbnailLoader(self.downloader, cache, workers=2, parent=self)
        self.reads = TaskRunner("reads", max_workers=3, parent=self)
        #: Changes to the store: one ordered lane per product (issue 9's write queue).
        self.writes = WriteLanes(max_parallel=2, parent=self)
        #: Every change of the merchant's: journaled, shown at once, sent in order. Changes
        #: left in the journal by an earlier run are sent again now (never duplicated).
        self.queue: WriteQueue | None = None
        if journal_dir is not None:
            self.queue = WriteQueue(self.client, store.credentials.store_id, journal_dir,
                                    fetch_picture=self.downloader.fetch, parent=self)
            self.queue.resume()
        #: What was seen of the store, on disk (None: nothing is kept).
        self.saved_copy: SavedCopy | None = None
        if saved_copy_dir is not None:
            self.saved_copy = SavedCopy(saved_copy_dir, store.credentials.store_id, store.label,
                                        parent=self)
        self.online: bool | None = None  # unknown until the first answer
        self.connection = StoreConnection.UNKNOWN
        #: Offline (issue 10 §3): since when (unix time), None when working online. By the
        #: merchant's choice nothing is asked of the store until they go online again;
        #: otherwise (the store could not be reached) it is asked again every few seconds.
        self.offline_since: float | None = None
        self.offline_by_choice = False
        self._probe = QTimer(self, singleShot=True, interval=int(OFFLINE_PROBE_S * 1000))
        self._probe.timeout.connect(self.try_online)
        self._probing = False
        if self.queue is not None:
            self.queue.storeUnreachable.connect(self._store_unreachable)

    # ---- offline --------------------------------------------------------------------------

    @property
    def offline(self) -> bool:
        return self.offline_since is not None

    def work_offline(self, offline: bool) -> None:
        """The merchant's choice (the toolbar toggle, `--offline`): offline, nothing is
        asked of the store and changes wait on this computer; back online, the store is
        asked at once and the changes made meanwhile are sent."""
        self.offline_by_choice = offline
        self.downloader.offline = offline  # nothing is downloaded either: the cache answers
        if offline:
            self._probe.stop()
            self._enter_offline()
            self._set_connection(StoreConnection.OFFLINE)
        else:
            self.try_online()  # the store's first answer sends what waits

    def set_probe_interval(self, seconds: float) -> None:
        self._probe.setInterval(int(seconds * 1000))

    def try_online(self) -> None:
        """Asks the store one cheap question; an answer ends offline mode."""
        if self.offline_by_choice or self._probing or self.offline_since is None:
            return
        self._probing = True

        def answered(_: object) -> None:
            self._probing = False
            self._leave_offline()

        def failed(error: Exception) -> None:
            self._probing = False
            if isinstance(error, NetworkError):
                self._probe.start()
            else:
                self._leave_offline()  # it answers (with an error the screens will show)

        self.reads.submit("online-probe", lambda: self.client.count_products(None),
                          on_success=answered, on_failure=failed, priority=Priority.URGENT)

    def _store_unreachable(self) -> None:
        if not self.offline_by_choice:
            self._enter_offline()
            self._set_online(False)
            self._set_connection(StoreConnection.UNREACHABLE)
            if not self._probe.isActive() and not self._probing:
                self._probe.start()

    def _enter_offline(self) -> None:
        if self.queue is not None:
            self.queue.set_offline()  # changes wait, journaled and shown
        if self.offline_since is None:
            self.offline_since = time.time()
            self.offlineChanged.emit(self.offline_since)

    def _leave_offline(self) -> None:
        if self.offline_since is None or self.offline_by_choice:
            return
        self._probe.stop()
        self.offline_since = None
        self._set_online(True)
        self._set_connection(StoreConnection.OK)
        if self.queue is not None:
            self.queue.set_online()  # each product listed afresh (conflicts), then sent
        self.offlineChanged.emit(None)

    @property
    def picture_cache(self) -> BlobCache | None:
        """The pictures on disk (None: nothing is kept), shared by every loader, the offline
        sync's pins and Settings (which changes its cap and clears it)."""
        return self._picture_cache

    @property
    def rate_limit(self) -> RateLimitSnapshot | None:
        return self.client.transport.rate_limiter.snapshot

    def _read(self, name: str, work: Callable[..., Any], on_success: Callable[[Any], None],
              on_failure: Callable[[Exception], None],
              priority: Priority = Priority.NORMAL,
              on_interim: Callable[[Any], None] | None = None) -> Task:
        """`work` runs on a reads worker (see `TaskRunner.submit` for `on_interim`)."""
        def success(result: Any) -> None:
            self._set_online(True)
            self._set_connection(StoreConnection.OK)
            self._leave_offline()
            on_success(result)

        def failure(error: Exception) -> None:
            if isinstance(error, NetworkError):
                self._set_online(False)
            state = connection_after(error)
            if state is not None:
                self._set_connection(state)
            on_failure(error)
            if store_unreachable(error):
                # After the screens heard of it: going offline, they show the copy instead.
                self._store_unreachable()

        return self.reads.submit(name, work, on_success=success, on_failure=failure,
                                 priority=priority, on_interim=on_interim)

    def _set_connection(self, state: StoreConnection) -> None:
        if state is not self.connection:
            self.connection = state
            self.connectionChanged.emit(state)

    def _set_online(self, online: bool) -> None:
        if online != self.online:
            self.online = online
            self.onlineChanged.emit(online)

    def _from_disk(self, name: str, work: Callable[[MetadataStore, str], Any], empty: Any,
                   on_success: Callable[[Any], None], on_failure: Callable[[Exception], None],
                   priority: Priority = Priority.NORMAL) -> Task:
        """Offline: the saved copy answers instead of the store, on a worker; `work` gets
        the database and the store's key in it."""
        saved = self.saved_copy
        return self.reads.submit(
            name, lambda: empty if saved is None else saved.read_now(
                lambda db: work(db, saved.store), empty),
            on_success=on_success, on_failure=on_failure, priority=priority)

    def load_products(self, keyword: str | None, page: int, page_size: int,
                      on_success: Callable[[list[Product]], None],
                      on_failure: Callable[[Exception], None]) -> Task:
        if self.offline:
            return self._from_disk(
                "products", lambda db, store: [stored.product for stored in db.products(
                    store, keyword, limit=page_size, offset=(page - 1) * page_size)],
                [], on_success, on_failure)

        def loaded(products: list[Product]) -> None:
            if self.saved_copy is not None:
                self.saved_copy.save_products(products)
            on_success(products)

        return self._read("products", lambda: self.client.list_products(page, page_size, keyword),
                          loaded, on_failure)

    def load_product(self, product_id: int, on_success: Callable[[Product], None],
                     on_failure: Callable[[Exception], None]) -> Task:
        """One product's record (its name and SKU), for a product opened by its id before
        the product list, which may not even hold it on its first page, has come."""
        return self._read("product", lambda: self.client.get_product(product_id),
                          on_success, on_failure)

    def count_product_images(self, product_id: int, on_success: Callable[[int], None],
                             on_failure: Callable[[Exception], None]) -> Task:
        # Background: a list row's count must never delay the product the merchant opened.
        if self.offline:
            return self._from_disk("image-count",
                                   lambda db, store: len(db.images(store, product_id)),
                                   0, on_success, on_failure, Priority.BACKGROUND)
        return self._read("image-count", lambda: self.client.count_images(product_id),
                          on_success, on_failure, Priority.BACKGROUND)

    def count_products(self, keyword: str | None, on_success: Callable[[int], None],
                       on_failure: Callable[[Exception], None]) -> Task:
        if self.offline:
            return self._from_disk("product-count",
                                   lambda db, store: db.count_products(store, keyword), 0,
                                   on_success, on_failure)
        return self._read("product-count", lambda: self.client.count_products(keyword),
                          on_success, on_failure)

    def count_store_images(self, on_success: Callable[[int], None],
                           on_failure: Callable[[Exception], None]) -> Task:
        if self.offline:  # nothing is asked; the saved copy does not know the store's total
            return self.reads.submit("store-image-count", _not_saved, on_success=on_success,
                                     on_failure=on_failure, priority=Priority.BACKGROUND)
        return self._read("store-image-count", self.client.count_images, on_success, on_failure,
                          Priority.BACKGROUND)

    def load_images(self, product_id: int, on_success: Callable[[list[ProductImage]], None],
                    on_failure: Callable[[Exception], None], *,
                    on_first_page: Callable[[list[ProductImage]], None] | None = None,
                    on_unchecked: Callable[[list[ProductImage]], None] | None = None
                    ) -> Task:
        """`on_first_page` runs on the worker with the first page, while the rest is listed
        (see `StoreClient.all_images`); it must be thread-safe and quick, e.g. the grid's
        picture prefetch. Whatever it raises is logged, never the listing's failure.
        `on_unchecked` gets a long listing on the GUI thread before its page boundaries are
        checked (a round trip before `on_success`, which follows in any case)."""
        def first_page(images: list[ProductImage]) -> None:
            try:
                if on_first_page is not None:
                    on_first_page(images)
            except Exception:  # a guess that failed costs its head start, not the list
                log.exception("first-page hook failed for product %s", product_id)

        # What was shown is kept on this computer, the unchecked listing too: if the check
        # never comes (the connection drops), the screen and the saved copy still agree.
        last_kept: list[ProductImage] | None = None

        def keep(images: list[ProductImage]) -> None:
            nonlocal last_kept
            if self.saved_copy is not None and images != last_kept:
                self.saved_copy.save_images(product_id, images)
                last_kept = images

        def unchecked(images: list[ProductImage]) -> None:
            keep(images)
            if on_unchecked is not None:
                on_unchecked(images)

        # Urgent: the merchant clicked this product and is looking at an empty grid.
        def loaded(images: list[ProductImage]) -> None:
            keep(images)
            on_success(images)

        listing = functools.partial(self.client.all_images, product_id,
                                    on_first_page=first_page if on_first_page else None)
        if on_unchecked is None:
            return self._read("images", listing, loaded, on_failure, Priority.URGENT)
        return self._read("images", lambda send: listing(on_unchecked=send),
                          loaded, on_failure, Priority.URGENT, on_interim=unchecked)

    def saved_images(self, product_id: int,
                     on_result: Callable[[tuple[list[ProductImage], float | None]], None]
                     ) -> bool:
        """The product's images as saved on this computer, and when they were saved (for a
        paint before the store answers); False when nothing is kept."""
        if self.saved_copy is None:
            return False
        self.saved_copy.images(product_id, on_result)
        return True

    def inspect_rendition(self, url: str,
                          on_success: Callable[[RenditionFacts | None], None],
                          on_failure: Callable[[Exception], None]) -> Task:
        """Pixel size, format and file size of one rendition (header only, on a worker)."""
        return self.reads.submit("inspect-rendition", lambda: self.renditions.inspect(url),
                                 on_success=on_success, on_failure=on_failure)

    def recover_picture(self, image: ProductImage, on_success: Callable[[Path], None],
                        on_failure: Callable[[Exception], None]) -> Task:
        """The largest picture of an image deleted on the store, as a file to upload again
        (`picture_recovery`), on a worker."""
        return self.reads.submit(
            "recover-picture",
            lambda: recover_picture(image, self._picture_cache, self.downloader,
                                    self.staging_dir),
            on_success=on_success, on_failure=on_failure)

    def close(self, drain_writes_s: float = 0.0) -> None:
        """Stops everything: reads are dropped at once (their late answers too); writes
        under way or queued get up to `drain_writes_s` to finish first (the event loop runs
        meanwhile, so their answers are delivered), then whatever is left is cut."""
        self.thumbnails.shutdown()
        self.side_pictures.shutdown()
        self.reads.shutdown()
        deadline = time.monotonic() + drain_writes_s
        if drain_writes_s > 0:
            self.writes.drain(drain_writes_s)
            if self.queue is not None:
                self.queue.drain(max(0.0, deadline - time.monotonic()))
        self.writes.shutdown()
        if self.queue is not None:
            self.queue.shutdown()  # what is left stays in the journal for the next start
        if self.saved_copy is not None:
            self.saved_copy.close()
        self._rate_limit_news.close()
        self._cancel.set()
        # Closing the clients from a worker avoids blocking the GUI on a socket teardown.
        threading.Thread(target=self._close_clients, daemon=True).start()

    def _close_clients(self) -> None:
        for closeable in (self.client, self.downloader):
            try:
                closeable.close()
            except Exception:  # noqa: BLE001 - best effort at shutdown
                pass


def describe_error(error: Exception) -> str:
    """One clipped sentence for any failure (message boxes); panels use problems.explain."""
    if isinstance(error, ApiError):
        return clip(error.message)
    return clip(f"Unexpected error: {error}")
