"""The write queue of one store session: every change journaled, then sent in order (issue 9 §1).

No widgets. Three kinds of threads, each with one job:

- The GUI thread calls `submit`, `set_server_images`, `retry`, `revert`, `resume`, `drain`;
  each only posts work (never touches SQLite or the network) and returns at once.
- The **journal thread** (one, for the queue's life) owns the `Journal` (thread-bound by
  design) and every product's `ImageState`. All bookkeeping happens there, one step at a
  time, so no state needs a lock: journal first, then the state, then `stateChanged`.
- **Lane threads** (`WriteLanes`, one ordered lane per product, products in parallel) only
  talk HTTP. A lane runs a *pump*: take the product's next waiting op (a journal-thread step
  that marks it sending), send it, settle the answer (a journal-thread step), repeat.

Rules a send follows (see `app.api.errors` for what each error knows):
- an error that is `transient and safe_to_resend` is sent again, at most `MAX_SEND_ATTEMPTS`;
- a POST whose answer never came (`outcome_unknown`), or was applied but unreadable, is looked
  for with `find_uploaded`: arrived -> done with that record; not there -> sent again once;
  undecided -> failed, asking the merchant. A create that was ever sent before (a Retry, or
  a restart that found it "being sent") is looked for before it is sent again, too;
- a DELETE that meets 404 is done; a PUT that meets 404 fails: "deleted on the store".

Signals (all delivered on the GUI thread, through `WorkerSignal`, never to a deleted queue):
- `stateChanged(product_id, ImageState)`: after every change of a product's state; a model
  adapter replays `diff(rows, state.view())`.
- `countsChanged(waiting, sending, failed)`: over every product, for the status bar.
- `resumedChanges(sent, failed)`: once, when every op found in the journal by `resume()` has
  settled (sent or failed), if there were any.
- `journalProblem(str)`: the journal could not be opened as it was (moved aside and started
  afresh), or not at all (another instance holds it: then nothing is queued). Merchant text.
- `submitRefused(product_id, op_id, reason)`: a submitted upload's file could not be copied
  into the journal (gone, unreadable, not a picture); nothing was queued.
- `progress(product_id, op_id, sent, total)`: bytes of an upload's file sent so far (at most
  ~10 a second per upload, and always its last); `uploadsChanged(BatchProgress)`: the uploads
  under way as one batch, for the status line.

Uploads (issue 9 §2): each is a card at once (waiting, being sent with its progress, done or
failed). Concurrency is bounded by the lanes: a product's uploads go one at a time, in the
order they were dropped (its later reorder must not overtake them, and the store numbers new
images in arrival order), and different products' uploads go side by side, at most
`max_parallel` at once. `cancel(op_id)` withdraws a waiting upload; one being sent is stopped
where it is (its cancel scope), then treated like any POST whose outcome is unknown: if it may
have reached the store it is looked for after `cancel_check_grace_s` and, if it landed anyway,
deleted again, so the store ends as the merchant asked.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import functools
import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QEventLoop, QObject, QTimer, Signal

from app.api import errors
from app.api.cancellation import cancel_scope
from app.api.client import StoreClient
from app.api.image_files import read_image_upload
from app.api.models import ImageChanges, ProductImage
from app.api.upload_search import url_file_name
from app.cache.journal import Journal, JournalEntry, JournalError, StoredFile
from app.services.change_words import what
from app.services.conflicts import (Conflict, ConflictKind, Resolution, describe, find_conflict,
                                    unsure_fields)
from app.services.edit_verbs import KeyAliases
from app.services.image_state import (
    Answer,
    CreateFromFile,
    CreateFromUrl,
    Delete,
    DeleteAll,
    ImageState,
    Operation,
    Pending,
    Phase,
    Reorder,
    RowKey,
    Snapshot,
    SyncState,
    UpdateFields,
    next_op_id,
    seed_op_ids,
    view,
)
from app.services.op_coalescing import coalesce
from app.services.problems import clip
from app.services.reorder_plan import plan_reorder
from app.services.reorder_sync import verify_and_repair
from app.services.upload_batch import BatchProgress, UploadBatch
from app.services.worker_signals import WorkerSignal
from app.services.write_lane import WriteLanes

log = logging.getLogger(__name__)

#: Sends of one request, at most, while its errors say "try again, it is safe".
MAX_SEND_ATTEMPTS = 3
#: Pause before the n-th resend (seconds): base * 2**(n-1), bounded.
RESEND_BASE_DELAY_S = 0.2
RESEND_MAX_DELAY_S = 2.0
#: A create found "being sent" after a restart is looked for no sooner than this after it was
#: sent: a request the dead process left on the wire may still be applied by the store
#: meanwhile, and a look too early would miss it and send it twice.
RESUMED_CHECK_GRACE_S = 10.0
#: Done ops stay in the journal this long (what was sent, for a support question), then go.
DONE_KEPT_FOR = timedelta(days=7)

#: How often a lane looks again at an op that is held (see `WriteQueue.submit`).
HOLD_POLL_S = 0.1
#: Pictures kept for the Undo of one delete-all, at most (each is a download before it).
MAX_KEPT_PER_DELETE = 100
#: An upload's progress is reported at most this often (and always when its file is all sent),
PROGRESS_INTERVAL_S = 0.1
#: ...or when it has moved on by this share of the file since the last report: a send that
#: stalls (a full socket, a busy store) then still shows about what left, not a stale "0 %".
PROGRESS_STEP = 0.05
#: A cancelled upload whose request may have reached the store is looked for this long after:
#: a store that got the whole body goes on to create the image after the connection closed.
CANCEL_CHECK_GRACE_S = 5.0
#: A product's list older than this is read again before its next change is sent, so that a
#: change is compared with the store's current record (see `conflicts`), not an old one.
SNAPSHOT_FRESH_S = 300.0

T = TypeVar("T")


class QueueClosed(Exception):
    """The queue was shut down while a lane still had a request in flight."""


# ---- what a lane takes and brings back -----------------------------------------------------

@dataclass(frozen=True)
class _Job:
    """One op to send, with what the lane needs to know of the state when it was taken."""

    seq: int
    op: Operation
    snapshot: Snapshot
    check_first: bool            # a create that may already be on the store
    check_not_before: float      # wall-clock time (time.time()) the look may happen
    before_ids: tuple[int, ...]  # the product's ids when the create was (last) sent
    cancel: threading.Event | None = None  # a create's: set when the merchant cancels it
    #: a reorder's target: the grid's order as the merchant sees it once the changes that
    #: did not fail are made (a failed one may yet be reverted; its Retry sends it again)
    order: tuple[RowKey, ...] = ()


@dataclass(frozen=True)
class _Done:
    answer: Answer


@dataclass(frozen=True)
class _Withdrawn:
    """A cancelled upload that is not on the store (never arrived, or deleted again)."""


@dataclass(frozen=True)
class _Failed:
    reason: str


@dataclass(frozen=True)
class _Offline:
    """The store could not be reached: the op goes back in line, unsent (`look_first`: a
    create that may have arrived, to be looked for before it is sent again)."""

    look_first: bool = False


Outcome = _Done | _Failed | _Withdrawn | _Offline


class ThrottledProgress:
    """An upload's progress callback (lane thread): remembers the last count, and passes it
    on to `forward` once PROGRESS_INTERVAL_S has passed or the count moved by PROGRESS_STEP
    of the file since the last it passed on (the whole file always)."""

    def __init__(self, forward: Callable[[int, int], None]) -> None:
        self._forward = forward
        self._last_report = float("-inf")
        self._reported = 0
        self.sent = 0
        self.total = 0

    def __call__(self, sent: int, total: int) -> None:
        self.sent, self.total = sent, total
        now = time.monotonic()
        if sent < total and now - self._last_report < PROGRESS_INTERVAL_S \
                and abs(sent - self._reported) < total * PROGRESS_STEP:
            return
        self._last_report, self._reported = now, sent
        self._forward(sent, total)

    @property
    def body_sent(self) -> bool:
        """Whether the whole file was written (unknown counts as yes): if not, the store
        cannot have the upload, whatever happens to the connection."""
        return self.total == 0 or self.sent >= self.total


class _NeedImages:
    """The product's snapshot is not loaded yet: the lane lists its images first."""


_NEED_IMAGES = _NeedImages()


@dataclass(frozen=True)
class _Hold:
    """The next op waits (a delete's seconds of Undo): look again after at most this long."""

    seconds: float


# ---- merchant words ------------------------------------------------------------------------

def _why(error: Exception) -> str:
    """What went wrong and what to do, in the merchant's words: the request's method, path
    and status stay in the log (the client's messages name them)."""
    if isinstance(error, (errors.UploadNotSupported, errors.InvalidImageFile)):
        return error.message  # written for the merchant already
    if isinstance(error, errors.RateLimited):
        return "The store asked to slow down: Retry in a minute."
    if isinstance(error, errors.ServerError):
        return "The store had a problem on its side, usually brief: Retry in a minute."
    if isinstance(error, errors.NetworkError):
        return ("The connection to the store failed or timed out: check the internet "
                "connection, then Retry.")
    if isinstance(error, errors.MalformedResponse):
        return "The store's answer was garbled on the way: Retry."
    if isinstance(error, (errors.AuthenticationFailed, errors.PermissionDenied)):
        return ("The store did not let this API account make the change: check its "
                "credentials and that it may modify products, then Retry.")
    if isinstance(error, errors.ApiError) and error.server_message:
        return f"The store refused it, saying: {clip(error.server_message)}"
    return "Retry; if it keeps failing, Discard it."


def _reason(op: Operation, error: Exception, *, sent: bool = True) -> str:
    log.info("%s failed: %s", what(op), error)
    applied = error.applied if isinstance(error, errors.ApiError) else False
    # No answer at all (the connection broke): not a store that answered with an error.
    unanswered = isinstance(error, errors.NetworkError)
    # Only what is known: a request whose answer was lost, or that failed on the store's side
    # part-way, may have been applied.
    if not sent or applied is False:
        outcome = "did not reach the store"
    elif unanswered:
        outcome = "may not have been saved (the store's answer did not come)"
    else:
        outcome = "may not have been saved"
    return f"{what(op)} {outcome}. {_why(error)}"


DELETED_ON_STORE = ("This picture was deleted on the store, so the change could not be saved. "
                    "Add it again, or Discard the change.")
NOT_ON_STORE_YET = ("This picture is not on the store yet (its upload has not finished), so the "
                    "change waits: Retry once the upload is done, or Discard it.")


def _cancelled_but_unsure(op: Operation) -> str:
    return (f"{what(op)} was cancelled, but it may have reached the store first: check the "
            "product's pictures on the store and delete it there if it is, then Discard.")


def _as_queued(op: Operation, queued: Operation) -> Operation:
    """`op` as the queue keeps it: an upload names the journal's copy of its file."""
    if isinstance(op, CreateFromFile) and isinstance(queued, CreateFromFile):
        return dataclasses.replace(op, path=queued.path, sha256=queued.sha256,
                                   size=queued.size)
    return op


def _moot(state: ImageState, op: Operation) -> bool:
    """An edit or delete of a row that is not on the store, and that no upload still in the
    queue will make."""
    if not isinstance(op, (UpdateFields, Delete)) or state.snapshot.record(op.row_key):
        return False
    return not any(isinstance(item.op, (CreateFromFile, CreateFromUrl))
                   and item.op.row_key == op.row_key for item in state.pending)


def _not_kept(op: CreateFromFile, error: Exception) -> str:
    """Why a dropped file could not be copied into the journal (so it was not queued).
    Worker thread: it looks at the file."""
    if isinstance(error, FileNotFoundError) or not op.path.exists():
        return (f"{op.name} was moved or deleted before it could be kept for its upload, so "
                "it was not added: add it again from where it is now.")
    if isinstance(error, errors.ApiError):
        return f"{op.name}: {error.message} It was not added."
    why = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    return f"{op.name} could not be read ({why}), so it was not added: add it again."


def _ask_merchant(op: Operation) -> str:
    return (f"{what(op)} may have reached the store, but it cannot be told for sure: check the "
            "product's pictures on the store, then Retry (which may add it twice) or Discard.")


# ---- the queue -----------------------------------------------------------------------------

class WriteQueue(QObject):
    # Ids as `object`: a Qt int is 32 bits and store ids pass 2**31 (see test_big_ids).
    stateChanged = Signal(object, object)       # product id, ImageState
    countsChanged = Signal(int, int, int)       # waiting, sending, failed
    resumedChanges = Signal(int, int)           # sent, failed
    journalProblem = Signal(str)
    #: The journal cannot be used at all (another instance holds it, the folder is not
    #: writable): changes cannot be kept, so the screens must not offer to make any.
    writesUnavailable = Signal(str)
    submitRefused = Signal(object, object, str)  # product id, op id, reason (merchant text)
    #: An undo reached ops that had left the queue already: their inverses were queued
    #: (product id, the op ids taken back that way). Withdrawn ops are not reported.
    undoneBySending = Signal(object, object)
    #: Bytes of an upload's file sent so far: product id, op id, sent, total (ints as object).
    progress = Signal(object, object, object, object)
    #: The uploads under way as one batch (a BatchProgress; count 0 once none is left).
    uploadsChanged = Signal(object)
    #: A send found the store unreachable: the queue holds every change (journaled, shown
    #: as waiting) until `set_online()`.
    storeUnreachable = Signal()
    #: The changes that wait for the merchant's decision (a list of `conflicts.Conflict`).
    conflictsChanged = Signal(object)

    def __init__(self, client: StoreClient, store: str, journal_folder: Path, *,
                 max_parallel: int = 2, resumed_check_grace_s: float = RESUMED_CHECK_GRACE_S,
                 cancel_check_grace_s: float = CANCEL_CHECK_GRACE_S,
                 fetch_picture: Callable[[str], bytes] | None = None,
                 parent: QObject | None = None) -> None:
        """`store`: the store's key in the journal (e.g. its hash); `journal_folder`:
        `app.paths.journal_dir()` in the app. Nothing is opened on the calling thread.
        `fetch_picture(url)`: downloads a rendition (from the image host, without the store's
        credentials); with it, an image's largest picture is kept before the image is deleted,
        so that an Undo can bring it back even once the store's copy is gone."""
        super().__init__(parent)
        self._client = client
        self._store = store
        self._lanes = WriteLanes(max_parallel, parent=self)
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="pim-journal")
        # Copies dropped files into the journal's folder ahead of their ops (see `_post`).
        self._copier = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="pim-journal-files")
        self._opened = threading.Event()   # the journal was opened, or could not be
        self._closed = False
        self._journal_closed: concurrent.futures.Future[Any] | None = None
        self._stop = threading.Event()     # wakes a lane out of its resend pause on shutdown
        self._posted_lock = threading.Lock()
        self._posted = 0                   # journal-thread steps posted and not yet done
        self._counts = (0, 0, 0)
        self._counts_lock = threading.Lock()
        # ---- journal-thread state (touched only there) ----
        self._journal: Journal | None = None
        self._states: dict[int, ImageState] = {}
        self._loaded: set[int] = set()
        self._confirmed_at: dict[int, float] = {}  # product id -> monotonic time of last Done
        self._seqs: dict[int, int] = {}            # op id -> journal seq
        self._check_first: set[int] = set()        # op ids of creates to look for first
        self._check_after: dict[int, float] = {}   # op id -> earliest time of that look
        self._grace_s = resumed_check_grace_s
        self._pumping: set[int] = set()
        self._paused = False
        self._resumed: set[int] = set()            # op ids found by resume(), not settled
        self._resumed_sent = 0
        self._resumed_failed = 0
        self._state_news = WorkerSignal(self, self.stateChanged)
        self._count_news = WorkerSignal(self, self.countsChanged)
        self._resumed_news = WorkerSignal(self, self.resumedChanges)
        self._problem_news = WorkerSignal(self, self.journalProblem)
        self._unavailable_news = WorkerSignal(self, self.writesUnavailable)
        self._refused_news = WorkerSignal(self, self.submitRefused)
        self._undone_news = WorkerSignal(self, self.undoneBySending)
        self._held: dict[int, float] = {}          # op id -> time.monotonic() it may go
        self._fetch_picture = fetch_picture
        self._kept: dict[str, StoredFile] = {}     # rendition URL -> its picture, kept
        self._cancel_events: dict[int, threading.Event] = {}  # op id -> its send's cancel
        self._cancel_requested: set[int] = set()   # waiting creates to look for, then drop
        self._cancelled: set[int] = set()          # op ids withdrawn by a cancel
        self._cancel_grace_s = cancel_check_grace_s
        self._batch = UploadBatch()                # lane and journal threads: under the lock
        self._batch_lock = threading.Lock()
        self._batch_shown = BatchProgress()
        self._progress_news = WorkerSignal(self, self.progress)
        self._uploads_news = WorkerSignal(self, self.uploadsChanged)
        self._aliases = KeyAliases()               # rows an undo brought back as copies
        self._retried: set[int] = set()            # uploads a Retry sent again
        self._offline = False                      # held until set_online()
        self._loaded_at: dict[int, float] = {}     # product id -> monotonic time listed
        self._conflicts: dict[int, Conflict] = {}  # op id -> its conflict, undecided
        self._forced: set[int] = set()             # op ids the merchant said to send anyway
        self._deleted_here: set[int] = set()       # image ids this queue's deletes removed
        self._unreachable_news = WorkerSignal(self, self.storeUnreachable)
        self._conflict_news = WorkerSignal(self, self.conflictsChanged)
        self._post(self._open_journal, journal_folder)

    # ---- GUI thread: the public face -----------------------------------------------------

    def submit(self, product_id: int, op: Operation, *, hold_s: float = 0.0) -> None:
        """Queues a change: journaled first (a CreateFromFile's file is copied into the
        journal before its op is written, and the op then uploads that copy), then shown
        (`stateChanged`), then sent in the product's lane. Op ids come from `next_op_id()`.

        `hold_s`: the op (and the product's ops after it: the order holds) waits this long
        before it is sent, so that an Undo can still withdraw it (a delete's few seconds).
        Closing the window ends every hold; after a restart held ops go at once."""
        self._post(self._accept, product_id, op, hold_s)

    def undo(self, product_id: int, steps: Sequence[tuple[Operation, Sequence[Operation]]],
             restores: Mapping[int, Sequence[tuple[RowKey, RowKey]]] | None = None) -> None:
        """Takes back ops, last first. Each is (the op as submitted, what undoes it once it
        is on the store). An op still waiting (or failed) and unchanged is withdrawn: it never
        reaches the store. Any other (being sent, sent, or merged with a later change) gets its
        inverse ops queued, under fresh op ids (`undoneBySending` names those). Atomic with
        respect to the lane: an op is either withdrawn or inverted, never neither.

        `restores`: op id -> (old row key, key of the row its inverse brings back). When that
        op is inverted, every later op naming the old key names the new one (the queue
        resolves it, in order: a Redo submitted right after this Undo reaches the copy)."""
        self._post(self._undo, product_id, tuple((op, tuple(inv)) for op, inv in steps),
                   {op_id: tuple(pairs) for op_id, pairs in (restores or {}).items()})

    def set_server_images(self, product_id: int, images: Iterable[ProductImage], *,
                          saved_copy: bool = False, listed_at: float | None = None) -> None:
        """The product's images as the screen loaded them: the snapshot pending ops apply to
        (a product the queue has no snapshot of is listed once before its first send).
        `saved_copy`: read from this computer, not from the store: shown under the pending
        ops, but the store is listed afresh before anything is sent, and a fresh list already
        in hand is not replaced by it.
        `listed_at`: `time.monotonic()` when the list was asked for. A list asked for before
        a change of the product was confirmed may not show it (the store answered the list
        first): the queue then keeps what it knows and lists the product again in its lane,
        after the writes before it."""
        self._post(self._set_images, product_id, tuple(images), saved_copy, listed_at)

    def resume(self) -> None:
        """Loads the store's unfinished ops from the journal and sends them (once per run)."""
        self._post(self._resume)

    def retry(self, op_id: int) -> None:
        """A failed op goes back in line (a create is looked for on the store first)."""
        self._post(self._retry, op_id)

    def revert(self, op_id: int) -> None:
        """A waiting or failed op leaves without reaching the store (one being sent cannot)."""
        self._post(self._revert, op_id)

    def cancel(self, op_id: int) -> None:
        """Cancels an upload (file or web address): a waiting one leaves without reaching the
        store; one being sent is stopped, and if it may have arrived anyway it is looked for
        and deleted again. Its card goes once that is settled. Other ops: nothing."""
        self._post(self._cancel, op_id)

    def cancel_all_uploads(self, product_id: int | None = None) -> None:
        """Cancels every upload waiting or being sent, of one product or of all."""
        self._post(self._cancel_all, product_id)

    def upload_progress(self) -> BatchProgress:
        """The uploads under way, as last reported."""
        with self._batch_lock:
            return self._batch_shown

    def set_sending_paused(self, paused: bool) -> None:
        """Holds every op in line (still journaled and shown) until unpaused (working offline
        is `set_offline`). An op already being sent finishes."""
        self._post(self._set_paused, paused)

    def set_offline(self) -> None:
        """Working offline: every change is held (journaled, shown as waiting) until
        `set_online()`. An op already being sent finishes."""
        self._post(self._go_offline, None)

    def set_online(self) -> None:
        """The store can be reached again: held changes go, in order. Each product is
        listed first, so that every change is compared with the store's record now."""
        self._post(self._back_online)

    def resolve_conflicts(self, op_ids: Iterable[int], resolution: Resolution) -> None:
        """The merchant's choice for changes in conflict: KEEP_MINE sends them as made,
        KEEP_STORES drops them, SKIP leaves them waiting for a decision. Keeping mine of an
        image deleted on the store is not the queue's to do: its picture must come back first
        (the screen re-adds it, then drops the change with KEEP_STORES)."""
        self._post(self._resolve, tuple(op_ids), resolution)

    def counts(self) -> tuple[int, int, int]:
        """(waiting, sending, failed) as last reported."""
        with self._counts_lock:
            return self._counts

    def pending_count(self) -> int:
        """Ops not yet on the store (waiting, being sent or failed)."""
        return sum(self.counts())

    def failed_count(self) -> int:
        """What the close dialog asks about: changes that failed."""
        return self.counts()[2]

    def is_idle(self) -> bool:
        """Nothing posted and no lane at work (failed ops may remain)."""
        with self._posted_lock:
            posted = self._posted
        return posted == 0 and self._lanes.outstanding() == 0

    def drain(self, timeout_s: float) -> bool:
        """On close: waits up to `timeout_s` for the queue to settle, handling events (but
        not the merchant's input) meanwhile. True when nothing was left under way; what is
        left stays in the journal for the next start. Call `shutdown()` afterwards.
        Held ops go now: the merchant closed the window their Undo was in."""
        self._post(self._held.clear)
        if self.is_idle():
            return True
        loop = QEventLoop()
        deadline = QTimer()
        deadline.setSingleShot(True)
        deadline.timeout.connect(loop.quit)
        poll = QTimer()
        poll.setInterval(20)  # the settling happens on other threads: look now and then
        poll.timeout.connect(lambda: self.is_idle() and loop.quit())
        deadline.start(max(0, int(timeout_s * 1000)))
        poll.start()
        try:
            if not self.is_idle():
                loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
        finally:
            poll.stop()
            deadline.stop()
        return self.is_idle()

    def shutdown(self) -> None:
        """Sends nothing more and reports nothing more; closes the journal once the steps
        already posted are written. A request in flight ends on its own; its op stays
        'being sent' in the journal and the next start resolves it (never blindly resent)."""
        if self._closed:
            return
        self._closed = True
        self._stop.set()
        self._lanes.shutdown()
        for news in (self._state_news, self._count_news, self._resumed_news,
                     self._problem_news, self._refused_news, self._undone_news,
                     self._progress_news, self._uploads_news):
            news.close()
        # After every step already posted (they pass the file copier first, in order).
        closed: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._journal_closed = closed

        def close_after_posted() -> None:
            done = self._executor.submit(self._close_journal)
            done.add_done_callback(lambda _: closed.set_result(None))
            self._executor.shutdown(wait=False)

        self._copier.submit(close_after_posted)
        self._copier.shutdown(wait=False)

    def journal_closed(self) -> bool:
        """After `shutdown()`: whether the journal is closed (another queue may open it)."""
        return self._journal_closed is not None and self._journal_closed.done()

    # ---- posting to the journal thread ---------------------------------------------------

    def _post(self, step: Callable[..., Any], *args: Any) -> None:
        """A step from the GUI thread: through the file copier (which copies a dropped file
        into the journal's folder off the journal thread, so the lanes' steps never wait
        behind a batch of copies), then onto the journal thread, in the order posted."""
        if self._closed:
            return
        with self._posted_lock:
            self._posted += 1
        try:
            self._copier.submit(self._forward, step, args)
        except RuntimeError:  # shut down meanwhile
            self._step_ended(None)

    def _forward(self, step: Callable[..., Any], args: tuple[Any, ...]) -> None:
        """File-copier thread: a submitted upload's file is copied first (file work only: the
        journal's database stays on its own thread), then the step goes to the journal."""
        if step == self._accept and isinstance(args[1], CreateFromFile):
            self._opened.wait()
            args = (args[0], self._copied(args[0], args[1]), *args[2:])
            if args[1] is None:
                self._step_ended(None)
                return
        try:
            future = self._executor.submit(self._run_step, step, *args)
        except RuntimeError:  # shut down meanwhile
            self._step_ended(None)
            return
        future.add_done_callback(self._step_ended)

    def _copied(self, product_id: int, op: CreateFromFile) -> CreateFromFile | None:
        journal = self._journal
        if journal is None:
            return op  # no journal: the accept says so
        try:
            stored = journal.store_file(op.path)
        except (errors.InvalidImageFile, OSError) as exc:
            # Never queued, never shown: the screen says why (it checked the file before,
            # so this is a file that changed or went since).
            self._refused_news.emit(product_id, op.op_id, _not_kept(op, exc))
            return None
        return dataclasses.replace(op, path=stored.path, sha256=stored.sha256, size=stored.size)

    def _run_step(self, step: Callable[..., Any], *args: Any) -> Any:
        try:
            return step(*args)
        except QueueClosed:
            return None  # shut down, or no journal (journalProblem said why)
        except Exception:
            log.exception("write queue step %s failed", getattr(step, "__name__", step))
            return None

    def _step_ended(self, _: concurrent.futures.Future[Any] | None) -> None:
        with self._posted_lock:
            self._posted -= 1

    def _on_journal(self, step: Callable[..., T], *args: Any) -> T:
        """From a lane: runs `step` on the journal thread and waits for it."""
        if self._closed:
            raise QueueClosed()
        try:
            return self._executor.submit(step, *args).result()
        except RuntimeError as exc:
            if self._closed:
                raise QueueClosed() from exc
            raise

    # ---- journal thread: bookkeeping -----------------------------------------------------

    def _open_journal(self, folder: Path) -> None:
        try:
            self._open_journal_in(folder)
        finally:
            self._opened.set()  # the file copier may go on (with or without a journal)

    def _open_journal_in(self, folder: Path) -> None:
        try:
            journal = Journal.open(folder)
        except (JournalError, OSError) as exc:
            # Another instance holds it, or the data folder cannot be written: nothing can
            # be queued safely, so nothing is (each submit is dropped); the merchant hears why.
            log.warning("the journal could not be opened: %s", exc)
            self._problem_news.emit(str(exc))
            self._unavailable_news.emit(str(exc))
            return
        self._journal = journal
        seed_op_ids(journal.highest_op_id())
        journal.prune_done(DONE_KEPT_FOR)
        journal.collect_garbage()
        if journal.problem is not None:
            self._problem_news.emit(str(journal.problem))

    def _close_journal(self) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None

    def _require_journal(self) -> Journal:
        if self._journal is None:
            raise QueueClosed()
        return self._journal

    def _state(self, product_id: int) -> ImageState:
        state = self._states.get(product_id)
        if state is None:
            state = self._states[product_id] = ImageState(Snapshot(product_id))
        return state

    def _publish(self, product_id: int, state: ImageState) -> None:
        self._states[product_id] = state
        self._state_news.emit(product_id, state)
        waiting = sending = failed = 0
        for each in self._states.values():
            for item in each.pending:
                phase = item.sync.phase
                waiting += phase is Phase.WAITING
                sending += phase is Phase.SENDING
                failed += phase is Phase.FAILED
        counts = (waiting, sending, failed)
        with self._counts_lock:
            changed, self._counts = counts != self._counts, counts
        if changed:
            self._count_news.emit(*counts)
        self._report_batch()

    def _report_batch(self) -> None:
        """uploadsChanged, when what the status line shows changed (any thread)."""
        with self._batch_lock:
            batch = self._batch.progress()
            shown = batch if batch.active else BatchProgress()
            if shown == self._batch_shown:
                return
            self._batch_shown = shown
            self._uploads_news.emit(shown)

    def _report_progress(self, product_id: int, op_id: int, sent: int, total: int) -> None:
        """Lane thread: an upload's bytes sent, to its card and to the batch."""
        with self._batch_lock:
            self._batch.sent(op_id, sent)
        self._progress_news.emit(product_id, op_id, sent, total)
        self._report_batch()

    def _join_batch(self, op: Operation) -> None:
        if isinstance(op, (CreateFromFile, CreateFromUrl)):
            with self._batch_lock:
                self._batch.join(op.op_id, op.size if isinstance(op, CreateFromFile) else 0)

    def _accept(self, product_id: int, op: Operation, hold_s: float = 0.0) -> None:
        journal = self._require_journal()
        op = self._aliases.op(op)
        if isinstance(op, CreateFromFile) and not (
                op.sha256 and op.path == journal.file_path(op.sha256)):  # not copied yet
            try:
                stored = journal.store_file(op.path)
            except (errors.InvalidImageFile, OSError) as exc:
                # Never queued, never shown: the screen says why (it checked the file before,
                # so this is a file that changed or went since).
                self._refused_news.emit(product_id, op.op_id, _not_kept(op, exc))
                return
            op = dataclasses.replace(op, path=stored.path, sha256=stored.sha256,
                                     size=stored.size)
        seq = journal.append(self._store, product_id, op)
        self._seqs[op.op_id] = seq
        self._join_batch(op)
        if hold_s > 0:
            self._held[op.op_id] = time.monotonic() + hold_s
        state = self._state(product_id).add(op)
        state = self._coalesced(product_id, state)
        self._publish(product_id, state)
        self._ensure_pump(product_id)

    def _coalesced(self, product_id: int, state: ImageState) -> ImageState:
        """Merges waiting ops (journal first, in one transaction; then the state)."""
        merged = coalesce(state.pending)
        if merged == state.pending:
            return state
        journal = self._require_journal()
        before = [entry for entry in journal.pending(self._store, product_id)
                  if entry.op.op_id in {item.op.op_id for item in state.pending}]
        journal.apply_coalescing(before, [item.op for item in merged])
        kept = {item.op.op_id for item in merged}
        for op_id in [op_id for op_id in self._seqs if op_id not in kept
                      and state.op(op_id) is not None]:
            del self._seqs[op_id]
        return state.replace_pending(merged)

    def _set_images(self, product_id: int, images: tuple[ProductImage, ...],
                    saved_copy: bool = False, listed_at: float | None = None) -> None:
        if saved_copy:
            if product_id in self._loaded:
                return
        elif listed_at is not None and listed_at < self._confirmed_at.get(product_id, -1.0):
            # Older than a confirmed write: what the queue knows stands, the grid goes back
            # to it, and a list read after the writes replaces it.
            self._publish(product_id, self._state(product_id))
            self._lanes.submit(product_id, f"list product {product_id} again",
                               lambda: self._relist(product_id))
            return
        else:
            self._loaded.add(product_id)
            self._loaded_at[product_id] = time.monotonic()
        self._publish(product_id, self._state(product_id).with_server_images(images))

    def _relist(self, product_id: int) -> None:
        """Lane thread: the product's images, read after the writes queued before."""
        try:
            images = self._client.all_images(product_id)
        except errors.ApiError as exc:
            log.info("product %s could not be listed again: %s", product_id, exc)
            return
        self._on_journal(self._set_images, product_id, tuple(images))

    def _resume(self) -> None:
        journal = self._require_journal()
        entries = journal.pending(self._store)
        seed_op_ids(journal.highest_op_id())
        touched: set[int] = set()
        for entry in entries:
            touched.add(entry.product_id)
            self._seqs[entry.op.op_id] = entry.seq
            sync = self._resumed_sync(journal, entry)
            if sync.phase is not Phase.FAILED:
                self._resumed.add(entry.op.op_id)
                self._join_batch(entry.op)
            state = self._state(entry.product_id)
            self._states[entry.product_id] = state.replace_pending(
                (*state.pending, Pending(entry.op, sync)))
        for product_id in touched:
            self._restore_upload_keys(journal, product_id)
            self._publish(product_id, self._states[product_id])
            self._ensure_pump(product_id)
        self._maybe_report_resumed()

    def _restore_upload_keys(self, journal: Journal, product_id: int) -> None:
        """Ops left in the journal may name the card of an upload an earlier run finished
        (an alt text of it, its delete, a reorder): its image takes that key again."""
        state = self._states[product_id]
        named: set[RowKey] = set()
        for item in state.pending:
            op = item.op
            if isinstance(op, (UpdateFields, Delete)):
                named.add(op.row_key)
            elif isinstance(op, Reorder):
                named.update(op.order)
        keys = {image_id: key for image_id, key in
                journal.uploaded_keys(self._store, product_id).items() if key in named}
        if keys:
            snapshot = dataclasses.replace(state.snapshot, keys={**state.snapshot.keys, **keys})
            self._states[product_id] = dataclasses.replace(state, snapshot=snapshot)

    def _resumed_sync(self, journal: Journal, entry: JournalEntry) -> SyncState:
        """The journal's resume rule: failed stays failed; anything else goes (back) in line,
        a create that was being sent to be looked for first."""
        if entry.phase is Phase.FAILED:
            return SyncState.failed(entry.reason)
        if entry.phase is Phase.SENDING:
            if entry.is_create:
                # Stays "being sent" in the journal until looked for: a second crash before
                # the look must not turn it into a blind resend.
                self._check_first.add(entry.op.op_id)
                self._check_after[entry.op.op_id] = entry.updated_at + self._grace_s
            else:
                journal.mark_waiting(entry.seq)
        return SyncState(Phase.WAITING)

    def _retry(self, op_id: int) -> None:
        journal = self._require_journal()
        product_id = self._product_of(op_id)
        if product_id is None:
            return
        state = self._states[product_id]
        item = state.op(op_id)
        if item is None or item.sync.phase is not Phase.FAILED:
            return
        if self._conflicts.pop(op_id, None) is not None:
            self._forced.add(op_id)  # Retry on a change in conflict: "keep mine"
            self._report_conflicts()
        entry = journal.entry(self._seqs[op_id])
        if entry is not None and entry.is_create and entry.attempts > 0:
            self._check_first.add(op_id)
        if isinstance(item.op, (CreateFromFile, CreateFromUrl)):
            self._retried.add(op_id)
        journal.mark_waiting(self._seqs[op_id])
        self._join_batch(item.op)
        self._publish(product_id, state.retry(op_id))
        self._ensure_pump(product_id)

    def _revert(self, op_id: int) -> None:
        product_id = self._product_of(op_id)
        if product_id is None:
            return
        state = self._states[product_id]
        item = state.op(op_id)
        if item is None or item.sync.phase not in (Phase.WAITING, Phase.FAILED):
            return
        if op_id in self._check_first and item.sync.phase is Phase.WAITING:
            return  # a create that may be on the store already: looked for before anything
        self._withdraw(product_id, op_id)
        self._check_first.discard(op_id)
        self._settle_resumed(op_id, failed=False, counted=False)

    def _undo(self, product_id: int,
              steps: tuple[tuple[Operation, tuple[Operation, ...]], ...],
              restores: dict[int, tuple[tuple[RowKey, RowKey], ...]]) -> None:
        inverted: list[int] = []
        for op, inverse in reversed(steps):
            state = self._state(product_id)
            item = state.op(op.op_id)
            if (item is not None and item.op in (_as_queued(op, item.op),
                                                  _as_queued(self._aliases.op(op), item.op))
                    and op.op_id not in self._check_first
                    and item.sync.phase in (Phase.WAITING, Phase.FAILED)):
                self._withdraw(product_id, op.op_id)
                continue
            if item is None and op.op_id in self._cancelled:
                continue  # a cancelled upload: nothing of it is on the store to take back
            inverted.append(op.op_id)
            for old, new in restores.get(op.op_id, ()):
                self._aliases.add(self._aliases.resolve(old), new)
            for each in inverse:
                self._accept(product_id, self._from_kept(
                    dataclasses.replace(each, op_id=next_op_id())))
        if inverted:
            self._undone_news.emit(product_id, inverted)

    def _from_kept(self, op: Operation) -> Operation:
        """An image brought back from its rendition URL comes from the copy kept before it was
        deleted, when there is one and the store takes files (the URL may be gone)."""
        if not isinstance(op, CreateFromUrl) or op.url not in self._kept \
                or not self._client.credentials.supports_file_upload:
            return op
        kept = self._kept[op.url]
        return CreateFromFile(op_id=op.op_id, row_key=op.row_key, path=kept.path,
                              sha256=kept.sha256, size=kept.size, name=kept.name,
                              position=op.position, description=op.description)

    def _keep(self, url: str, content: bytes, name: str) -> None:
        try:
            self._kept[url] = self._require_journal().store_picture(content, name)
        except (errors.InvalidImageFile, OSError) as exc:
            log.info("no copy kept of %s: %s", name, exc)

    def _keep_copies(self, op: Operation, snapshot: Snapshot) -> None:
        """Lane thread, before a delete: the largest picture of each doomed image, kept in
        the journal's folder for its Undo (best effort, bounded: a failure keeps nothing)."""
        if self._fetch_picture is None:
            return
        if isinstance(op, Delete):
            record = snapshot.record(op.row_key)
            records = [record] if record is not None else []
        elif isinstance(op, DeleteAll):
            records = list(snapshot.images)[:MAX_KEPT_PER_DELETE]
        else:
            return
        for record in records:
            url = record.zoom_url or record.standard_url
            if not url:
                continue
            try:
                content = self._fetch_picture(url)
            except (errors.ApiError, OSError) as exc:
                log.info("no copy kept of image %s: %s", record.id, exc)
                continue
            name = url_file_name(record.image_file) or f"image-{record.id}.jpg"
            self._on_journal(self._keep, url, content, name)

    def _withdraw(self, product_id: int, op_id: int) -> None:
        self._require_journal().remove(self._seqs.pop(op_id))
        self._held.pop(op_id, None)
        self._forced.discard(op_id)
        if self._conflicts.pop(op_id, None) is not None:
            self._report_conflicts()
        with self._batch_lock:
            self._batch.withdraw(op_id)
        self._retried.discard(op_id)
        self._publish(product_id, self._states[product_id].discard(op_id))

    def _cancel(self, op_id: int) -> None:
        product_id = self._product_of(op_id)
        if product_id is None:
            return
        item = self._states[product_id].op(op_id)
        if item is None or not isinstance(item.op, (CreateFromFile, CreateFromUrl)):
            return
        if item.sync.phase is Phase.SENDING:
            event = self._cancel_events.get(op_id)
            if event is not None:
                event.set()  # the lane stops the request, then settles what became of it
        elif item.sync.phase is Phase.WAITING:
            if op_id in self._check_first:
                # A create that may be on the store already: looked for, never sent again.
                self._cancel_requested.add(op_id)
                return
            self._withdraw(product_id, op_id)
            self._cancelled.add(op_id)
            self._settle_resumed(op_id, failed=False, counted=False)
            self._drop_followers(product_id, item.op.row_key)

    def _drop_followers(self, product_id: int, row_key: str) -> None:
        """The changes still queued for a cancelled upload's card (its alt text, its Undo's
        delete) go with it: there is no image for them on the store."""
        for item in self._states[product_id].pending:
            if getattr(item.op, "row_key", None) == row_key \
                    and item.sync.phase in (Phase.WAITING, Phase.FAILED) \
                    and item.op.op_id not in self._check_first:
                self._withdraw(product_id, item.op.op_id)

    def _cancel_all(self, product_id: int | None) -> None:
        for pid, state in list(self._states.items()):
            if product_id is not None and pid != product_id:
                continue
            for item in reversed(state.pending):
                if isinstance(item.op, (CreateFromFile, CreateFromUrl)) \
                        and item.sync.phase in (Phase.WAITING, Phase.SENDING):
                    self._cancel(item.op.op_id)

    def _product_of(self, op_id: int) -> int | None:
        return next((pid for pid, state in self._states.items()
                     if state.op(op_id) is not None), None)

    def _back_online(self) -> None:
        self._offline = False
        self._loaded.clear()  # listed again before the next send: conflicts are seen
        for product_id in list(self._states):
            self._ensure_pump(product_id)

    def _go_offline(self, product_id: int | None) -> None:
        """`product_id`: the product whose send found the store unreachable (its pump
        ends); None: the merchant (or the session) said so."""
        if product_id is not None:
            self._pumping.discard(product_id)
        if not self._offline:
            self._offline = True
            if product_id is not None:
                self._unreachable_news.emit()

    def _resolve(self, op_ids: tuple[int, ...], resolution: Resolution) -> None:
        for op_id in op_ids:
            conflict = self._conflicts.get(op_id)
            if conflict is None:
                continue
            if resolution is Resolution.KEEP_MINE and conflict.kind is ConflictKind.DELETED:
                continue  # the screen brings the picture back first (see resolve_conflicts)
            if resolution is Resolution.KEEP_MINE:
                self._retry(op_id)
            elif resolution is Resolution.KEEP_STORES:
                self._revert(op_id)

    def _note_deleted(self, state: ImageState, op: Operation) -> None:
        """An image the merchant's own delete removed is not one "deleted on the store" for a
        change of it that failed before and is retried after (see `_conflict_of`)."""
        if isinstance(op, Delete):
            for record in (state.snapshot.record(op.row_key), op.based_on):
                if record is not None:
                    self._deleted_here.add(record.id)
        elif isinstance(op, DeleteAll):
            self._deleted_here.update(image.id for image in state.snapshot.images)
            self._deleted_here.update(image.id for image in op.based_on)

    def _report_conflicts(self) -> None:
        self._conflict_news.emit(list(self._conflicts.values()))

    def _conflict_of(self, state: ImageState, item: Pending) -> Conflict | None:
        """The conflict the op would meet on the store as last listed (see `conflicts`)."""
        op = item.op
        if op.op_id in self._forced or not isinstance(op, UpdateFields) or (
                op.based_on is not None and op.based_on.id in self._deleted_here):
            return None
        if any(isinstance(each.op, DeleteAll) or (isinstance(each.op, Delete)
                                                  and each.op.row_key == op.row_key)
               for each in state.pending if each.op.op_id != op.op_id):
            return None  # the merchant deletes it too (a delete that failed may have landed)
        earlier = [each.op for each in itertools.takewhile(
            lambda each: each.op.op_id != op.op_id, state.pending)]
        position = next((n for n, row in enumerate(state.view(), 1)
                         if row.key == op.row_key), None)
        return find_conflict(state.product_id, op, position,
                             {image.id: image for image in state.snapshot.images},
                             unsure_fields(op, earlier))

    def _set_paused(self, paused: bool) -> None:
        self._paused = paused
        if not paused:
            for product_id in list(self._states):
                self._ensure_pump(product_id)

    def _ensure_pump(self, product_id: int) -> None:
        if product_id in self._pumping or self._closed or self._paused or self._offline:
            return
        self._pumping.add(product_id)
        self._lanes.submit(product_id, f"writes of product {product_id}",
                           lambda: self._pump(product_id))

    def _take_next(self, product_id: int) -> _Job | _NeedImages | _Hold | None:
        """The product's first waiting op, marked sending (journal, then state); None ends
        the pump (and a later submit starts another)."""
        state = self._states.get(product_id)
        item = None if state is None else next(
            (i for i in state.pending if i.sync.phase is Phase.WAITING), None)
        if state is None or item is None or self._closed or self._paused or self._offline:
            self._pumping.discard(product_id)
            return None
        hold = self._held.get(item.op.op_id, 0.0) - time.monotonic()
        if hold > 0:
            return _Hold(hold)
        self._held.pop(item.op.op_id, None)
        if (product_id not in self._loaded or time.monotonic()
                - self._loaded_at.get(product_id, 0.0) > SNAPSHOT_FRESH_S):
            return _NEED_IMAGES
        conflict = self._conflict_of(state, item)
        if conflict is not None:
            # Unsent until the merchant decides; the product's other changes go on.
            reason = describe(conflict)
            self._require_journal().mark_failed(self._seqs[item.op.op_id], reason)
            self._conflicts[item.op.op_id] = conflict
            self._publish(product_id, state.failed(item.op.op_id, reason))
            self._report_conflicts()
            self._settle_resumed(item.op.op_id, failed=True)
            return self._take_next(product_id)
        if _moot(state, item.op):
            # Its row is not on the store and nothing queued will make it (an upload that
            # was undone or reverted): nothing to send, and no card could show a failure.
            self._withdraw(product_id, item.op.op_id)
            self._settle_resumed(item.op.op_id, failed=False, counted=False)
            return self._take_next(product_id)
        op = item.op
        seq = self._seqs[op.op_id]
        journal = self._require_journal()
        kept = op if op.op_id in self._check_first else self._from_kept(op)
        if kept is not op:
            # Its image was deleted after this undo was queued (the copy was being kept
            # meanwhile): the copy goes up, not the address the store no longer serves.
            journal.replace(seq, kept)
            state = state.replace_pending(
                Pending(kept, each.sync) if each is item else each for each in state.pending)
            op = kept
        before_ids: tuple[int, ...] = ()
        if isinstance(op, (CreateFromFile, CreateFromUrl)):
            entry = journal.entry(seq)
            if op.op_id in self._check_first and entry is not None and entry.before_ids:
                before_ids = entry.before_ids   # the ids of the send that may have landed
                journal.mark_sending(seq, before_ids=before_ids)
            else:
                before_ids = tuple(sorted(image.id for image in state.snapshot.images))
                journal.mark_sending(seq, before_ids=before_ids)
        else:
            journal.mark_sending(seq)
        cancel: threading.Event | None = None
        if isinstance(op, (CreateFromFile, CreateFromUrl)):
            cancel = self._cancel_events[op.op_id] = threading.Event()
            if op.op_id in self._cancel_requested:
                cancel.set()
        state = state.sending(op.op_id)
        self._publish(product_id, state)
        order: tuple[RowKey, ...] = ()
        if isinstance(op, Reorder):
            order = tuple(row.key for row in view(state.snapshot, [
                item for item in state.pending if item.sync.phase is not Phase.FAILED]))
        return _Job(seq, op, state.snapshot, op.op_id in self._check_first,
                    self._check_after.get(op.op_id, 0.0), before_ids, cancel=cancel,
                    order=order)

    def _settle(self, product_id: int, job: _Job, outcome: Outcome) -> None:
        journal = self._require_journal()
        state = self._states[product_id]
        op_id = job.op.op_id
        self._check_first.discard(op_id)
        self._check_after.pop(op_id, None)
        self._cancel_events.pop(op_id, None)
        self._cancel_requested.discard(op_id)
        with self._batch_lock:
            self._batch.settle(op_id)
        if isinstance(outcome, _Offline):
            # Back in line, unsent; a create that may have arrived stays "being sent" in the
            # journal (a crash meanwhile must not turn it into a blind resend) and is looked
            # for before it goes again.
            if outcome.look_first or op_id in self._check_first:
                self._check_first.add(op_id)
                self._check_after[op_id] = time.time() + self._grace_s
            else:
                journal.mark_waiting(job.seq)
            self._join_batch(job.op)
            self._publish(product_id, state.retry(op_id))
            self._go_offline(product_id)
            return
        self._forced.discard(op_id)
        if isinstance(outcome, _Withdrawn):
            # Through "failed" (a state the journal may drop): a crash in between leaves a
            # card that says it was cancelled, never a blind resend.
            journal.mark_failed(job.seq, _cancelled_but_unsure(job.op))
            journal.remove(job.seq)
            self._seqs.pop(op_id, None)
            self._cancelled.add(op_id)
            with self._batch_lock:
                self._batch.withdraw(op_id)
            self._publish(product_id, state.discard(op_id))
            self._settle_resumed(op_id, failed=False, counted=False)
            self._drop_followers(product_id, job.op.row_key)
        elif isinstance(outcome, _Done):
            self._confirmed_at[product_id] = time.monotonic()
            self._note_deleted(state, job.op)
            journal.mark_done(job.seq, _answer_json(outcome.answer))
            self._seqs.pop(op_id, None)
            settled = state.reconcile(op_id, outcome.answer)
            self._publish(product_id, settled)
            self._drop_failures_of_deleted(product_id, job.op, state)
            self._keep_in_place(product_id, job.op, state, settled)
            self._settle_resumed(op_id, failed=False)  # after: "sent" follows what it shows
        else:
            journal.mark_failed(job.seq, outcome.reason)
            self._publish(product_id, state.failed(op_id, outcome.reason))
            self._settle_resumed(op_id, failed=True)

    def _drop_failures_of_deleted(self, product_id: int, op: Operation, before: ImageState
                                  ) -> None:
        """Failed changes of images the store just deleted are moot, and no card is left to
        show them (or to Retry or Discard them): they go. A delete-all takes every failed
        change made before it (the cards it removed: uploads that never arrived too)."""
        if isinstance(op, Delete):
            moot = [item.op.op_id for item in before.pending
                    if item.sync.phase is Phase.FAILED
                    and isinstance(item.op, (UpdateFields, Delete))
                    and item.op.row_key == op.row_key]
        elif isinstance(op, DeleteAll):
            earlier = list(itertools.takewhile(lambda item: item.op.op_id != op.op_id,
                                               before.pending))
            moot = [item.op.op_id for item in earlier if item.sync.phase is Phase.FAILED]
        else:
            return
        for op_id in moot:
            self._withdraw(product_id, op_id)
            self._settle_resumed(op_id, failed=True)

    def _keep_in_place(self, product_id: int, op: Operation, before: ImageState,
                       after: ImageState) -> None:
        """The store puts a new image last. An upload sent late (a Retry, after later
        uploads went) gets a reorder that puts it where the merchant sees it, unless a
        waiting reorder will place it anyway. (An upload dropped amid the grid comes with
        its own reorder: see `edit_verbs.add_edit`.)"""
        if op.op_id not in self._retried:
            return
        self._retried.discard(op.op_id)
        shown = [row.key for row in before.view()]
        if shown == [row.key for row in after.view()] or any(
                isinstance(item.op, Reorder) and item.sync.phase is not Phase.FAILED
                for item in after.pending):
            return
        self._accept(product_id, Reorder(op_id=next_op_id(), order=tuple(shown), based_on=()))

    def _mark_outcome_unknown(self, seq: int) -> None:
        self._require_journal().mark_outcome_unknown(seq)

    def _settle_resumed(self, op_id: int, *, failed: bool, counted: bool = True) -> None:
        if op_id not in self._resumed:
            return
        self._resumed.discard(op_id)
        if counted:
            if failed:
                self._resumed_failed += 1
            else:
                self._resumed_sent += 1
        self._maybe_report_resumed()

    def _maybe_report_resumed(self) -> None:
        if self._resumed:
            return
        sent, failed = self._resumed_sent, self._resumed_failed
        if sent or failed:
            self._resumed_sent = self._resumed_failed = 0
            self._resumed_news.emit(sent, failed)

    # ---- lane threads: the wire ----------------------------------------------------------

    def _pump(self, product_id: int) -> None:
        try:
            while not self._closed:
                job = self._on_journal(self._take_next, product_id)
                if job is None:
                    return
                if isinstance(job, _NeedImages):
                    if not self._load_images(product_id):
                        return
                    continue
                if isinstance(job, _Hold):
                    # Short naps: an Undo or the close ends the hold sooner.
                    if self._stop.wait(min(job.seconds, HOLD_POLL_S)):
                        raise QueueClosed()
                    continue
                outcome = self._send(product_id, job)
                self._on_journal(self._settle, product_id, job, outcome)
        except QueueClosed:
            return  # what was under way stays "being sent" in the journal
        except Exception:
            log.exception("the writes of product %s stopped", product_id)
            self._post(self._pumping.discard, product_id)

    def _load_images(self, product_id: int) -> bool:
        try:
            images = self._client.all_images(product_id)
        except errors.ApiError as exc:
            log.info("product %s could not be listed before sending: %s", product_id, exc)
            if errors.store_unreachable(exc):
                self._on_journal(self._go_offline, product_id)  # they wait, unsent
                return False
            if self._on_journal(self._keep_stale_list, product_id):
                return True  # only a refresh failed: the list known stands
            self._on_journal(self._fail_waiting, product_id, exc)
            return False
        self._on_journal(self._set_images, product_id, tuple(images))
        return True

    def _keep_stale_list(self, product_id: int) -> bool:
        """A list read again because it was old could not be read: the one known stands
        for another while (True), rather than failing the changes waiting on it."""
        if product_id not in self._loaded:
            return False
        self._loaded_at[product_id] = time.monotonic()
        return True

    def _fail_waiting(self, product_id: int, error: errors.ApiError) -> None:
        """The product could not even be listed: its waiting ops fail (Retry sends them)."""
        journal = self._require_journal()
        state = self._states[product_id]
        for item in state.pending:
            if item.sync.phase is Phase.WAITING:
                reason = _reason(item.op, error, sent=False)
                journal.mark_failed(self._seqs[item.op.op_id], reason)
                state = state.failed(item.op.op_id, reason)
        self._pumping.discard(product_id)
        self._publish(product_id, state)
        for item in state.pending:
            if item.sync.phase is Phase.FAILED:
                self._settle_resumed(item.op.op_id, failed=True)

    def _send(self, product_id: int, job: _Job) -> Outcome:
        op = job.op
        if isinstance(op, (CreateFromFile, CreateFromUrl)):
            return self._send_create(product_id, job)
        self._keep_copies(op, job.snapshot)
        attempt = 0
        while True:
            attempt += 1
            try:
                answer = self._request(product_id, job)
                self._learn_new_thumbnail(product_id, op, job.snapshot)
                return _Done(answer)
            except _Refused as refused:
                return _Failed(refused.reason)
            except errors.NotFound as exc:
                if isinstance(op, (Delete, DeleteAll)):
                    self._learn_new_thumbnail(product_id, op, job.snapshot)
                    return _Done(None)  # already gone: what was asked
                if isinstance(op, UpdateFields):
                    return _Failed(DELETED_ON_STORE)
                return _Failed(_reason(op, exc))
            except errors.ApiError as exc:
                if errors.store_unreachable(exc):
                    return _Offline()
                if exc.transient and exc.safe_to_resend and attempt < MAX_SEND_ATTEMPTS:
                    self._pause(attempt)
                    continue
                return _Failed(_reason(op, exc))
            except (OSError, ValueError) as exc:
                return _Failed(_reason(op, exc))

    def _learn_new_thumbnail(self, product_id: int, op: Operation, snapshot: Snapshot) -> None:
        """The store gives the star to another image when the thumbnail is deleted: which one
        is read back (the answer to a DELETE says nothing), else the product is listed again
        before its next send."""
        record = snapshot.record(op.row_key) if isinstance(op, Delete) else None
        if record is None or not record.is_thumbnail or len(snapshot.images) < 2:
            return
        try:
            images = self._client.all_images(product_id)
        except errors.ApiError as exc:
            log.info("product %s: the new thumbnail could not be read: %s", product_id, exc)
            self._on_journal(self._loaded.discard, product_id)
            return
        self._on_journal(self._set_images, product_id, tuple(images))

    def _send_create(self, product_id: int, job: _Job) -> Outcome:
        """A POST: never sent again unless the store shows it did not arrive. Cancelled, it
        stops where it is and ends off the store (see `_after_cancel`)."""
        op = job.op
        assert isinstance(op, (CreateFromFile, CreateFromUrl))
        name = op.name if isinstance(op, CreateFromFile) else url_file_name(op.url)
        cancel = job.cancel or threading.Event()
        if cancel.is_set():  # cancelled while waiting to be looked for: never sent again
            return self._after_cancel(product_id, job, name, None, maybe_landed=True)
        report = ThrottledProgress(functools.partial(self._report_progress, product_id, op.op_id))
        unknown: list[bool] = []  # an attempt whose outcome was unknown (it may have landed)
        with cancel_scope(cancel):
            outcome = self._send_create_once(product_id, job, name, report, cancel, unknown)
        if cancel.is_set():
            maybe = job.check_first or bool(unknown) or report.body_sent
            return self._after_cancel(product_id, job, name, outcome, maybe_landed=maybe)
        return outcome

    def _after_cancel(self, product_id: int, job: _Job, name: str, outcome: Outcome | None,
                      *, maybe_landed: bool) -> Outcome:
        """What became of a cancelled upload. Answered: it is on the store, so it is deleted
        again. Stopped before its whole file left: it cannot have arrived. Otherwise the store
        may still create it, so after a grace it is looked for, and deleted if there."""
        op = job.op
        assert isinstance(op, (CreateFromFile, CreateFromUrl))
        if isinstance(outcome, _Done) and isinstance(outcome.answer, ProductImage):
            return self._take_back(product_id, outcome.answer)
        if not maybe_landed:
            return _Withdrawn()
        if self._stop.wait(self._cancel_grace_s):
            raise QueueClosed()
        found = self._look_for(product_id, op, name, job.before_ids)
        if found is None:
            return _Withdrawn()
        if isinstance(found, _Offline):
            return _Failed(_cancelled_but_unsure(op))
        if isinstance(found, _Done) and isinstance(found.answer, ProductImage):
            return self._take_back(product_id, found.answer)
        return _Failed(_cancelled_but_unsure(op))

    def _take_back(self, product_id: int, image: ProductImage) -> Outcome:
        """A cancelled upload that landed anyway: deleted, so the store ends as asked. If
        the delete fails the image stays, shown as what it is: on the store."""
        try:
            self._client.delete_image(product_id, image.id, missing_ok=True)
        except errors.ApiError as exc:
            log.info("a cancelled upload landed as image %s and could not be deleted: %s",
                     image.id, exc)
            return _Done(image)
        return _Withdrawn()

    def _send_create_once(self, product_id: int, job: _Job, name: str,
                          report: ThrottledProgress, cancel: threading.Event,
                          unknown: list[bool]) -> Outcome:
        op = job.op
        assert isinstance(op, (CreateFromFile, CreateFromUrl))
        if job.check_first:
            wait = job.check_not_before - time.time()
            if wait > 0 and self._stop.wait(wait):
                raise QueueClosed()
            found = self._look_for(product_id, op, name, job.before_ids)
            if found is not None:
                return found
        resent_after_check = job.check_first
        attempt = 0
        while True:
            attempt += 1
            try:
                return _Done(self._create(product_id, op, report))
            except _Refused as refused:
                return _Failed(refused.reason)
            except errors.ApiError as exc:
                if cancel.is_set():
                    return _Failed(_cancelled_but_unsure(op))  # settled by _after_cancel
                if errors.store_unreachable(exc):
                    return _Offline(look_first=bool(unknown) or job.check_first)
                if exc.outcome_unknown or exc.applied is True:
                    unknown.append(True)
                    self._on_journal(self._mark_outcome_unknown, job.seq)
                    found = self._look_for(product_id, op, name, job.before_ids)
                    if found is not None:
                        return found
                    if resent_after_check or exc.applied is True:
                        # applied yet not found, or not found, resent, and unknown again  # not there, sent again once, unknown again
                        return _Failed(_ask_merchant(op))
                    resent_after_check = True
                    continue
                if exc.transient and exc.safe_to_resend and attempt < MAX_SEND_ATTEMPTS:
                    self._pause(attempt)
                    continue
                return _Failed(_reason(op, exc))
            except (OSError, ValueError) as exc:
                return _Failed(_reason(op, exc))

    def _look_for(self, product_id: int, op: CreateFromFile | CreateFromUrl, name: str,
                  before_ids: tuple[int, ...]) -> Outcome | None:
        """Done (it arrived), Failed (undecidable, or the store could not be asked), or
        None: certainly not there, so sending it is safe."""
        try:
            search = self._client.find_uploaded(product_id, file_name=name,
                                                before_ids=before_ids)
        except errors.ApiError as exc:
            log.info("could not look for %s: %s", name, exc)
            if errors.store_unreachable(exc):
                return _Offline(look_first=True)
            return _Failed(f"{_ask_merchant(op)} {_why(exc)}")
        if search.arrived is True:
            assert search.image is not None
            return _Done(search.image)
        if search.arrived is None:
            return _Failed(_ask_merchant(op))
        return None

    def _create(self, product_id: int, op: CreateFromFile | CreateFromUrl,
                report: ThrottledProgress | None = None) -> ProductImage:
        description = op.description or None
        if isinstance(op, CreateFromFile):
            if not self._client.credentials.supports_file_upload:
                raise _Refused(_reason(op, errors.UploadNotSupported(
                    "Uploading a picture from this computer needs an OAuth API account; "
                    "add the picture by its web address instead.")))
            upload = dataclasses.replace(read_image_upload(op.path), file_name=op.name)
            if report is not None:
                report(0, len(upload.content))  # "0 %": the card shows it started
            return self._client.upload_image(product_id, upload, description=description,
                                             complete=False, on_progress=report)
        return self._client.create_image_from_url(product_id, op.url, description=description,
                                                  complete=False)

    def _request(self, product_id: int, job: _Job) -> Answer:
        op, snapshot = job.op, job.snapshot
        if isinstance(op, UpdateFields):
            known = snapshot.record(op.row_key)
            if known is None:
                raise _Refused(NOT_ON_STORE_YET if op.row_key.startswith("new:")
                               else DELETED_ON_STORE)
            changes = ImageChanges(op.changes.description, op.changes.is_thumbnail,
                                   op.changes.sort_order)
            return self._client.update_image(product_id, known.id, changes, known=known,
                                             complete=False)
        if isinstance(op, Delete):
            record = snapshot.record(op.row_key)
            if record is None:
                if op.row_key.startswith("new:"):
                    raise _Refused(NOT_ON_STORE_YET)
                return None  # not in the snapshot: already gone
            self._client.delete_image(product_id, record.id, missing_ok=True)
            return None
        if isinstance(op, DeleteAll):
            self._client.delete_all_images(product_id)
            return None
        assert isinstance(op, Reorder)
        return self._reorder(product_id, job.order, snapshot)

    def _reorder(self, product_id: int, shown: Sequence[RowKey], snapshot: Snapshot
                 ) -> list[ProductImage]:
        """The fewest sort_order PUTs that give the store the order `shown` (the grid's, see
        `_Job.order`), each answer merged onto its record. Rows on the store take, in that
        order, the places they hold (one the grid does not show, being deleted, keeps its
        place). Not the op's own order alone: a late upload (a Retry) lands last, and a
        failed earlier reorder may be reverted; the whole grid says where every row goes."""
        records = {key: image for key, image in snapshot.rows()}
        order = [key for key, _ in snapshot.rows()]
        rank = {key: n for n, key in enumerate(shown)}
        slots = [n for n, key in enumerate(order) if key in rank]
        for slot, key in zip(slots, sorted((order[n] for n in slots), key=rank.__getitem__)):
            order[slot] = key
        plan = plan_reorder(order, {key: records[key].sort_order for key in order})
        answers: dict[str, ProductImage] = {}
        for key, sort_order in plan.puts:
            known = answers.get(key, records[key])
            answers[key] = self._client.update_image(
                product_id, known.id, ImageChanges(sort_order=sort_order), known=known,
                complete=False)
        if not plan.puts:
            return []
        # Read the order back once; a difference (a store that shifts siblings in a way no
        # reference describes, another app writing meanwhile) gets one repair round.
        check = verify_and_repair(self._client, product_id, [records[key].id for key in order])
        if not check.held:
            raise _Refused("The new order was not kept by the store (another app may be "
                           "changing this product's images): Retry, or Discard to keep the "
                           "store's order.")
        by_id = {image.id: image for image in check.images}
        return [by_id[records[key].id] for key in order if records[key].id in by_id]

    def _pause(self, attempt: int) -> None:
        delay = min(RESEND_MAX_DELAY_S, RESEND_BASE_DELAY_S * 2 ** (attempt - 1))
        if self._stop.wait(delay):
            raise QueueClosed()


class _Refused(Exception):
    """An op that cannot be sent as it stands; `reason` is merchant text."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _answer_json(answer: Answer) -> Any:
    if answer is None:
        return None
    if isinstance(answer, ProductImage):
        return answer.to_json()
    return [image.to_json() for image in answer]
