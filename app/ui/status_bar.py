"""The status bar, in the merchant's words: store, product, image counts, selection, and a
connection note only when something is known.

The API budget is for the curious: it lives in the connection note's tooltip, not in the text.
Nothing says "Connected" before the store has answered, nor while the image server fails.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QLabel, QStatusBar, QToolButton, QWidget

from app.api.rate_limit import RateLimitSnapshot
from app.services.store_connection import StoreConnection
from app.services.upload_batch import BatchProgress
from app.ui.plain_text import ElidedLabel, tooltip

OK_COLOUR = "#188038"
WARNING_COLOUR = "#b06000"
ERROR_COLOUR = "#d93025"


def uploads_text(batch: BatchProgress) -> str:
    """"Uploading 3 of 12 images — 45 %" (one image: "Uploading 1 image — 45 %")."""
    percent = f"{int(batch.fraction * 100)} %"  # never 100 % before the last one is done
    if batch.count == 1:
        return f"Uploading 1 image — {percent}"
    return f"Uploading {batch.number:,} of {batch.count:,} images — {percent}"


def resumed_text(sent: int, failed: int) -> str:
    """What became of the changes an earlier run left unsent (the write queue's
    `resumedChanges`): "4 changes made earlier were sent"."""
    def changes(count: int) -> str:
        return f"{count:,} change{'s' if count != 1 else ''} made earlier"

    if not failed:
        return f"{changes(sent)} {'was' if sent == 1 else 'were'} sent"
    cards = "its card says why" if failed == 1 else "their cards say why"
    if not sent:
        return f"{changes(failed)} could not be sent: {cards}"
    were = "was" if sent == 1 else "were"
    return f"{changes(sent)} {were} sent; {failed:,} could not be: {cards}"


class _ClickableLabel(QLabel):
    """A label that says when it is clicked (the changes count opens Pending changes)."""

    clicked = Signal()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
                event.position().toPoint()):
            self.clicked.emit()
        super().mouseReleaseEvent(event)


class StoreStatusBar(QStatusBar):
    #: The merchant pressed the uploads line's Cancel: every upload under way should stop.
    cancelUploadsRequested = Signal()
    #: The merchant clicked "N changes waiting": show the Pending changes panel.
    changesClicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store_label = self._add(ElidedLabel(), "Store", "No store")
        self.product_label = self._add(ElidedLabel(), "Product", "")
        self.images_label = self._add(QLabel(), "Images of this product", "")
        self.selection_label = self._add(QLabel(), "Selected images", "")
        self.store_images_label = self._add(QLabel(), "Images in the store", "")
        self.uploads_label = self._add(QLabel(), "Uploads", "")
        self.cancel_uploads_button = QToolButton()
        self.cancel_uploads_button.setText("Cancel")
        self.cancel_uploads_button.setAutoRaise(True)
        self.cancel_uploads_button.setAccessibleName("Cancel all uploads")
        self.cancel_uploads_button.setToolTip("Stop every upload; pictures not yet on the "
                                              "store are not added.")
        self.cancel_uploads_button.clicked.connect(self.cancelUploadsRequested)
        self.addPermanentWidget(self.cancel_uploads_button)
        self.set_uploads(BatchProgress())
        self.changes_label = self._add(_ClickableLabel(), "Changes", "")
        self.changes_label.clicked.connect(self.changesClicked)
        self.changes_label.setCursor(Qt.CursorShape.PointingHandCursor)
        self.changes_label.setToolTip("Show the pending changes, with Discard for each")
        self.changes_label.setVisible(False)
        self.connection_label = self._add(QLabel(), "Connection", "")
        self._connection = StoreConnection.UNKNOWN
        self._pictures_host = ""              # set while the image server fails
        self._rate_limit: RateLimitSnapshot | None = None

    def _add(self, label: QLabel, accessible_name: str, text: str) -> QLabel:
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setAccessibleName(accessible_name)
        label.setContentsMargins(6, 0, 6, 0)
        label.setText(text)
        if isinstance(label, ElidedLabel):
            label.setMaximumWidth(280)  # names are cut, never allowed to crowd out the rest
        self.addPermanentWidget(label)
        return label

    def set_store(self, label: str) -> None:
        """A new store (or none): what was known about the previous one is forgotten."""
        self.store_label.setText(label)
        self._connection = StoreConnection.UNKNOWN
        self._pictures_host = ""
        self._rate_limit = None
        self.show_selection(0, 0)
        self.set_changes(0, 0, 0)
        self.set_uploads(BatchProgress())
        self._update_connection()

    def set_product(self, name: str, image_count: int | None) -> None:
        self.product_label.setText(name)
        self.images_label.setText("" if image_count is None else
                                  f"{image_count:,} image{'s' if image_count != 1 else ''}")

    def show_selection(self, selected: int, total: int) -> None:
        """"12 of 300 selected", or nothing when no image is selected."""
        self.selection_label.setText(f"{selected:,} of {total:,} selected" if selected else "")
        self.selection_label.setVisible(bool(selected))

    def set_changes(self, waiting: int, sending: int, failed: int) -> None:
        """The write queue's counts as they are: "2 changes waiting, 1 sending", "1 change
        failed"; nothing when every change is on the store. A failure comes first (it needs
        the merchant)."""
        parts = [(count, word) for count, word in ((failed, "failed"), (waiting, "waiting"),
                                                   (sending, "sending")) if count]
        if parts:
            first, word = parts[0]
            text = ", ".join([f"{first:,} change{'s' if first != 1 else ''} {word}",
                              *(f"{count:,} {word}" for count, word in parts[1:])])
            colour = ERROR_COLOUR if failed else ""
        else:
            text, colour = "", ""
        self.changes_label.setText(text)
        self.changes_label.setStyleSheet(f"color: {colour};" if colour else "")
        self.changes_label.setVisible(bool(text))

    def show_resumed(self, sent: int, failed: int) -> None:
        """Says what became of the changes an earlier run left (for a while)."""
        self.showMessage(resumed_text(sent, failed), 15000)

    def set_uploads(self, batch: BatchProgress) -> None:
        """The write queue's `uploadsChanged`: one line while uploads are under way, with a
        Cancel button; nothing otherwise."""
        text = uploads_text(batch) if batch.active else ""
        self.uploads_label.setText(text)
        self.uploads_label.setVisible(bool(text))
        self.cancel_uploads_button.setVisible(bool(text))
        # The store-wide count changes as uploads land, and the line needs its room (a
        # 900 px window has no width for both).
        self.store_images_label.setVisible(not text)

    def set_store_image_count(self, count: int | None) -> None:
        self.store_images_label.setText("" if count is None else
                                        f"{count:,} images in the store")

    # ---- the connection note ------------------------------------------------------------

    def set_connection(self, state: StoreConnection) -> None:
        """What the store's last answer says (the session's connectionChanged)."""
        self._connection = state
        self._update_connection()

    def set_online(self, online: bool) -> None:
        """Kept for callers that only know reachable or not."""
        self.set_connection(StoreConnection.OK if online else StoreConnection.UNREACHABLE)

    def set_pictures_failing(self, host: str) -> None:
        """The image server's host while most pictures fail from it; "" once they load."""
        self._pictures_host = host
        self._update_connection()

    def set_rate_limit(self, snapshot: RateLimitSnapshot | None) -> None:
        self._rate_limit = snapshot
        self._update_connection()

    @property
    def budget_text(self) -> str:
        """The API budget, in words, for the connection note's tooltip."""
        snapshot = self._rate_limit
        if snapshot is None or snapshot.left is None:
            return ""
        if snapshot.quota:
            seconds = f" in this {snapshot.window_ms // 1000}-second window" \
                if snapshot.window_ms else ""
            return f"API requests left: {snapshot.left:,} of {snapshot.quota:,}{seconds}"
        return f"API requests left this hour: {snapshot.left:,}"

    def _update_connection(self) -> None:
        state = self._connection
        if state is StoreConnection.UNKNOWN:
            text, colour, why = "", "", ""
        elif state is StoreConnection.UNREACHABLE:
            text, colour, why = ("○ Store unreachable", ERROR_COLOUR,
                                 "The store did not answer the last request.")
        elif state is StoreConnection.OFFLINE:
            text, colour, why = ("○ Working offline", WARNING_COLOUR,
                                 "Nothing is asked of the store; changes wait on this "
                                 "computer until you go online.")
        elif state is StoreConnection.REFUSED:
            text, colour, why = ("● Access refused", ERROR_COLOUR,
                                 "The store refused the saved credentials.")
        elif state is StoreConnection.FAILING:
            text, colour, why = ("● Store having problems", WARNING_COLOUR,
                                 "The store answered the last request with an error.")
        elif self._pictures_host:
            text, colour, why = ("● Pictures unavailable", WARNING_COLOUR,
                                 f"The store answers, but pictures can't be loaded from "
                                 f"{self._pictures_host}.")
        else:
            text, colour, why = "● Connected", OK_COLOUR, "The store answers."
        self.connection_label.setText(text)
        self.connection_label.setStyleSheet(f"color: {colour};" if colour else "")
        budget = self.budget_text
        self.connection_label.setToolTip(tooltip("\n".join(part for part in (why, budget)
                                                           if part)))
        self.connection_label.setAccessibleDescription(budget)
