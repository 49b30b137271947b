"""The page's hold on uploads once they are queued (issue 9 §2): each card's progress, "Cancel
upload" on the card menu, and "Cancel all uploads" for the Edit menu and the status line.

The write queue does the work (`progress`, `cancel`, `cancel_all_uploads`); this only maps its
op ids to the cards of the product on screen and back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from app.api.models import ProductImage
from app.services.image_state import CreateFromFile, CreateFromUrl, ImageState, Phase, RowKey
from app.services.upload_batch import BatchProgress
from app.services.write_queue import WriteQueue

if TYPE_CHECKING:
    from app.ui.store_page import StorePage

_UNDER_WAY = (Phase.WAITING, Phase.SENDING)


class UploadControls(QObject):
    def __init__(self, page: StorePage, queue: WriteQueue) -> None:
        super().__init__(page)
        self._page = page
        self._queue = queue
        self._state: ImageState | None = None  # the queue's state of the product on screen
        queue.stateChanged.connect(self._state_changed)
        queue.progress.connect(self._progress)
        queue.uploadsChanged.connect(self._uploads_changed)
        self.cancel_all_action = QAction("Cancel all uploads", page)
        self.cancel_all_action.setStatusTip("Stops every upload under way; pictures not yet "
                                            "on the store are not added.")
        self.cancel_all_action.setToolTip(self.cancel_all_action.statusTip())
        self.cancel_all_action.setEnabled(False)
        self.cancel_all_action.triggered.connect(self.cancel_all)
        page.grid.context_menu.add_section(self._menu_section)

    # ---- what is under way --------------------------------------------------------------

    def _shown_state(self) -> ImageState | None:
        state = self._state
        if state is None or state.product_id != self._page.image_model.product_id:
            return None
        return state

    def uploads_of(self, keys: set[RowKey]) -> list[tuple[int, RowKey]]:
        """(op id, row key) of the uploads waiting or being sent for these cards."""
        state = self._shown_state()
        if state is None:
            return []
        return [(item.op.op_id, item.op.row_key) for item in state.pending
                if isinstance(item.op, (CreateFromFile, CreateFromUrl))
                and item.sync.phase in _UNDER_WAY and item.op.row_key in keys]

    def _keys_of(self, images: list[ProductImage]) -> set[RowKey]:
        return {row.key for row in self._page.image_model.rows() if row.image in images}

    # ---- the merchant's verbs -----------------------------------------------------------

    def cancel(self, uploads: list[tuple[int, RowKey]]) -> None:
        """Cancels these uploads; their cards say "Cancelling…" until they go."""
        self._page.image_model.set_upload_cancelling([key for _, key in uploads])
        for op_id, _ in uploads:
            self._queue.cancel(op_id)

    def cancel_all(self) -> None:
        """Every upload under way, of every product (what the status line counts)."""
        state = self._shown_state()
        if state is not None:
            self._page.image_model.set_upload_cancelling(
                [key for _, key in self.uploads_of({row.key for row in state.view()})])
        self._queue.cancel_all_uploads(None)

    def _menu_section(self, menu: QMenu, images: list[ProductImage]) -> None:
        uploads = self.uploads_of(self._keys_of(images))
        if not uploads:
            return
        action = menu.addAction("Cancel upload" if len(uploads) == 1
                                else f"Cancel {len(uploads)} uploads")
        action.setToolTip("The picture is not added to the store; if it already arrived, it "
                          "is deleted again.")
        action.triggered.connect(lambda: self.cancel(uploads))

    # ---- the queue's news ---------------------------------------------------------------

    def _state_changed(self, product_id: int, state: ImageState) -> None:
        if product_id == self._page.image_model.product_id:
            self._state = state

    def _progress(self, product_id: int, op_id: int, sent: int, total: int) -> None:
        state = self._shown_state()
        if state is None or product_id != state.product_id:
            return
        item = state.op(op_id)
        if item is not None and isinstance(item.op, (CreateFromFile, CreateFromUrl)):
            self._page.image_model.set_upload_progress(item.op.row_key, sent, total)

    def _uploads_changed(self, batch: BatchProgress) -> None:
        self.cancel_all_action.setEnabled(batch.active)
