"""Deleting images: one question (how many, which), the held delete, its Undo bar.

The question shows up to four of the pictures and the names of the first few images, so the
merchant sees what goes. `DeleteFlow.confirm` is the one place it is asked (tests replace it,
as they replace `MainWindow.ask`). After yes, the delete goes through the editor with its
seconds of grace (`ImageEditor.delete`); the Undo bar above the grid counts them down and its
Undo is the undo stack's Undo of that command. Focus moves to the card after the deleted ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QSize, Qt
from PySide6.QtGui import QPixmap, QUndoCommand
from shiboken6 import isValid
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QVBoxLayout,
                               QWidget)

from app.services.edit_verbs import delete_edit
from app.services.image_state import ImageState, Phase, RowKey, ViewRow
from app.ui import image_editor
from app.ui.image_editor import ImageEditor
from app.ui.shortcuts import UNDO, press_hint
from app.ui.undo_bar import UndoBar

SHOWN_PICTURES = 4
SHOWN_NAMES = 6
NAME_CHARS = 80
QUESTION_PICTURE = QSize(96, 96)


def _images(count: int) -> str:
    return f"{count} image{'s' if count != 1 else ''}"


def image_name(row: ViewRow) -> str:
    """What the merchant calls an image: its alt text, else its file name."""
    image = row.image
    name = (image.description or "").strip() or image.image_file.rsplit("/", 1)[-1] \
        or f"image {image.id}"
    return name if len(name) <= NAME_CHARS else name[:NAME_CHARS - 1] + "…"


@dataclass
class DeleteQuestion:
    """What the confirmation says and shows."""

    count: int
    every_image: bool            # all of the product's images
    names: list[str]             # the first few
    pictures: list[QPixmap] = field(default_factory=list)  # up to four, as on their cards

    @property
    def title(self) -> str:
        return f"Delete {_images(self.count)}?"

    @property
    def text(self) -> str:
        which = ("every image of this product" if self.every_image and self.count > 1
                 else "this image" if self.count == 1 else f"these {_images(self.count)}")
        seconds = f"{image_editor.DELETE_HOLD_S:.0f}"
        return (f"Delete {which} from the store? You have {seconds} seconds to take "
                f"it back with Undo on the bar above the images, or {press_hint(UNDO)}.")

    @property
    def accept_label(self) -> str:
        return f"Delete {_images(self.count)}"

    @property
    def more(self) -> int:
        return self.count - len(self.names)


class DeleteDialog(QDialog):
    """The confirmation: the question, a strip of pictures, the names; Delete or Cancel."""

    def __init__(self, question: DeleteQuestion, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(question.title)
        self.setAccessibleName(question.title)
        text = QLabel(question.text)
        text.setTextFormat(Qt.TextFormat.PlainText)
        text.setWordWrap(True)
        strip = QHBoxLayout()
        for picture in question.pictures[:SHOWN_PICTURES]:
            label = QLabel()
            label.setFixedSize(QUESTION_PICTURE)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setFrameShape(QLabel.Shape.StyledPanel)
            label.setPixmap(picture.scaled(QUESTION_PICTURE * picture.devicePixelRatio(),
                                           Qt.AspectRatioMode.KeepAspectRatio,
                                           Qt.TransformationMode.SmoothTransformation))
            strip.addWidget(label)
        strip.addStretch(1)
        names = "\n".join(f"• {name}" for name in question.names)
        if question.more > 0:
            names += f"\n…and {_images(question.more)} more"
        self.names = QLabel(names)
        self.names.setTextFormat(Qt.TextFormat.PlainText)  # store text, never markup
        self.names.setAccessibleName("Images to delete")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.delete_button = buttons.addButton(question.accept_label,
                                               QDialogButtonBox.ButtonRole.DestructiveRole)
        self.delete_button.setDefault(True)
        self.delete_button.clicked.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addLayout(strip)
        layout.addWidget(self.names)
        layout.addWidget(buttons)
        # Enter confirms (the merchant pressed Delete on purpose; Undo is there for seconds).
        self.delete_button.setFocus()


def ask_with_dialog(parent: QWidget) -> Callable[[DeleteQuestion], bool]:
    def confirm(question: DeleteQuestion) -> bool:
        dialog = DeleteDialog(question, parent)
        try:
            return dialog.exec() == QDialog.DialogCode.Accepted
        finally:
            dialog.deleteLater()
    return confirm


@dataclass
class _HeldDelete:
    command: QUndoCommand
    op_ids: frozenset[int]
    what: str
    queued: bool = False  # the queue's state has shown it (so its absence means done)


class DeleteFlow(QObject):
    """Ask, delete through the editor, show the Undo bar, put focus on the next card."""

    def __init__(self, editor: ImageEditor, bar: UndoBar, parent: QWidget) -> None:
        super().__init__(parent)
        self._editor = editor
        self.bar = bar
        #: The one place the merchant is asked (tests put an answer here).
        self.confirm: Callable[[DeleteQuestion], bool] = ask_with_dialog(parent)
        #: The last question asked (what tests and screenshots look at).
        self.last_question: DeleteQuestion | None = None
        self._held: _HeldDelete | None = None
        bar.undoRequested.connect(self.undo)
        editor.undo_stack.indexChanged.connect(self._stack_moved)

    def question_for(self, rows: Sequence[ViewRow], keys: Sequence[RowKey],
                     pictures: Sequence[QPixmap]) -> DeleteQuestion:
        chosen = set(keys)
        doomed = [row for row in rows if row.key in chosen]
        return DeleteQuestion(len(doomed), len(doomed) == len(rows),
                              [image_name(row) for row in doomed[:SHOWN_NAMES]],
                              list(pictures[:SHOWN_PICTURES]))

    def delete(self, product_id: int, rows: Sequence[ViewRow], keys: Sequence[RowKey],
               pictures: Sequence[QPixmap]) -> bool:
        """Asks, then deletes the rows of `keys`. False when nothing was deleted."""
        edit = delete_edit(rows, keys)
        if edit is None:
            return False
        question = self.question_for(rows, keys, pictures)
        self.last_question = question
        if not self.confirm(question):
            return False
        if not self._editor.delete(product_id, edit):
            return False
        stack = self._editor.undo_stack
        command = stack.command(stack.index() - 1)
        self._held = _HeldDelete(command, frozenset(op.op_id for op in edit.ops),
                                 f"Deleted {_images(question.count)}.")
        self.bar.set_undo_reach(0)
        self.bar.show_held(self._held.what, image_editor.DELETE_HOLD_S,
                           "it" if question.count == 1 else "them")
        return True

    # ---- the Undo bar -------------------------------------------------------------------

    def _position(self) -> int | None:
        """Where the held delete is on the stack (None: gone, or undone already)."""
        held = self._held
        if held is None:
            return None
        stack = self._editor.undo_stack
        for index in range(stack.index()):
            if stack.command(index) is held.command:
                return index
        return None

    def undo(self) -> None:
        """The bar's Undo: the stack's Undo of that command (and of anything done after it,
        as the history view does)."""
        position = self._position()
        self.bar.dismiss()
        self._held = None
        if position is None:
            return
        stack = self._editor.undo_stack
        if position == stack.index() - 1:
            stack.undo()
        else:
            stack.setIndex(position)

    def _stack_moved(self, index: int) -> None:
        if self._held is None or not isValid(self._editor.undo_stack):
            return  # nothing to follow, or the stack is being torn down (its clear() says so)
        position = self._position()
        if position is None:
            self._held = None
            self.bar.dismiss()
        else:
            self.bar.set_undo_reach(index - 1 - position)

    def state_changed(self, state: ImageState) -> None:
        """The queue's news of the shown product: has the held delete been sent?"""
        held = self._held
        if held is None or self.bar.isHidden():
            return
        phases = {item.op.op_id: item.sync.phase for item in state.pending
                  if item.op.op_id in held.op_ids}
        if phases:
            held.queued = True
        if any(phase is Phase.FAILED for phase in phases.values()):
            self.bar.dismiss()  # the card says why, with Retry and Discard
        elif any(phase is Phase.SENDING for phase in phases.values()):
            self.bar.sending()
        elif not phases and held.queued and self._position() is not None:
            self.bar.sent(f"{held.what[:-1]} from the store.")


def next_key_after(rows: Sequence[ViewRow], doomed: Sequence[RowKey]) -> RowKey | None:
    """The card that takes focus after a delete: the next one that stays, after the first
    deleted card, else the last one before it."""
    gone = set(doomed)
    indexes = [n for n, row in enumerate(rows) if row.key in gone]
    if not indexes:
        return None
    after = next((row.key for row in rows[indexes[0] + 1:] if row.key not in gone), None)
    if after is not None:
        return after
    return next((row.key for row in reversed(rows[:indexes[0]]) if row.key not in gone), None)
