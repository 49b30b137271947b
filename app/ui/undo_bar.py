"""The bar above the grid after a delete: "Deleted 3 images. Undo", while the delete waits.

A delete is held for a few seconds before it is sent (`ImageEditor.DELETE_HOLD_S`); the bar
counts them down, then says that the images are being deleted on the store, then that they
were. Its Undo is the Edit menu's Undo of that same command.
"""

from __future__ import annotations

import math
import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

#: How long the bar stays once the store has done the delete (or the bar has nothing to offer).
LINGER_MS = 4000


class UndoBar(QFrame):
    """A one-line bar: what happened, when it reaches the store, and an Undo button."""

    undoRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("undo-bar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Undo delete")
        self.setStyleSheet("#undo-bar { background: palette(tool-tip-base); "
                           "border: 1px solid palette(mid); border-radius: 4px; }")
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.label.setAccessibleName("Undo delete message")
        self.undo_button = QPushButton("Undo")
        self.undo_button.setAccessibleName("Undo the delete")
        self.undo_button.clicked.connect(self.undoRequested)
        self.close_button = QPushButton("Dismiss")
        self.close_button.setFlat(True)
        self.close_button.setAccessibleName("Hide this message")
        self.close_button.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 6, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.undo_button)
        layout.addWidget(self.close_button)
        self._what = ""
        self._them = "them"
        self._deadline = 0.0
        self._sent = False
        self._tick = QTimer(self, interval=250)
        self._tick.timeout.connect(self._update_text)
        self._linger = QTimer(self, singleShot=True, interval=LINGER_MS)
        self._linger.timeout.connect(self.dismiss)
        self.hide()

    def show_held(self, what: str, hold_s: float, them: str = "them") -> None:
        """`what` ("Deleted 3 images."), the seconds until it is sent, and how to name the
        images ("it" or "them")."""
        self._what = what
        self._them = them
        self._deadline = time.monotonic() + hold_s
        self._sent = False
        self._linger.stop()
        self.undo_button.setEnabled(True)
        self.undo_button.setToolTip("Keeps the images: nothing is deleted on the store.")
        self._update_text()
        self._tick.start()
        self.show()

    def set_undo_reach(self, later_changes: int) -> None:
        """The Undo also takes back this many changes made after the delete."""
        self.undo_button.setText("Undo" if not later_changes else
                                 f"Undo (and {later_changes} later "
                                 f"change{'s' if later_changes != 1 else ''})")

    def sending(self) -> None:
        self._tick.stop()
        self.label.setText(f"{self._what} Deleting {self._them} on the store…")

    def sent(self, text: str) -> None:
        """The store did it: say so a moment, then go (Undo stays: it brings copies back).
        Said once: later news of the product (other changes) must not keep the bar up."""
        if self._sent:
            return
        self._tick.stop()
        self._sent = True
        self.label.setText(text)
        self.undo_button.setToolTip("Puts copies of the deleted images back: the store gives "
                                    "them new ids.")
        self._linger.start()

    def dismiss(self) -> None:
        self._tick.stop()
        self._linger.stop()
        self.hide()

    def _update_text(self) -> None:
        left = max(0, math.ceil(self._deadline - time.monotonic()))
        if left:
            self.label.setText(f"{self._what} The store deletes {self._them} in {left} s.")
        else:
            self.sending()
