"""Every edit a merchant makes goes through here: onto the undo stack, into the write queue.

`ImageEditor` turns a verb (`app.services.edit_verbs`: alt text, thumbnail, move, delete, add)
into an `EditCommand` on one `QUndoStack` for the window (Ctrl+Z / Ctrl+Shift+Z, "Undo Move 3
images", the history view). The command's first redo queues the edit's operations (the grid shows
them at once, through the queue's state); its undo asks the queue to take them back: a change
still waiting is withdrawn and never reaches the store, one already sent is undone by its inverse
(`WriteQueue.undo`); a redo queues the operations again under fresh op ids.

The stack spans products: undoing an edit of a product that is not on screen undoes it there.
"""

from __future__ import annotations


from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from app.cache.operations import Operation
from app.services.edit_verbs import Edit, KeyAliases, fresh, rekeyed
from app.services.write_queue import WriteQueue

#: Seconds a delete waits before it is sent, while its Undo bar shows.
DELETE_HOLD_S = 5.0


class EditCommand(QUndoCommand):
    """One edit of one product. Holds the operations as last queued, so that an undo names
    exactly what the queue has (and can withdraw it when it is still waiting)."""

    def __init__(self, editor: ImageEditor, product_id: int, edit: Edit,
                 hold_s: float = 0.0) -> None:
        super().__init__(edit.label)
        self._editor = editor
        self.product_id = product_id
        self.edit = edit
        self._hold_s = hold_s
        self._queued: list[Operation] = list(edit.ops)
        self._first = True

    def redo(self) -> None:
        aliases = self._editor.aliases
        if not self._first:
            ops, renamed = rekeyed([aliases.op(op) for op in self.edit.ops])
            for old, new in renamed.items():
                aliases.add(old, new)
            self._queued = [fresh(op) for op in ops]
        for op in self._queued:
            self._editor.queue.submit(self.product_id, op, hold_s=self._hold_s)
        self._first = False
        self._hold_s = 0.0  # a redo is deliberate: no second grace period

    def undo(self) -> None:
        aliases = self._editor.aliases
        steps = []
        renames = {}
        for op, step in zip(self._queued, self.edit.steps):
            inverse, renamed = rekeyed([aliases.op(each) for each in step.inverse])
            steps.append((op, inverse))
            restores = tuple((old, renamed.get(aliases.resolve(new), new))
                             for old, new in step.restores)
            if restores:
                renames[op.op_id] = restores
            self._editor.expect_inverse(op.op_id, restores, step.inverse_note)
        # The queue learns the copies' keys in order, before any op queued after this undo
        # (the window's own aliases follow when the queue says which ops were inverted).
        self._editor.queue.undo(self.product_id, steps, renames)


class ImageEditor(QObject):
    """The verbs' one door to the queue, and the window's undo stack."""

    #: Something the merchant should know after an undo (a deleted image came back as a copy).
    notice = Signal(str)

    def __init__(self, queue: WriteQueue, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.queue = queue
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(500)
        self.aliases = KeyAliases()
        self._expected: dict[int, tuple[tuple[tuple[str, str], ...], str]] = {}
        queue.undoneBySending.connect(self._undone_by_sending)

    def apply(self, product_id: int, edit: Edit | None, *, hold_s: float = 0.0) -> bool:
        """Queues `edit` as one undoable step. None (a verb with nothing to do) is ignored."""
        if edit is None:
            return False
        self.undo_stack.push(EditCommand(self, product_id, edit, hold_s))
        return True

    def delete(self, product_id: int, edit: Edit | None) -> bool:
        """A delete waits `DELETE_HOLD_S` before it is sent (the Undo bar's seconds)."""
        return self.apply(product_id, edit, hold_s=DELETE_HOLD_S)

    # ---- what an undo by inverse changes -------------------------------------------------

    def expect_inverse(self, op_id: int, restores: tuple[tuple[str, str], ...],
                       note: str) -> None:
        if restores or note:
            self._expected[op_id] = (restores, note)

    def _undone_by_sending(self, product_id: int, op_ids: list[int]) -> None:
        notes: list[str] = []
        for op_id in op_ids:
            restores, note = self._expected.pop(op_id, ((), ""))
            for old, new in restores:
                # From what stands for the old row now (a copy an earlier Undo made).
                self.aliases.add(self.aliases.resolve(old), new)
            if note and note not in notes:
                notes.append(note)
        for note in notes:
            self.notice.emit(note)


