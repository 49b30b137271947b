"""What was seen of a store, kept on this computer (issue 10 §1): products and images in the
metadata database (`app.cache.metadata`), so a product seen before paints at once on the next
start, before the store answers, and stays visible when the store cannot be reached.

One worker thread owns the database (an SQLite connection is bound to the thread that opened
it); every call here only posts work to it and returns. Results come back on the GUI thread
through `WorkerSignal` callbacks, never to a deleted object. A database that cannot be used is
said once (`problem`) and the app works on from the store alone.
"""

from __future__ import annotations

import concurrent.futures
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.api.models import Product, ProductImage
from app.cache.metadata import ImageSetChanges, MetadataError, MetadataStore
from app.services.worker_signals import WorkerSignal

log = logging.getLogger(__name__)


class SavedCopy(QObject):
    #: The saved copy could not be opened as it was (set aside, too new) or at all: merchant text.
    problem = Signal(str)
    _answer = Signal(object, object)  # callback, result (run on the GUI thread)

    def __init__(self, folder: Path, store: str, label: str,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._db: MetadataStore | None = None  # the worker's; None until (unless) opened
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="pim-saved-copy")
        self._answer.connect(lambda callback, result: callback(result))
        self._answers = WorkerSignal(self, self._answer)
        self._problems = WorkerSignal(self, self.problem)
        self._closed = False
        self._closing: concurrent.futures.Future[None] | None = None
        self._executor.submit(self._open, folder, label)

    # ---- GUI thread ----------------------------------------------------------------------

    def images(self, product_id: int,
               on_result: Callable[[tuple[list[ProductImage], float | None]], None]) -> None:
        """The product's images as last saved, and when (seconds since the epoch); ([], None)
        when it was never saved or cannot be read."""
        self._read(lambda db: (list(db.images(self._store, product_id)),
                               db.synced_at(self._store, product_id)),
                   ([], None), on_result)

    def products(self, keyword: str | None, limit: int, offset: int,
                 on_result: Callable[[list[Product]], None]) -> None:
        """One page of the products seen (id ascending, like the store's list)."""
        self._read(lambda db: [stored.product for stored in
                               db.products(self._store, keyword, limit=limit, offset=offset)],
                   [], on_result)

    def count_products(self, keyword: str | None, on_result: Callable[[int], None]) -> None:
        self._read(lambda db: db.count_products(self._store, keyword), 0, on_result)

    def kept_offline(self, on_result: Callable[[dict[int, float | None]], None]) -> None:
        """The products kept for offline use, and when each was last synced."""
        self._read(lambda db: db.kept_offline(self._store), {}, on_result)

    def save_images(self, product_id: int, images: Sequence[ProductImage],
                    on_changes: Callable[[ImageSetChanges], None] | None = None) -> None:
        images = tuple(images)
        self._write(lambda db: db.replace_images(self._store, product_id, images), on_changes)

    def save_products(self, products: Sequence[Product]) -> None:
        products = tuple(products)
        self._write(lambda db: db.save_products(self._store, products))

    def read_now(self, work: Callable[[MetadataStore], Any], empty: Any,
                 timeout_s: float = 30.0) -> Any:
        """For a worker thread (never the GUI thread): `work` run on the database's thread,
        its result returned; `empty` when nothing is kept or it cannot be read."""
        if self._closed:
            return empty

        def run() -> Any:
            if self._db is None:
                return empty
            try:
                return work(self._db)
            except MetadataError as exc:
                log.info("saved copy not read: %s", exc)
                return empty

        return self._executor.submit(run).result(timeout=timeout_s)

    @property
    def store(self) -> str:
        return self._store

    def close(self) -> None:
        """Nothing more is read or reported; the database is closed once what was posted
        has been written."""
        if self._closed:
            return
        self._closed = True
        self._answers.close()
        self._problems.close()
        self._closing = self._executor.submit(self._close)
        self._executor.shutdown(wait=False)

    def is_closed(self) -> bool:
        """Everything posted was written and the database is closed (after `close`)."""
        return self._closing is not None and self._closing.done()

    # ---- the worker ----------------------------------------------------------------------

    def _open(self, folder: Path, label: str) -> None:
        try:
            self._db = MetadataStore.open(folder)
            self._db.remember_store(self._store, label)
        except MetadataError as exc:
            log.warning("no saved copy: %s", exc)
            self._problems.emit(str(exc))
            return
        if self._db.problem is not None:
            self._problems.emit(str(self._db.problem))

    def _close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _read(self, work: Callable[[MetadataStore], Any], empty: Any,
              on_result: Callable[[Any], None]) -> None:
        if self._closed:
            return

        def run() -> None:
            result = empty
            if self._db is not None:
                started = time.perf_counter()
                try:
                    result = work(self._db)
                except MetadataError as exc:
                    log.info("saved copy not read: %s", exc)
                log.debug("saved copy read in %.1f ms", (time.perf_counter() - started) * 1000)
            self._answers.emit(on_result, result)

        self._executor.submit(run)

    def _write(self, work: Callable[[MetadataStore], Any],
               on_result: Callable[[Any], None] | None = None) -> None:
        if self._closed:
            return

        def run() -> None:
            if self._db is None:
                return
            try:
                result = work(self._db)
            except MetadataError as exc:
                log.info("saved copy not updated: %s", exc)
                return
            if on_result is not None:
                self._answers.emit(on_result, result)

        self._executor.submit(run)
