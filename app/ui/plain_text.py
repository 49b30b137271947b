"""Store text is plain text: helpers that keep it from being read as markup."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel


def plain_label(text: str = "") -> QLabel:
    """A label that shows its text as typed, never as HTML."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def tooltip_text(text: str) -> str:
    """A tooltip that shows `text` literally.

    Qt guesses whether a tooltip is rich text, so markup in a store's text would render;
    escaped text inside an explicit rich-text wrapper always reads as typed.
    """
    escaped = html.escape(text, quote=False).replace("\n", "<br>")
    return f"<qt>{escaped}</qt>"
