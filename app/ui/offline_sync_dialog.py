"""The "Make available offline…" dialog: what to keep (the selected product, the current
search results, the whole store), how big and how long that is, then its progress with Pause,
Resume and Cancel. The work is app/services/offline_sync.py; this is only its screen.

Closing the dialog does not stop a sync: it goes on in the background, and opening the dialog
again shows its progress.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.services.offline_sync import OfflineSync
from app.services.store_sync import (
    SyncEstimate,
    SyncJob,
    SyncOutcome,
    SyncProgress,
    SyncScope,
)
from app.services.sizes import describe_bytes
from app.ui.plain_text import wrapping_label

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


class OfflineSyncDialog(QDialog):
    def __init__(self, sync: OfflineSync, *, selected: tuple[int, str] | None,
                 keyword: str | None, parent: QWidget | None = None) -> None:
        """`selected`: the open product (id, name); `keyword`: the product search, if any."""
        super().__init__(parent)
        self.setWindowTitle("Make available offline")
        self._sync = sync
        self._selected = selected
        self._keyword = keyword or None
        self._pending: SyncJob | None = None
        self._estimate: SyncEstimate | None = None

        layout = QVBoxLayout(self)
        layout.addWidget(wrapping_label(
            "Keep products and their pictures on this computer, so they can be browsed "
            "without a connection to the store."))
        self.scope_group = QButtonGroup(self)
        name = selected[1] if selected else ""
        self.selected_choice = QRadioButton(
            f"The selected product ({name})" if selected else "The selected product (none)")
        self.search_choice = QRadioButton(
            f"The products found for \u201c{keyword}\u201d" if keyword
            else "The current search results (no search)")
        self.store_choice = QRadioButton("The whole store")
        for index, choice in enumerate((self.selected_choice, self.search_choice,
                                        self.store_choice)):
            self.scope_group.addButton(choice, index)
            layout.addWidget(choice)
        self.selected_choice.setEnabled(selected is not None)
        self.search_choice.setEnabled(bool(keyword))
        (self.selected_choice if selected else self.store_choice).setChecked(True)
        self.zoom_box = QCheckBox("Also keep the large zoom pictures (needs much more space)")
        layout.addWidget(self.zoom_box)

        self.pending_label = wrapping_label()
        self.pending_label.hide()
        layout.addWidget(self.pending_label)
        self.estimate_label = QLabel("")
        self.estimate_label.setWordWrap(True)
        self.estimate_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByKeyboard
            | Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.estimate_label)
        self.progress_bar = QProgressBar()
        self.progress_bar.setAccessibleName("Products made available offline")
        self.progress_bar.hide()
        layout.addWidget(self.progress_bar)
        self.progress_label = QLabel("")
        self.progress_label.setWordWrap(True)
        self.progress_label.hide()
        layout.addWidget(self.progress_label)

        self.buttons = QDialogButtonBox()
        self.start_button = QPushButton("&Start")
        self.resume_job_button = QPushButton("&Carry on where it stopped")
        self.resume_job_button.hide()
        self.pause_button = QPushButton("&Pause")
        self.cancel_sync_button = QPushButton("Cancel &download")
        self.close_button = QPushButton("Close")
        for button, role in ((self.start_button, QDialogButtonBox.ButtonRole.AcceptRole),
                             (self.resume_job_button, QDialogButtonBox.ButtonRole.ActionRole),
                             (self.pause_button, QDialogButtonBox.ButtonRole.ActionRole),
                             (self.cancel_sync_button, QDialogButtonBox.ButtonRole.ActionRole),
                             (self.close_button, QDialogButtonBox.ButtonRole.RejectRole)):
            self.buttons.addButton(button, role)
        layout.addWidget(self.buttons)
        self.start_button.setDefault(True)   # after the box, which sets its own defaults
        self.start_button.clicked.connect(self.start)
        self.resume_job_button.clicked.connect(self.resume_job)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.cancel_sync_button.clicked.connect(self.cancel_sync)
        self.close_button.clicked.connect(self.reject)
        self.scope_group.idToggled.connect(lambda _id, checked: checked and self.re_estimate())
        self.zoom_box.toggled.connect(lambda _checked: self.re_estimate())

        sync.estimated.connect(self._estimated)
        sync.progress.connect(self._progressed)
        sync.finished.connect(self._finished)
        sync.failed.connect(self._failed)
        sync.pendingFound.connect(self._pending_found)
        self.resize(480, self.sizeHint().height())
        if sync.active:
            self._show_running(True)
            self.progress_label.setText("Making products available offline…")
        else:
            self._show_running(False)
            sync.find_pending()
            self.re_estimate()

    # ---- what the merchant asks for ------------------------------------------------------

    def scope(self) -> SyncScope:
        if self.selected_choice.isChecked() and self._selected is not None:
            return SyncScope(product_ids=(self._selected[0],))
        if self.search_choice.isChecked() and self._keyword:
            return SyncScope(keyword=self._keyword)
        return SyncScope()

    def re_estimate(self) -> None:
        if self._sync.active:
            return
        self._estimate = None
        self.estimate_label.setText(f"Working out the size of {self.scope().describe()}…")
        self._sync.estimate(self.scope(), self.zoom_box.isChecked())

    def start(self) -> None:
        if self._sync.active:
            return
        self._sync.start(self.scope(), self.zoom_box.isChecked())
        self._pending = None   # a new job replaces the stopped one
        self.pending_label.hide()
        self._started()

    def resume_job(self) -> None:
        if self._pending is None or self._sync.active:
            return
        self._sync.resume_job(self._pending)
        self._pending = None
        self.pending_label.hide()
        self._started()

    def toggle_pause(self) -> None:
        if self._sync.paused:
            self._sync.resume()
            self.pause_button.setText("&Pause")
            self.progress_label.setText(self.progress_label.text().replace(" (paused)", ""))
        else:
            self._sync.pause()
            self.pause_button.setText("&Resume")
            self.progress_label.setText(f"{self.progress_label.text()} (paused)")

    def cancel_sync(self) -> None:
        self._sync.cancel()
        self.progress_label.setText("Stopping… Products already done stay available offline.")
        self.pause_button.setEnabled(False)
        self.cancel_sync_button.setEnabled(False)

    # ---- what the sync says --------------------------------------------------------------

    def _started(self) -> None:
        self._show_running(True)
        self.progress_bar.setRange(0, 0)   # busy until the first product is done
        self.progress_label.setText("Starting…")
        self.pause_button.setFocus()

    def _estimated(self, estimate: SyncEstimate) -> None:
        if self._sync.active:
            return
        self._estimate = estimate
        self.estimate_label.setText(f"{self.scope().describe().capitalize()}: "
                                    f"{estimate.describe()}")

    def _progressed(self, progress: SyncProgress) -> None:
        total = max(progress.products_total, 1)
        self.progress_bar.setRange(0, total)
        self.progress_bar.setValue(progress.products_done)
        paused = " (paused)" if self._sync.paused else ""
        self.progress_label.setText(
            f"{progress.products_done:,} of {progress.products_total:,} products, "
            f"{describe_bytes(progress.bytes_done)} of pictures{paused}")

    def _finished(self, outcome: SyncOutcome) -> None:
        self._show_running(False)
        done = outcome.progress.products_done
        products = f"{done:,} product{'s' if done != 1 else ''}"
        if outcome.state == "cancelled":
            self.progress_label.setText(f"Stopped. {products} are available offline; the rest "
                                        "were not downloaded.")
        else:
            self.progress_label.setText(f"Done: {products} available offline.")
        self.progress_label.show()
        self.start_button.setText("&Start again")
        self.close_button.setFocus()

    def _failed(self, message: str) -> None:
        if self._sync.active:
            self.progress_label.setText(message)
            return
        self._show_running(False)
        self.progress_label.setText(message)
        self.progress_label.show()
        self._sync.find_pending()

    def _pending_found(self, job: SyncJob) -> None:
        if self._sync.active:
            return
        self._pending = job
        done = len(job.done)
        total = job.total or (len(job.scope.product_ids) if job.scope.product_ids else None)
        count = f"{done:,} of {total:,} products done" if total else f"{done:,} done"
        self.pending_label.setText(
            f"Making {job.scope.describe()} available offline stopped before it finished "
            f"({count}). Carry on, or choose again and start.")
        self.pending_label.show()
        self.resume_job_button.show()

    def _show_running(self, running: bool) -> None:
        for widget in (self.selected_choice, self.search_choice, self.store_choice,
                       self.zoom_box):
            widget.setEnabled(not running and widget is not self.selected_choice
                              and widget is not self.search_choice)
        self.selected_choice.setEnabled(not running and self._selected is not None)
        self.search_choice.setEnabled(not running and bool(self._keyword))
        self.start_button.setVisible(not running)
        self.resume_job_button.setVisible(not running and self._pending is not None)
        self.pause_button.setVisible(running)
        self.pause_button.setEnabled(running)
        self.pause_button.setText("&Resume" if self._sync.paused else "&Pause")
        self.cancel_sync_button.setVisible(running)
        self.cancel_sync_button.setEnabled(running)
        self.progress_bar.setVisible(running)
        self.progress_label.setVisible(running or bool(self.progress_label.text()))
        # The progress rows come and go: the dialog grows to show them whole.
        self.resize(self.width(), max(self.height(), self.sizeHint().height()))


def open_offline_sync(window: MainWindow) -> OfflineSyncDialog | None:
    """The File menu's "Make available offline…": the dialog for the open store (its sync,
    one per store session, goes on when the dialog closes). None when no store is open or
    nothing can be kept on disk (no data folder)."""
    page = window.page
    if page is None or window.saved_copy_dir is None:
        return None
    session = page.session
    cache = session.picture_cache
    if cache is None:
        return None
    sync = session.findChild(OfflineSync)
    if sync is None:
        reads = session.reads
        sync = OfflineSync(session.client, session.downloader, cache, window.saved_copy_dir,
                           session.store.credentials.store_id,
                           # The merchant's reads waiting for a worker go first.
                           busy=lambda: reads.waiting() > 0, parent=session)
        session.destroyed.connect(lambda *_: sync.shutdown())
        model = page.product_model
        sync.keptChanged.connect(model.set_kept_offline)
    product = page.current_product
    dialog = OfflineSyncDialog(
        sync, selected=(product.id, product.name) if product is not None else None,
        keyword=page.product_model.keyword or None, parent=window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog
