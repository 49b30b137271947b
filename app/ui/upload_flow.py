"""From a gesture to queued uploads (issue 9 §2): a drop, a paste or "Add images…" becomes
checked pictures, each a card on the grid at once.

One batch at a time (a drop that arrives meanwhile waits its turn):

1. The gesture's sources (`drop_sources`) are gathered and checked on a worker
   (`upload_check.check_batch`: type from the bytes, 8 MB, decodable, pixel cap, duplicates);
   the GUI thread never reads a file or decodes a picture. "Checking 37 of 500…" shows above
   the grid with a Cancel button while it runs (after a moment: a quick batch does not flash).
2. At most two questions, each once per batch: duplicates (one message listing them: Add
   anyway / Skip duplicates), then pictures that can be made smaller (Make smaller / Skip them).
3. On a worker again: pictures to make smaller are downscaled, and picture data (a browser's
   or the clipboard's) written, into a staging folder; the journal copies them when queued.
4. `page.editor.apply(add_edit(...))`: one undoable edit, the cards where they were dropped.
   What was refused is listed afterwards, each with the reason and the fix, Details below.

A store connected with a legacy API key (Basic auth) cannot take files (the v3 upload needs
OAuth): files are refused before any is read, saying what to do; web addresses still go.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QWidget,
)

from app.api.errors import ApiError
from app.services.edit_verbs import NewFile, add_edit
from app.services.image_state import CreateFromFile, RowKey
from app.services.problems import clip
from app.services.tasks import TaskRunner
from app.services.upload_downscale import write_staged
from app.services.worker_signals import WorkerSignal
from app.ui.drop_sources import (
    DropItem,
    DropSources,
    PictureData,
    encode_picture,
    may_hold_pictures,
    sources_from_mime,
)
from app.ui.plain_text import ElidedLabel
from app.ui.upload_previews import UploadPreviews

if TYPE_CHECKING:
    from app.services.upload_check import Accepted, BatchReport
    from app.ui.store_page import StorePage

#: A check that ends sooner shows no progress line at all.
PROGRESS_DELAY_MS = 300
#: The progress count changes at most this often (seconds).
PROGRESS_INTERVAL_S = 0.1
#: Lines a question or a report lists before "and N more (Details)".
LISTED_LINES = 8
#: Characters of a name in a message (a long path must not widen the dialog).
MAX_NAME = 90

LEGACY_REASON = ("This store is connected with a legacy API key, and the store takes files "
                 "from this computer only through an API account (OAuth).")
LEGACY_FIX = ("Connect the store again with an API account's access token, or add the picture "
              "by its web address.")


def _pictures(count: int) -> str:
    return f"{count} picture{'s' if count != 1 else ''}"


@dataclass(frozen=True)
class Refusal:
    """A picture that was not added: its name, why, and what to do (merchant words)."""

    name: str
    reason: str
    fix: str = ""

    @property
    def line(self) -> str:
        return f"{clip(self.name, MAX_NAME)}: {self.reason} {self.fix}".strip()


@dataclass
class Batch:
    """One gesture's pictures on their way to one product."""

    product_id: int
    product_name: str
    items: list[DropItem]
    #: The card the new ones go before (None: after the last one).
    anchor: RowKey | None
    #: The product's rows were on screen (else the new cards go after whatever it holds).
    placed: bool
    #: The product's image file names for the name-clash warning; None: list them first.
    existing: list[str] | None
    refused: list[Refusal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cancel: threading.Event = field(default_factory=threading.Event)
    report: BatchReport | None = None
    order: dict[int, int] = field(default_factory=dict)   # id(candidate) -> its place
    skip_duplicates: bool = False
    make_smaller: bool = False


@dataclass(frozen=True)
class Staged:
    """What goes to the queue, in the batch's order: files and web addresses."""

    files: list[tuple[int, NewFile]]
    urls: list[tuple[int, str]]
    refused: list[Refusal]
    #: Each file's card preview (`Accepted.preview`), by the file's path.
    previews: dict[Path, bytes] = field(default_factory=dict)


@dataclass(frozen=True)
class BatchOutcome:
    """What became of a batch (for the status line and tests)."""

    product_id: int
    added: int
    refused: tuple[Refusal, ...]
    cancelled: bool = False


# ---- the worker's part ---------------------------------------------------------------------

def check_pictures(items: Sequence[DropItem], existing: list[str] | Callable[[], list[str]],
                   cancel: threading.Event, progress: Callable[[int, int], None]
                   ) -> tuple[BatchReport, dict[int, int]]:
    """Worker thread: the batch gathered and checked (the one call into the checker), and
    each candidate's place in the batch, by identity."""
    from app.services.upload_check import check_batch
    from app.services.upload_gather import RawImage, gather

    sources = [RawImage(encode_picture(item), item.name) if isinstance(item, PictureData)
               else item for item in items]
    gathered = gather(sources, cancel=cancel)
    names = existing() if callable(existing) else existing
    report = check_batch(gathered, names, cancel=cancel, progress=progress)
    return report, {id(candidate): n for n, candidate in enumerate(gathered.candidates)}


def stage_pictures(as_they_are: Sequence[Accepted], smaller: Sequence[Accepted],
                   urls: Sequence[tuple[int, str]], order: dict[int, int], staging_dir: Path,
                   cancel: threading.Event) -> Staged:
    """Worker thread: files ready for the queue. Pictures to make smaller are downscaled and
    picture data written into `staging_dir`; files on disk are queued from where they are."""
    files: list[tuple[int, NewFile]] = []
    refused: list[Refusal] = []
    previews: dict[Path, bytes] = {}
    for accepted, shrink in [*((a, False) for a in as_they_are), *((a, True) for a in smaller)]:
        if cancel.is_set():
            break
        place = order.get(id(accepted.candidate), len(order))
        if shrink:
            from app.services.upload_downscale import DownscaleRefused, downscale
            try:
                accepted = downscale(accepted, staging_dir)
            except DownscaleRefused as refusal:
                refused.append(Refusal(accepted.shown_as, str(refusal).split(": ", 1)[-1]))
                continue
            except OSError as exc:
                refused.append(Refusal(accepted.shown_as, "It could not be made smaller "
                                       f"({exc.strerror or exc}).", "Add it again."))
                continue
        if accepted.data is not None:
            try:
                path = write_staged(accepted.data, Path(accepted.name).suffix, staging_dir,
                                    accepted.sha256)
            except OSError as exc:
                refused.append(Refusal(accepted.shown_as, "It could not be kept for the upload "
                                       f"({exc.strerror or exc}).", "Add it again."))
                continue
        else:
            path = accepted.path
            assert path is not None
        files.append((place, NewFile(path, accepted.name, accepted.sha256, accepted.size)))
        if accepted.preview:
            previews[path] = accepted.preview
    return Staged(sorted(files, key=lambda pair: pair[0]), list(urls), refused, previews)


def default_staging_dir() -> Path:
    """This process's own folder for pictures made here (private to the user)."""
    global _STAGING
    with _STAGING_LOCK:
        if _STAGING is None:
            _STAGING = Path(tempfile.mkdtemp(prefix="pim-upload-"))
        return _STAGING


_STAGING: Path | None = None
_STAGING_LOCK = threading.Lock()


# ---- what the merchant sees ----------------------------------------------------------------

class CheckProgress(QFrame):
    """"Checking 37 of 500 pictures…" above the grid, with Cancel."""

    cancelRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("upload-progress")
        self.setAccessibleName("Adding pictures")
        self.setStyleSheet("#upload-progress { background: palette(alternate-base); "
                           "border: 1px solid palette(mid); border-radius: 4px; }")
        # One line that never changes height: a new count must not make the grid relayout.
        self.label = ElidedLabel()
        self.label.setAccessibleName("Adding pictures status")
        self.bar = QProgressBar()
        self.bar.setAccessibleName("Pictures checked")
        self.bar.setTextVisible(False)
        self.bar.setMaximumWidth(220)
        self.bar.setFixedHeight(8)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel adding pictures")
        self.cancel_button.setToolTip("Stop: none of these pictures is added")
        self.cancel_button.clicked.connect(self.cancelRequested.emit)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self.hide()

    def show_progress(self, text: str, done: int = 0, total: int = 0) -> None:
        self.label.setText(text)
        self.bar.setRange(0, max(total, 0))  # 0..0: busy, the count is not known yet
        self.bar.setValue(done)
        self.setAccessibleDescription(text)

    @property
    def text(self) -> str:
        return self.label.text()


class UploadFlow(QObject):
    """The page's way from a gesture to queued uploads. `drop(mime, row)` is what the grid's
    drop calls (the grid draws the insertion line); `drop_on_product` what the product list's
    drop calls; `paste()` and `add_files()` the page's actions."""

    #: A sentence for the status bar ("Adding 12 pictures to Red Mug").
    notice = Signal(str)
    #: A batch ended (BatchOutcome): queued, cancelled, or nothing to add.
    batchFinished = Signal(object)
    _progress = Signal(object, int, int)    # batch, done, total (from the worker)

    def __init__(self, page: StorePage, staging_dir: Path | None = None) -> None:
        super().__init__(page)
        self._page = page
        self._staging_dir = staging_dir
        self._runner = TaskRunner("upload-check", max_workers=1, parent=self)
        self._progress_news = WorkerSignal(self, self._progress)
        self._progress.connect(self._show_checked)
        self._waiting: deque[Batch] = deque()
        self.current: Batch | None = None
        self.progress_strip = CheckProgress()
        self.progress_strip.cancelRequested.connect(self.cancel)
        self._strip_timer = QTimer(self, singleShot=True, interval=PROGRESS_DELAY_MS)
        self._strip_timer.timeout.connect(self._reveal_progress)
        #: The open question (a QMessageBox) while a batch waits for the merchant.
        self.question: QMessageBox | None = None
        self._shown_at = 0.0   # when the progress count last changed (time.monotonic)
        #: The last report of pictures that were not added.
        self.report_box: QMessageBox | None = None
        #: The dropped pictures' own previews, for their cards until the store's arrive.
        self.previews = UploadPreviews(self)
        page.image_model.set_previews(self.previews)

    # ---- gestures ------------------------------------------------------------------------

    def drop(self, mime: QMimeData, row: int) -> bool:
        """Pictures dropped on the shown product's grid, before the card at `row` (the row
        count: after the last). False when nothing in it can be added."""
        product_id = self._page.image_model.product_id
        if product_id is None or not product_id:
            return False
        return self._start(product_id, sources_from_mime(mime), row)

    def drop_on_product(self, mime: QMimeData, product_id: int, name: str = "") -> bool:
        """Pictures dropped on a product in the list: added after its images."""
        if product_id == self._page.image_model.product_id:
            return self._start(product_id, sources_from_mime(mime), None)
        return self._start(product_id, sources_from_mime(mime), None, name=name, shown=False)

    def paste(self, mime: QMimeData | None = None) -> bool:
        """The clipboard's files, addresses or picture, after the selected card (else last)."""
        if mime is None:
            from PySide6.QtGui import QGuiApplication
            mime = QGuiApplication.clipboard().mimeData()
        product_id = self._page.image_model.product_id
        if mime is None or not product_id:
            return False
        return self._start(product_id, sources_from_mime(mime), self._after_selection())

    def add_files(self, paths: Sequence[str | Path]) -> bool:
        """Files chosen in "Add images…": after the selected card, else after the last."""
        product_id = self._page.image_model.product_id
        if not product_id or not paths:
            return False
        return self._start(product_id, DropSources([Path(p) for p in paths]),
                           self._after_selection())

    def cancel(self) -> None:
        """Stops the batch being checked (nothing of it is added) and drops those waiting."""
        self._waiting.clear()
        batch = self.current
        if batch is not None:
            batch.cancel.set()
            self.progress_strip.show_progress("Cancelling…")

    @property
    def busy(self) -> bool:
        return self.current is not None or bool(self._waiting)

    def can_take(self, mime: QMimeData | None) -> bool:
        """For a drag moving over a drop target: whether to accept it."""
        return self._page.editor is not None and may_hold_pictures(mime)

    # ---- a batch, step by step -----------------------------------------------------------

    def _after_selection(self) -> int | None:
        rows = [index.row() for index in self._page.grid.selectionModel().selectedIndexes()]
        return max(rows) + 1 if rows else None

    def _start(self, product_id: int, sources: DropSources, row: int | None, *,
               name: str = "", shown: bool = True) -> bool:
        page = self._page
        if page.editor is None:
            return False
        if not sources:
            if sources.ignored:
                self._report(BatchOutcome(product_id, 0, ()), [], sources.ignored)
            return False
        rows = page.view_rows() if shown and page.images_ready else []
        anchor = rows[row].key if row is not None and 0 <= row < len(rows) else None
        items, refused = list(sources.items), []
        if not page.session.client.credentials.supports_file_upload:
            refused = [Refusal(_item_name(item), LEGACY_REASON, LEGACY_FIX)
                       for item in sources.files]
            items = sources.urls
        existing: list[str] | None = (
            [r.image.image_file for r in rows if r.image.image_file] if shown else None)
        batch = Batch(product_id, name or page.product_name(product_id), items, anchor,
                      placed=shown, existing=existing, refused=refused,
                      notes=list(sources.ignored))
        self._waiting.append(batch)
        if self.current is None:
            self._next()
        return True

    def _next(self) -> None:
        self.current = None
        if not self._waiting:
            self._strip_timer.stop()
            self.progress_strip.hide()
            return
        batch = self.current = self._waiting.popleft()
        if not batch.items:
            self._finish(batch, Staged([], [], []))
            return
        self.progress_strip.show_progress(f"Looking for pictures to add to "
                                          f"{clip(batch.product_name, 60)}…")
        self._strip_timer.start()
        client = self._page.session.client
        existing: list[str] | Callable[[], list[str]] = (
            batch.existing if batch.existing is not None
            else lambda: _image_files(client, batch.product_id))
        self._runner.submit(
            "check-pictures",
            lambda: check_pictures(batch.items, existing, batch.cancel,
                                   lambda done, total: self._progress_news.emit(batch, done,
                                                                                total)),
            on_success=lambda result: self._checked(batch, *result),
            on_failure=lambda error: self._failed(batch, error))

    def _reveal_progress(self) -> None:
        if self.current is not None:
            self.progress_strip.show()

    def _show_checked(self, batch: Batch, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self._shown_at < PROGRESS_INTERVAL_S:
            return   # a count the eye can follow: a few a second, not one per file
        self._shown_at = now
        if batch is self.current and not batch.cancel.is_set():
            self.progress_strip.show_progress(f"Checking {done:,} of {_pictures(total)}…",
                                              done, total)

    def _failed(self, batch: Batch, error: Exception) -> None:
        batch.refused.append(Refusal("These pictures", "could not be checked "
                                     f"({clip(str(error), 200)}).", "Add them again."))
        self._finish(batch, Staged([], [], []))

    def _checked(self, batch: Batch, report: BatchReport, order: dict[int, int]) -> None:
        batch.report, batch.order = report, order
        batch.refused.extend(Refusal(r.name, r.reason, r.fix) for r in report.rejected)
        batch.notes.extend(report.notes)
        if report.cancelled or batch.cancel.is_set():
            self._cancelled(batch)
            return
        self._ask_about_duplicates(batch)

    def _cancelled(self, batch: Batch) -> None:
        self.notice.emit("Adding pictures was cancelled: none of them was added.")
        self.batchFinished.emit(BatchOutcome(batch.product_id, 0, (), cancelled=True))
        self._next()

    def _ask_about_duplicates(self, batch: Batch) -> None:
        report = batch.report
        assert report is not None
        if not report.warnings:
            self._ask_about_size(batch)
            return
        lines = [warning.message for warning in report.warnings]
        count = len({warning.name for warning in report.warnings})
        text = (f"{_pictures(count)} may already be there: the same picture twice in what "
                f"you added, or a name the product's pictures already have.")
        self._ask(batch, "Pictures that may be duplicates", text, lines,
                  [("Add anyway", QMessageBox.ButtonRole.AcceptRole),
                   ("Skip duplicates", QMessageBox.ButtonRole.RejectRole)],
                  escape="Skip duplicates",
                  then=lambda answer: self._duplicates_answered(batch, answer))

    def _duplicates_answered(self, batch: Batch, answer: str) -> None:
        report = batch.report
        assert report is not None
        if answer == "Skip duplicates":
            batch.skip_duplicates = True
            skipped = {warning.name for warning in report.warnings}
            batch.report = replace(
                report, accepted=[a for a in report.accepted if a.shown_as not in skipped],
                urls=[u for u in report.urls if u.shown_as not in skipped])
            batch.notes.append(f"{_pictures(len(skipped))} that may be duplicates "
                               "were skipped.")
        self._ask_about_size(batch)

    def _ask_about_size(self, batch: Batch) -> None:
        report = batch.report
        assert report is not None
        question = report.downscale_question()
        if question is None:
            self._stage(batch)
            return
        over, larger = report.needs_downscale, report.can_downscale - report.needs_downscale
        decline = "Skip them" if not larger else "Keep as they are" if not over \
            else "Don't make smaller"
        lines = [a.downscale_note or a.shown_as for a in report.accepted if a.can_downscale]
        self._ask(batch, "Pictures larger than the store takes", question, lines,
                  [("Make smaller", QMessageBox.ButtonRole.AcceptRole),
                   (decline, QMessageBox.ButtonRole.RejectRole)],
                  escape=decline,
                  then=lambda answer: self._size_answered(batch, answer))

    def _size_answered(self, batch: Batch, answer: str) -> None:
        batch.make_smaller = answer == "Make smaller"
        self._stage(batch)

    def _stage(self, batch: Batch) -> None:
        report = batch.report
        assert report is not None
        as_they_are, smaller, left_out = report.split(batch.make_smaller)
        batch.refused.extend(Refusal(a.shown_as, "It is more than the store's 8 MB limit.",
                                     "Add it again and let the app make it smaller, or save a "
                                     "smaller copy.") for a in left_out)
        urls = [(batch.order.get(id(u), len(batch.order)), u.url) for u in report.urls]
        needs_worker = smaller or any(a.data is not None for a in as_they_are)
        if not needs_worker:
            self._finish(batch, stage_pictures(as_they_are, (), urls, batch.order,
                                               Path(), batch.cancel))
            return
        if smaller:
            self.progress_strip.show_progress(f"Making {_pictures(len(smaller))} smaller…")
            self._strip_timer.start()
        staging = self._staging_dir
        self._runner.submit(
            "stage-pictures",
            lambda: stage_pictures(as_they_are, smaller, urls, batch.order,
                                   staging or default_staging_dir(), batch.cancel),
            on_success=lambda staged: self._finish(batch, staged),
            on_failure=lambda error: self._failed(batch, error))

    def _finish(self, batch: Batch, staged: Staged) -> None:
        if batch.cancel.is_set():
            self._cancelled(batch)
            return
        batch.refused.extend(staged.refused)
        added = self._queue(batch, staged)
        outcome = BatchOutcome(batch.product_id, added, tuple(batch.refused))
        if added:
            said = f"Adding {_pictures(added)} to {clip(batch.product_name, 60)}."
            self.notice.emit(" ".join([said, *batch.notes]) if not batch.refused else said)
        if batch.refused or (not added and batch.notes):
            self._report(outcome, batch.refused, batch.notes)
        self.batchFinished.emit(outcome)
        self._next()

    def _queue(self, batch: Batch, staged: Staged) -> int:
        """One undoable edit: the new cards before the anchor card (or after the last)."""
        page, editor = self._page, self._page.editor
        if editor is None:
            return 0
        files = [file for _, file in staged.files]
        urls = [url for _, url in staged.urls]
        if not files and not urls:
            return 0
        shown = (batch.placed and page.image_model.product_id == batch.product_id
                 and page.images_ready)
        rows = page.view_rows() if shown else []
        position = None
        if shown and batch.anchor is not None:
            keys = [row.key for row in rows]
            position = keys.index(batch.anchor) if batch.anchor in keys else None
        edit = add_edit(rows, files=files, urls=urls, position=position)
        for op in edit.ops if edit is not None else ():
            preview = staged.previews.get(op.path) if isinstance(op, CreateFromFile) else None
            if preview is not None:
                self.previews.add(op.row_key, preview)  # before the cards' first paint
        editor.apply(batch.product_id, edit)
        return len(files) + len(urls)

    # ---- questions and reports -----------------------------------------------------------

    def _ask(self, batch: Batch, title: str, text: str, lines: list[str],
             buttons: list[tuple[str, QMessageBox.ButtonRole]], *, escape: str,
             then: Callable[[str], None]) -> None:
        """One question, without blocking: the batch goes on when it is answered."""
        self._strip_timer.stop()
        self.progress_strip.hide()
        box = QMessageBox(self._page)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(title)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(f"{text}\n\n{_listing(lines)}")
        if len(lines) > LISTED_LINES:
            box.setDetailedText("\n".join(lines))
        made = {label: box.addButton(label, role) for label, role in buttons}
        for label, button in made.items():
            button.setAccessibleName(label)
        box.setDefaultButton(made[buttons[0][0]])
        box.setEscapeButton(made[escape])

        def answered() -> None:
            clicked = box.clickedButton()
            answer = next((label for label, button in made.items() if button is clicked),
                          escape)
            self.question = None
            box.deleteLater()
            if self.current is batch and not batch.cancel.is_set():
                then(answer)
            elif self.current is batch:
                self._cancelled(batch)

        box.finished.connect(lambda _: answered())
        self.question = box
        box.open()

    def question_button(self, label: str) -> QPushButton | None:
        """The open question's button with this label (for keyboard users' tests and tools)."""
        if self.question is None:
            return None
        return next((b for b in self.question.buttons()
                     if isinstance(b, QPushButton) and b.text() == label), None)

    def _report(self, outcome: BatchOutcome, refused: Sequence[Refusal],
                notes: Sequence[str]) -> None:
        """What was not added, each with why and what to do; the whole list under Details."""
        box = QMessageBox(self._page)
        box.setIcon(QMessageBox.Icon.Warning if refused else QMessageBox.Icon.Information)
        box.setWindowTitle("Pictures not added" if refused else "Adding pictures")
        box.setTextFormat(Qt.TextFormat.PlainText)
        if refused:
            total = outcome.added + len(refused)
            head = (f"{len(refused)} of {_pictures(total)} could not be added:"
                    if outcome.added else
                    f"{'This picture' if len(refused) == 1 else 'These pictures'} could not "
                    "be added:")
            tail = (f"\n\nThe other {_pictures(outcome.added)} are being added."
                    if outcome.added else "")
            text = f"{head}\n\n{_listing([r.line for r in refused])}{tail}"
        else:
            text = "Nothing was added."
        if notes:
            text += "\n\n" + "\n".join(notes)
        box.setText(text)
        details = [r.line for r in refused] + list(notes)
        box.setDetailedText("\n".join(details))
        box.setStandardButtons(QMessageBox.StandardButton.Close)
        box.setAccessibleName("Pictures not added")
        if self.report_box is not None:
            self.report_box.close()
        self.report_box = box
        box.open()


def _listing(lines: Sequence[str]) -> str:
    shown = [f"• {clip(line, 300)}" for line in lines[:LISTED_LINES]]
    if len(lines) > LISTED_LINES:
        shown.append(f"… and {len(lines) - LISTED_LINES} more (see Details).")
    return "\n".join(shown)


def _item_name(item: DropItem) -> str:
    if isinstance(item, PictureData):
        return item.name
    return Path(item).name or str(item)


def _image_files(client, product_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    """Worker: the product's image file names, for the name-clash warning (best effort)."""
    try:
        return [image.image_file for image in client.all_images(product_id) if image.image_file]
    except ApiError:
        return []
