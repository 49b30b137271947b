"""Changes that met a store changed meanwhile, as the store's page offers them (issue 10 §3):
one banner over the grid says how many wait for a decision, and opens the review dialog
(`conflict_dialog`); the merchant's choices go to the write queue.

"Keep mine" of an image the store deleted is done here, not in the queue: its picture comes
back first (the best rendition still to be had, `picture_recovery`), then it is added again as
the merchant wanted it, and the change that met the deletion is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from app.api.errors import ApiError
from app.services.conflicts import Conflict, ConflictKind, Resolution
from app.services.edit_verbs import restore_edit
from app.ui.conflict_dialog import ConflictDialog, LoaderPictures
from app.ui.message_panel import MessageBanner

if TYPE_CHECKING:
    from app.ui.store_page import StorePage


class ConflictReview(QObject):
    def __init__(self, page: StorePage) -> None:
        super().__init__(page)
        self._page = page
        queue = page.session.queue
        assert queue is not None
        self._queue = queue
        self._conflicts: list[Conflict] = []
        self.dialog: ConflictDialog | None = None
        self.banner = MessageBanner("Conflicts")
        self.banner.actionTriggered.connect(self.open)
        self.banner.hide()
        queue.conflictsChanged.connect(self._changed)

    @property
    def conflicts(self) -> list[Conflict]:
        return list(self._conflicts)

    def open(self) -> ConflictDialog:
        """The review dialog (non-modal, beside the window), on the first undecided change."""
        if self.dialog is None:
            window = self._page.window()
            self.dialog = ConflictDialog(
                LoaderPictures.for_widget(self._page.session.side_pictures, window), window,
                product_name=self._page.product_name)
            self.dialog.decided.connect(self._decided)
        self.dialog.set_conflicts(self._conflicts)
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        return self.dialog

    def _changed(self, conflicts: Sequence[Conflict]) -> None:
        self._conflicts = list(conflicts)
        count = len(self._conflicts)
        if count:
            what = ("1 change meets" if count == 1 else f"{count} changes meet")
            self.banner.show_message(
                f"{what} a store that changed since you made {'it' if count == 1 else 'them'}: "
                "nothing was sent; choose what stays.", "Review…")
        else:
            self.banner.hide()
        if self.dialog is not None:
            self.dialog.set_conflicts(self._conflicts)

    def _decided(self, op_ids: list, resolution: Resolution) -> None:
        chosen = [c for c in self._conflicts if c.op_id in set(op_ids)]
        restore = [c for c in chosen if resolution is Resolution.KEEP_MINE
                   and c.kind is ConflictKind.DELETED]
        rest = [op_id for op_id in op_ids if op_id not in {c.op_id for c in restore}]
        if rest:
            self._queue.resolve_conflicts(rest, resolution)
        for conflict in restore:
            self._add_again(conflict)

    def _add_again(self, conflict: Conflict) -> None:
        page = self._page
        wanted = conflict.mine or conflict.base

        def recovered(path: Path) -> None:
            if page.editor is None:
                return
            shown = page.image_model.product_id == conflict.product_id
            rows = page.view_rows() if shown else []
            # Its place among the images that were before it in the store's order.
            position = sum(1 for row in rows if row.image.sort_order < conflict.base.sort_order) \
                if shown else None
            if page.editor.apply(conflict.product_id,
                                 restore_edit(rows, wanted, path, position)):
                self._queue.resolve_conflicts([conflict.op_id], Resolution.KEEP_STORES)

        def failed(error: Exception) -> None:
            page.changes_banner.show_message(
                error.message if isinstance(error, ApiError) else
                f"The picture could not be added again: {error}", "Dismiss")

        page.session.recover_picture(conflict.base, on_success=recovered, on_failure=failed)
