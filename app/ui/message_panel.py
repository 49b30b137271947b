"""Where an area of the window speaks: a centred panel inside it, or a banner above it.

`MessagePanel` replaces an area's content (the grid, the product list) with what the merchant
needs to know: an icon, a title in their words, one sentence of why, the one button that fixes
it, and a "Details" disclosure with the technical facts (request, status, the server's words)
for whoever they ask for help. The same panel shows the quiet states: loading, empty.

`MessageBanner` is a one-line strip above an area that still works, e.g. "Pictures can't be
loaded from cdn.example.com — Retry all" above a grid whose cards stay quiet.

Every text is plain text and wraps or is cut to the area's width: no message, however long,
widens the window.
"""

from __future__ import annotations

import enum

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QTextOption
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton,
                               QSizePolicy, QStyle, QToolButton, QVBoxLayout, QWidget)

from app.services.problems import Problem, Remedy, clip
from app.ui.plain_text import wrapping_label

ICON_SIZE = 40
MAX_TEXT_WIDTH = 460  # a comfortable line length; the panel narrows with its area below it
MAX_TITLE = 160       # characters: titles may quote a name from the store


class PanelKind(enum.Enum):
    ERROR = "error"
    INFO = "info"        # an empty product, an empty store, nothing chosen
    LOADING = "loading"


_ICONS = {
    PanelKind.ERROR: QStyle.StandardPixmap.SP_MessageBoxWarning,
    PanelKind.INFO: QStyle.StandardPixmap.SP_MessageBoxInformation,
    PanelKind.LOADING: QStyle.StandardPixmap.SP_BrowserReload,
}


def _ignore_width(widget: QWidget) -> None:
    """The area decides the width; the widget's own wish never reaches the window."""
    policy = widget.sizePolicy()
    policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
    widget.setSizePolicy(policy)


class MessagePanel(QFrame):
    """A centred message inside an area. `actionTriggered(Remedy)` when its button is pressed."""

    actionTriggered = Signal(object)  # Remedy

    def __init__(self, area_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(f"{area_name} message")
        self.setAutoFillBackground(True)
        _ignore_width(self)
        self.kind = PanelKind.INFO
        self.remedy = Remedy.NONE

        self.icon_label = QLabel()
        self.icon_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title_label = wrapping_label()
        self.title_label.setAccessibleName("Message title")
        title_font = QFont(self.title_label.font())
        title_font.setBold(True)
        title_font.setPointSizeF(title_font.pointSizeF() * 1.2)
        self.title_label.setFont(title_font)
        self.why_label = wrapping_label()
        self.why_label.setAccessibleName("Message")
        for label in (self.title_label, self.why_label):
            label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.action_button = QPushButton()
        self.action_button.setDefault(True)
        self.action_button.clicked.connect(lambda: self.actionTriggered.emit(self.remedy))

        self.details_button = QToolButton()
        self.details_button.setText("Details")
        self.details_button.setAccessibleName("Show technical details")
        self.details_button.setCheckable(True)
        self.details_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.details_button.setArrowType(Qt.ArrowType.RightArrow)
        self.details_button.setAutoRaise(True)
        self.details_button.toggled.connect(self._toggle_details)
        # Read-only plain text: selectable and copyable for a support request, and it wraps
        # anywhere, so a 5,000-character path cannot widen anything.
        self.details_text = QPlainTextEdit()
        self.details_text.setReadOnly(True)
        self.details_text.setAccessibleName("Technical details")
        self.details_text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.details_text.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.details_text.setMaximumHeight(110)
        _ignore_width(self.details_text)
        self.details_text.hide()

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.action_button)
        buttons.addStretch(1)
        details_row = QHBoxLayout()
        details_row.addStretch(1)
        details_row.addWidget(self.details_button)
        details_row.addStretch(1)

        column = QWidget()
        column.setMaximumWidth(MAX_TEXT_WIDTH)
        _ignore_width(column)
        column_layout = QVBoxLayout(column)
        column_layout.setContentsMargins(12, 12, 12, 12)
        column_layout.setSpacing(10)
        column_layout.addWidget(self.icon_label)
        column_layout.addWidget(self.title_label)
        column_layout.addWidget(self.why_label)
        column_layout.addLayout(buttons)
        column_layout.addLayout(details_row)
        column_layout.addWidget(self.details_text)

        centred = QHBoxLayout()
        centred.addStretch(1)
        centred.addWidget(column, 100)
        centred.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addStretch(2)
        outer.addLayout(centred)
        outer.addStretch(3)

    # ---- what it says -------------------------------------------------------------------

    def show_problem(self, problem: Problem) -> None:
        """A failure: its title, why, the button that fixes it, and the details."""
        self._show(PanelKind.ERROR, problem.title, problem.why, problem.remedy, problem.details)

    def show_state(self, title: str, why: str = "", *,
                   kind: PanelKind = PanelKind.INFO, remedy: Remedy = Remedy.NONE) -> None:
        """A state that is not a failure: loading, empty, nothing to show yet."""
        self._show(kind, title, why, remedy, "")

    def _show(self, kind: PanelKind, title: str, why: str, remedy: Remedy, details: str) -> None:
        self.kind, self.remedy = kind, remedy
        icon = self.style().standardIcon(_ICONS[kind])
        self.icon_label.setPixmap(icon.pixmap(ICON_SIZE, ICON_SIZE))
        self.title_label.setText(clip(title, MAX_TITLE))
        self.why_label.setText(why)
        self.why_label.setVisible(bool(why))
        self.action_button.setText(remedy.value)
        self.action_button.setAccessibleName(remedy.value)
        self.action_button.setVisible(remedy is not Remedy.NONE)
        self.details_text.setPlainText(details)
        self.details_button.setVisible(bool(details))
        self.details_button.setChecked(False)
        self.setAccessibleDescription(f"{title}. {why}".strip())

    def _toggle_details(self, shown: bool) -> None:
        self.details_button.setArrowType(Qt.ArrowType.DownArrow if shown
                                         else Qt.ArrowType.RightArrow)
        self.details_text.setVisible(shown)

    @property
    def title(self) -> str:
        return self.title_label.text()

    @property
    def why(self) -> str:
        return self.why_label.text()

    @property
    def details(self) -> str:
        return self.details_text.toPlainText()


class MessageBanner(QFrame):
    """A strip above an area that still works: one sentence and one button."""

    actionTriggered = Signal()

    def __init__(self, area_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(f"{area_name} banner")
        self.setObjectName("message-banner")
        self.setStyleSheet("#message-banner { background: #fef7e0; border: 1px solid #f9ab00;"
                           " border-radius: 4px; }")
        _ignore_width(self)
        self.icon_label = QLabel()
        self.icon_label.setPixmap(self.style().standardIcon(
            QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(20, 20))
        self.text_label = wrapping_label()
        self.text_label.setAccessibleName("Banner message")
        self.action_button = QPushButton()
        self.action_button.clicked.connect(self.actionTriggered.emit)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.icon_label)
        layout.addWidget(self.text_label, 1)
        layout.addWidget(self.action_button)
        self.hide()

    def show_message(self, text: str, button_text: str) -> None:
        self.text_label.setText(clip(text))
        self.action_button.setText(button_text)
        self.action_button.setAccessibleName(button_text)
        self.setAccessibleDescription(text)
        self.show()

    @property
    def text(self) -> str:
        return self.text_label.text()
