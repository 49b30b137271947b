"""Showing text from a store, a file or an error as what it is: plain text, never markup.

`QLabel` defaults to `Qt.AutoText` and tooltips guess too, so a product called
`<img src=x><h1>BIG</h1>` would render as a picture and a banner. Labels here are PlainText;
tooltips are escaped inside an explicit rich-text paragraph (an escaped string on its own would
be shown as plain text, with its `&lt;` visible). Labels also never push their width onto the
window: a long text wraps or is elided, it does not widen anything.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


def tooltip(text: str) -> str:
    """A tooltip that shows `text` literally, line breaks kept."""
    if not text:
        return ""
    return f"<p style='white-space:pre-wrap'>{html.escape(text)}</p>"


def wrapping_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A plain-text label that wraps and asks for no minimum width of its own."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    # Ignored: the layout gives it the area's width and the label wraps into it; its one-line
    # width never becomes the window's minimum.
    policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    policy.setHeightForWidth(True)
    label.setSizePolicy(policy)
    label.setText(text)
    return label


class ElidedLabel(QLabel):
    """One line of plain text, cut with "…" to the width it is given; `text()` stays whole.

    Its minimum width is a few characters, so a long product or store name never widens the
    window; the whole text is in the tooltip when it does not fit."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setText(text)

    def setText(self, text: str) -> None:  # type: ignore[override]
        super().setText(text)
        self._update_tooltip()

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), self.fontMetrics().horizontalAdvance("M…") * 3),
                     hint.height())

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        # Capped, so a status-bar field of 5,000 characters asks for a sane width.
        return QSize(min(hint.width(), self.fontMetrics().averageCharWidth() * 80),
                     hint.height())

    def shown_text(self) -> str:
        """What fits on screen now."""
        one_line = " ".join(self.text().split())  # a newline from a store must not show as ▯
        return self.fontMetrics().elidedText(one_line, Qt.TextElideMode.ElideRight,
                                             self.contentsRect().width())

    def is_elided(self) -> bool:
        return self.shown_text() != " ".join(self.text().split())

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().resizeEvent(event)
        self._update_tooltip()

    def _update_tooltip(self) -> None:
        self.setToolTip(tooltip(self.text()) if self.is_elided() else "")

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        self.style().drawItemText(painter, self.contentsRect(),
                                  int(self.alignment() | Qt.AlignmentFlag.AlignVCenter),
                                  self.palette(), self.isEnabled(), self.shown_text(),
                                  self.foregroundRole())


def plain_label(text: str = "") -> QLabel:
    """A label that shows its text as typed, never as HTML."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label
