"""Loads thumbnails for what is on screen now, newest request first.

The view asks for a picture each time it paints a card whose picture is missing. Requests
are de-duplicated and kept in a LIFO stack (calibre's render queue), so what was painted last
(what the merchant is looking at) loads first, and requests for cards that scrolled away are
dropped with `retain()`. Workers read the disk cache, else download with the credential-free
CDN client, then decode and scale with Pillow (`picture_decoder`, which releases the GIL, unlike
`QImage.fromData`) to a `QImage`; the GUI thread only turns the finished `QImage` into a
`QPixmap`. Only pictures that decoded completely are written to the disk cache.

`prefetch` starts a picture before anyone asks for it (the grid guesses its first screen from
the first page of a product's listing, while the rest is still being listed and checked). A
prefetched picture is handed over only when `request` asks for it: an answer nobody asked
for yet would reach a model that has no row for it and be dropped.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Hashable, Iterable

from PySide6.QtCore import QObject, QSize, Signal
from PySide6.QtGui import QImage

from app.api.cdn import ImageDownloader
from app.api.errors import ApiError, Cancelled
from app.cache.blob_cache import BlobCache
from app.services.picture_decoder import PictureRefused, decode_picture, to_qimage
from app.services.worker_signals import WorkerSignal

log = logging.getLogger(__name__)


#: Prefetched pictures nobody has asked for yet, kept at most (a few screens of cards).
MAX_UNCLAIMED = 64


@dataclass(frozen=True)
class ThumbnailRequest:
    key: Hashable       # what the picture belongs to, e.g. an image id
    url: str            # the rendition; versioned by the CDN, so it is also the cache key
    size: QSize         # the box to fit in, in device pixels
    generation: int


class ThumbnailLoader(QObject):
    #: (key, url, image, box width) on success; the image is already scaled to fit the box
    #: it was asked for, whose width (device pixels) tells the model how big it may be shown.
    loaded = Signal(object, str, QImage, int)
    #: (key, url, message) on failure; the message names the problem for a tooltip.
    failed = Signal(object, str, str)
    #: worker -> GUI thread: (request, image or None, message or None).
    _finished = Signal(object, object, object)

    def __init__(self, downloader: ImageDownloader, cache: BlobCache | None,
                 workers: int = 6, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._downloader = downloader
        self._cache = cache
        self._lock = threading.Condition()
        # key -> request, most recently requested last (the stack's top).
        self._pending: OrderedDict[Hashable, ThumbnailRequest] = OrderedDict()
        # (key, url) -> the generation it was asked in; an old generation's answer is dropped,
        # so it must not stop the same picture being asked for again.
        self._in_flight: dict[tuple[Hashable, str], int] = {}
        self._generation = 0
        # Set by shutdown() or by the loader's deletion (see _stopper): the workers end.
        self._stopped = threading.Event()
        # Prefetches not asked for yet: (key, url) under way or waiting, and those done.
        self._unclaimed: set[tuple[Hashable, str]] = set()
        self._prefetched: OrderedDict[tuple[Hashable, str], tuple[ThumbnailRequest, QImage]] \
            = OrderedDict()
        self._finished.connect(self._deliver)  # queued: runs on the loader's (GUI) thread
        # Workers report through this, never on a loader being deleted: an emit racing the
        # deletion posted an event to a freed object (a segfault in the GUI thread, in CI).
        self._finished_news = WorkerSignal(self, self._finished)
        # Deleted without shutdown() (its session went): the workers stop too, through a
        # plain function: the loader's wrapper may be gone when `destroyed` fires.
        self.destroyed.connect(_stopper(self._lock, self._pending, self._stopped))
        self._threads = [threading.Thread(target=self._work, name=f"pim-thumbnail-{n}",
                                          daemon=True) for n in range(workers)]
        for thread in self._threads:
            thread.start()

    # ---- called on the GUI thread -------------------------------------------------------

    def request(self, key: Hashable, url: str, size: QSize) -> None:
        """Asks for a picture; `loaded` or `failed` tells when it is there. A prefetched one
        is handed over at once, before this returns: the card being painted shows it."""
        with self._lock:
            if self._stopped.is_set():
                return
            self._unclaimed.discard((key, url))  # a prefetch under way is answered as asked
            ready = self._prefetched.pop((key, url), None)
            if ready is None or ready[0].size != size:
                if self._in_flight.get((key, url)) != self._generation:
                    self._pending.pop(key, None)  # asked again: to the top of the stack
                    self._pending[key] = ThumbnailRequest(key, url, QSize(size),
                                                          self._generation)
                    self._lock.notify()
                return
        self._deliver(*ready, None)

    def prefetch(self, key: Hashable, url: str, size: QSize, generation: int) -> None:
        """Starts loading a picture that will probably be asked for soon. Thread-safe; ignored
        if `generation` is not the current one (the product it was guessed for is gone)."""
        with self._lock:
            if (self._stopped.is_set() or generation != self._generation or key in self._pending
                    or self._in_flight.get((key, url)) == generation
                    or (key, url) in self._prefetched):
                return
            self._unclaimed.add((key, url))
            self._pending[key] = ThumbnailRequest(key, url, QSize(size), generation)
            self._lock.notify()

    def retain(self, keys: Iterable[Hashable]) -> None:
        """Drops waiting requests for everything not in `keys` (scrolled out of view), and
        prefetched pictures nobody asked for that are not in `keys` (a wrong guess)."""
        wanted = set(keys)
        with self._lock:
            for key in [k for k in self._pending if k not in wanted]:
                request = self._pending.pop(key)
                self._unclaimed.discard((key, request.url))
            for done in [done for done in self._prefetched if done[0] not in wanted]:
                del self._prefetched[done]

    def clear(self) -> None:
        """Drops every waiting request and ignores the answers of those under way."""
        with self._lock:
            self._pending.clear()
            self._unclaimed.clear()
            self._prefetched.clear()
            self._generation += 1

    @property
    def generation(self) -> int:
        return self._generation

    def pending_keys(self) -> list[Hashable]:
        with self._lock:
            return list(self._pending)

    def shutdown(self) -> None:
        _stop(self._lock, self._pending, self._stopped)
        self._finished_news.close()

    # ---- worker threads -----------------------------------------------------------------

    def _next(self) -> ThumbnailRequest | None:
        with self._lock:
            while not self._pending and not self._stopped.is_set():
                self._lock.wait()
            if self._stopped.is_set():
                return None
            _, request = self._pending.popitem(last=True)  # LIFO
            self._in_flight[(request.key, request.url)] = request.generation
            return request

    def _work(self) -> None:
        while (request := self._next()) is not None:
            try:
                image = self._load(request)
                error = None
            except Cancelled:
                image, error = None, None
            except ApiError as exc:
                image, error = None, exc.message
            except Exception as exc:  # a bug must show as a badge, not kill the worker
                log.exception("thumbnail %s failed", request.url)
                image, error = None, f"Unexpected error: {exc}"
            if not self._finished_news.emit(request, image, error):
                return  # shut down or deleted meanwhile: nobody to tell

    # ---- back on the GUI thread ---------------------------------------------------------

    def _deliver(self, request: ThumbnailRequest, image: QImage | None,
                 error: str | None) -> None:
        """The picture is marked done here, not when its worker finished: until the model
        has it, a repaint asking for it again is ignored instead of loading it twice."""
        with self._lock:
            if self._in_flight.get((request.key, request.url)) == request.generation:
                del self._in_flight[(request.key, request.url)]
            current = request.generation == self._generation and not self._stopped.is_set()
            if current and (request.key, request.url) in self._unclaimed:
                # A prefetch nobody asked for yet: kept for the request (a failure is not:
                # the request will try again and report it).
                self._unclaimed.discard((request.key, request.url))
                if image is not None:
                    self._prefetched[(request.key, request.url)] = (request, image)
                    while len(self._prefetched) > MAX_UNCLAIMED:
                        self._prefetched.popitem(last=False)
                return
        if not current:
            return
        if image is not None:
            self.loaded.emit(request.key, request.url, image, request.size.width())
        elif error is not None:
            self.failed.emit(request.key, request.url, error)

    def _load(self, request: ThumbnailRequest) -> QImage:
        cached = self._cache.get(request.url) if self._cache else None
        if cached is not None:
            try:
                return decode_thumbnail(cached, request.size)
            except PictureRefused:
                pass  # a damaged cache file: fetch it afresh (the download overwrites it)
        download = self._downloader.download(request.url)
        try:
            image = decode_thumbnail(download.data, request.size)
        except PictureRefused as exc:
            raise ApiError(exc.message) from None  # never cached: refused or incomplete
        # A body that just stopped when the connection closed may be cut short even if what
        # arrived decodes: show it, but fetch it again next time rather than keep it.
        if self._cache is not None and download.complete:
            try:
                self._cache.put(request.url, download.data)
            except OSError as exc:  # a full or read-only disk costs speed, not the picture
                log.warning("image cache not written (%s): %s", exc.strerror, request.url)
        return image


def decode_thumbnail(data: bytes, box: QSize) -> QImage:
    """Decodes (with Pillow, on the calling worker) and fits into `box`, never upscaling.
    Raises PictureRefused for a type, size or damage the app does not show."""
    return to_qimage(decode_picture(data, box.width(), box.height()))


def switch_loader(old: ThumbnailLoader | None, new: ThumbnailLoader | None,
                  on_loaded: Callable[..., None], on_failed: Callable[..., None]
                  ) -> ThumbnailLoader | None:
    """Moves a listener's two slots from `old` to `new` (either may be None); returns `new`."""
    if old is not None:
        old.loaded.disconnect(on_loaded)
        old.failed.disconnect(on_failed)
    if new is not None:
        new.loaded.connect(on_loaded)
        new.failed.connect(on_failed)
    return new


def _stop(lock: threading.Condition, pending: OrderedDict[Hashable, ThumbnailRequest],
          stopped: threading.Event) -> None:
    with lock:
        stopped.set()
        pending.clear()
        lock.notify_all()


def _stopper(lock: threading.Condition, pending: OrderedDict[Hashable, ThumbnailRequest],
             stopped: threading.Event) -> Callable[..., None]:
    return lambda *_: _stop(lock, pending, stopped)
