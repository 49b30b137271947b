"""Where the selected image's own changes stand, in the details pane, under its title.

A failed change is what a merchant must act on, and the details pane is where their eye is
when they select the card: the reason is spelled out there in full (the card has room for a
badge, its tooltip for a line), with Retry and Discard beside it, as on the card's menu.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from app.services.image_state import Badge
from app.ui.plain_text import plain_label

FAILED_STYLE = "color: #b3261e;"

_WORDS = {
    Badge.WAITING: "A change to this image is waiting to be sent to the store.",
    Badge.SENDING: "A change to this image is being sent to the store…",
}


class ChangeNotice(QFrame):
    """Hidden while the image has no change on its way; else says where it is."""

    #: The merchant asked to send the failed change(s) again / to drop them.
    retryClicked = Signal()
    discardClicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Changes to this image")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        self.text = plain_label()
        self.text.setWordWrap(True)
        layout.addWidget(self.text)
        buttons = QHBoxLayout()
        self.retry_button = QPushButton("Retry")
        self.retry_button.setAccessibleName("Retry the failed change")
        self.retry_button.clicked.connect(self.retryClicked)
        self.discard_button = QPushButton("Discard")
        self.discard_button.setAccessibleName("Discard the failed change")
        self.discard_button.setToolTip("Puts the card back as the store has it; nothing is sent.")
        self.discard_button.clicked.connect(self.discardClicked)
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.discard_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.show_change(Badge.NONE, "")

    def show_change(self, badge: Badge, reason: str) -> None:
        failed = badge is Badge.FAILED
        if failed:
            # The reason says what happened and what to do, in full; never "not saved": some
            # failures may have reached the store (their reason says so).
            self.text.setText(reason or "A change to this image failed.")
        else:
            self.text.setText(_WORDS.get(badge, ""))
        self.text.setStyleSheet(FAILED_STYLE if failed else "")
        self.retry_button.setVisible(failed)
        self.discard_button.setVisible(failed)
        self.setVisible(badge is not Badge.NONE)
