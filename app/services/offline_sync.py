"""Make available offline, for the window: `StoreSync` on one dedicated thread, its news as
signals on the GUI thread.

The thread owns its own connection to the metadata database (SQLite binds a connection to
the thread that opened it; WAL lets it write beside the saved copy's). Every call here only
posts work or sets an event and returns: the GUI thread never waits for the store or the disk.
Signals are emitted through `WorkerSignal`, so a sync that outlives the window reaches nobody
instead of a deleted object.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.api import errors
from app.api.cdn import ImageDownloader
from app.api.client import StoreClient
from app.cache.blob_cache import BlobCache
from app.cache.metadata import MetadataError, MetadataStore
from app.services.store_sync import (
    StoreSync,
    SyncEstimate,
    SyncFailed,
    SyncJob,
    SyncScope,
    pending_job,
)
from app.services.worker_signals import WorkerSignal

log = logging.getLogger(__name__)


class OfflineSync(QObject):
    #: SyncEstimate, for the scope last asked about.
    estimated = Signal(object)
    #: SyncProgress, after each product.
    progress = Signal(object)
    #: SyncOutcome: every product done, or cancelled.
    finished = Signal(object)
    #: What went wrong, in merchant words (the job is kept and can resume).
    failed = Signal(str)
    #: {product id: when it was synced} of every product kept offline, after each sync (the
    #: page reads it from the saved copy when the store opens).
    keptChanged = Signal(object)
    #: A job stopped before it finished (quit, crash) was found: SyncJob.
    pendingFound = Signal(object)
    _stateChanged = Signal()

    def __init__(self, client: StoreClient, downloader: ImageDownloader, cache: BlobCache,
                 metadata_folder: Path, store: str, *,
                 busy: Callable[[], bool] | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._client = client
        self._downloader = downloader
        self._cache = cache
        self._folder = metadata_folder
        self._store = store
        self._busy = busy
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="pim-offline-sync")
        self._metadata: MetadataStore | None = None   # the worker's
        self._cancel = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self._keep_job = threading.Event()   # set on quit: the job stays for next time
        self._active = False   # a run is queued or under way (GUI thread's view)
        self._estimate_cancel = threading.Event()
        self._signals = {name: WorkerSignal(self, getattr(self, name)) for name in
                         ("estimated", "progress", "finished", "failed", "keptChanged",
                          "pendingFound")}
        self._done = WorkerSignal(self, self._stateChanged)
        self._stateChanged.connect(self._run_ended)
        self._closed = False

    # ---- GUI thread ----------------------------------------------------------------------

    @property
    def active(self) -> bool:
        """A sync was started and has not ended (paused counts as active)."""
        return self._active

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def estimate(self, scope: SyncScope, zoom: bool = False) -> None:
        """Emits `estimated` (or `failed`). A newer estimate makes the older one stop."""
        self._estimate_cancel.set()
        self._estimate_cancel = cancel = threading.Event()
        self._post(lambda: self._estimate(scope, zoom, cancel))

    def start(self, scope: SyncScope, zoom: bool = False) -> None:
        self._start(lambda metadata, options: StoreSync(
            self._client, self._downloader, metadata, self._cache, self._store, scope,
            zoom=zoom, **options))

    def resume_job(self, job: SyncJob) -> None:
        """Carries on a job `pendingFound` reported."""
        self._start(lambda metadata, options: StoreSync.resume(
            job, self._client, self._downloader, metadata, self._cache, **options))

    def find_pending(self) -> None:
        """Emits `pendingFound` when a sync of this store was stopped before it finished."""
        self._post(self._find_pending)

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def cancel(self) -> None:
        self._cancel.set()
        self._running.set()
        self._estimate_cancel.set()

    def shutdown(self) -> None:
        """Stops the sync (its job is kept, so it resumes next time) and closes the database
        once the thread is free. Nothing more is reported."""
        if self._closed:
            return
        self._closed = True
        for signal in (*self._signals.values(), self._done):
            signal.close()
        # Stopping for a quit is not the merchant's cancel: the job file stays.
        self._keep_job.set()
        self._cancel.set()
        self._running.set()
        self._estimate_cancel.set()
        try:
            self._executor.submit(self._close)
        except RuntimeError:  # the interpreter is exiting: its threads are gone already
            return
        self._executor.shutdown(wait=False)

    def _start(self, make: Callable[[MetadataStore, dict[str, object]], StoreSync]) -> None:
        if self._active or self._closed:
            return
        self._active = True
        self._cancel = threading.Event()
        self._running.set()
        self._post(lambda: self._run(make, self._cancel))

    def _post(self, work: Callable[[], None]) -> None:
        if not self._closed:
            self._executor.submit(self._guarded, work)

    def _run_ended(self) -> None:
        self._active = False

    # ---- the sync's thread ---------------------------------------------------------------

    def _guarded(self, work: Callable[[], None]) -> None:
        try:
            work()
        except Exception:  # a bug must not end the thread silently for later work
            log.exception("offline sync: unexpected failure")
            self._signals["failed"].emit(
                "Making products available offline stopped because of an error in the app. "
                "Start it again; what was done is kept.")

    def _db(self) -> MetadataStore:
        if self._metadata is None:
            self._metadata = MetadataStore.open(self._folder)
        return self._metadata

    def _estimate(self, scope: SyncScope, zoom: bool, cancel: threading.Event) -> None:
        try:
            sync = StoreSync(self._client, self._downloader, self._db(), self._cache,
                             self._store, scope, zoom=zoom, cancel=cancel)
            estimate: SyncEstimate = sync.estimate()
        except errors.Cancelled:
            return
        except (errors.ApiError, MetadataError) as exc:
            if not cancel.is_set():
                self._signals["failed"].emit(
                    f"The size of the download could not be worked out: {exc}")
            return
        if not cancel.is_set():
            self._signals["estimated"].emit(estimate)

    def _run(self, make: Callable[[MetadataStore, dict[str, object]], StoreSync],
             cancel: threading.Event) -> None:
        try:
            try:
                sync = make(self._db(), {"busy": self._busy, "cancel": cancel,
                                         "running": self._running,
                                         "keep_job": self._keep_job,
                                         "on_progress": self._signals["progress"].emit})
                outcome = sync.run()
            except SyncFailed as exc:
                self._signals["failed"].emit(str(exc))
                return
            except MetadataError as exc:
                self._signals["failed"].emit(str(exc))
                return
            if outcome.state == "stopped":
                return
            self._signals["finished"].emit(outcome)
            self._read_kept()
        finally:
            self._done.emit()

    def _find_pending(self) -> None:
        job = pending_job(self._folder, self._store)
        if job is not None:
            self._signals["pendingFound"].emit(job)

    def _read_kept(self) -> None:
        try:
            kept = self._db().kept_offline(self._store)
        except MetadataError as exc:
            log.warning("offline sync: kept products not read (%s)", exc)
            return
        self._signals["keptChanged"].emit(kept)

    def _close(self) -> None:
        if self._metadata is not None:
            self._metadata.close()
            self._metadata = None
