"""A merchant's walk through the editing verbs, grabbing the window at each interesting moment.

Not a test: run under xvfb and look at the pictures.
  PYTHONPATH=$PWD xvfb-run -a -s "-screen 0 1280x800x24" python tests/support/walkthrough.py
"""

from __future__ import annotations

import sys
import tempfile
import traceback
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMenu, QWidget

from app.store_emulator import Faults
from app.ui import image_editor
from tests.support.image_verbs import drag_over, gutter_before, leave, select_rows
from tests.support.state_gallery.runner import first_run_folders, make_window
from tests.support.state_gallery.stage import EmulatorPool, Stage

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/walkthrough")
PRODUCT = int(sys.argv[2]) if len(sys.argv) > 2 else 2
KEY = Qt.KeyboardModifier


def activate(window: QWidget) -> None:
    """Xvfb has no window manager: after a modal dialog nothing re-activates the window, so
    shortcuts would go nowhere. A real desktop does this itself."""
    if QApplication.activeWindow() is not window:
        window.activateWindow()
        QTest.qWaitForWindowActive(window)


def wait(ms: int = 150) -> None:
    QApplication.processEvents()
    QTest.qWait(ms)
    QApplication.processEvents()


class Walk:
    def __init__(self, stage: Stage) -> None:
        self.stage = stage
        self.window = stage.window

    def shot(self, name: str, widget: QWidget | None = None) -> None:
        wait(120)
        path = OUT / f"{name}.png"
        (widget or self.window).grab().save(str(path))
        print("shot", path, flush=True)

    def when_dialog(self, kind: type, then) -> None:  # type: ignore[no-untyped-def]
        """Runs `then(dialog)` once a visible top-level `kind` appears (modal exec waits)."""
        def poll() -> None:
            for widget in QApplication.topLevelWidgets():
                if isinstance(widget, kind) and widget.isVisible():
                    wait(100)
                    then(widget)
                    return
            QTimer.singleShot(50, poll)
        QTimer.singleShot(50, poll)

    def key(self, widget: QWidget, key: Qt.Key, mods=KEY.NoModifier) -> None:  # type: ignore[no-untyped-def]
        activate(self.window)
        widget.setFocus()
        QTest.keyClick(widget, key, mods)
        wait(150)

    def run(self) -> None:
        stage = self.stage
        page = stage.open_product_and_settle(PRODUCT)
        grid = page.grid
        grid.setFocus()
        emulator = stage.demo()
        print("rows", page.image_model.rowCount())
        steps = [self.delete, self.reorder, self.thumbnail, self.alt_text, self.batch,
                 self.undo_menu, self.failed, self.refused, self.offline]
        steps = steps[:int(__import__("os").environ.get("STEPS", "99"))]
        for step in steps:
            try:
                step(page, emulator)
            except Exception:  # noqa: BLE001 - one step's failure must not end the walk
                traceback.print_exc()
            stage.emulators.reset()

    # 1
    def delete(self, page, emulator) -> None:  # type: ignore[no-untyped-def]
        from app.ui.delete_flow import DeleteDialog
        image_editor.DELETE_HOLD_S = 5.0
        select_rows(page, [1, 3, 4])
        page.grid.setFocus()

        def confirm(dialog: QDialog) -> None:
            self.shot("01a-delete-dialog", dialog)
            self.shot("01b-delete-dialog-over-window")
            print("delete dialog size", dialog.size(), "focus", QApplication.focusWidget())
            dialog.delete_button.click()
        self.when_dialog(DeleteDialog, confirm)
        self.key(page.grid, Qt.Key.Key_Delete)
        wait(300)
        self.shot("01c-undo-bar")
        # Let it go (wait the hold out) so later steps work on a settled product.
        self.stage.wait_until(lambda: page.session.queue.counts() == (0, 0, 0), "delete sent")

    # 2
    def reorder(self, page, emulator) -> None:  # type: ignore[no-untyped-def]
        grid = page.grid
        select_rows(page, [2])
        grid.setFocus()
        try:
            from app.ui.grid_drag import mime_for
            from app.ui.image_model import ImageRoles
            key = page.image_model.index(2).data(ImageRoles.RowKey)
            mime = mime_for(page.image_model.product_id, [key])
            drag_over(page, mime, [gutter_before(page, 2), gutter_before(page, 5)])
            self.shot("02a-mid-drag")
            leave(page)
        except Exception:  # noqa: BLE001
            traceback.print_exc()
        select_rows(page, [2, 6])
        grid.setFocus()
        wait(100)
        print("move_right enabled", page.verbs.move_right_action.isEnabled(),
              "focus", QApplication.focusWidget(), "active", QApplication.activeWindow())
        self.key(grid, Qt.Key.Key_Right, KEY.ControlModifier | KEY.ShiftModifier)
        wait(100)
        print("after key: undo =", self.window.undo_action.text())
        self.shot("02b-after-move-right")
        select_rows(page, [5])
        self.key(grid, Qt.Key.Key_Home, KEY.ControlModifier | KEY.ShiftModifier)
        self.shot("02c-after-make-first")

    # 3
    def thumbnail(self, page, emulator) -> None:  # type: ignore[no-untyped-def]
        select_rows(page, [3])
        page.grid.setFocus()
        self.key(page.grid, Qt.Key.Key_T, KEY.ControlModifier)
        self.shot("03-thumbnail-star-moved")

    # 4
    def alt_text(self, page, emulator) -> None:  # type: ignore[no-untyped-def]
        select_rows(page, [1])
        page.grid.setFocus()
        self.key(page.grid, Qt.Key.Key_F2)
        wait(200)
        editor = QApplication.focusWidget()
        print("alt editor focus:", type(editor).__name__)
        if editor is not None:
            QTest.keyClicks(editor, " - red enamel, front view")
        self.shot("04a-alt-text-in-place")
        if editor is not None:
            QTest.keyClick(editor, Qt.Key.Key_Return)
        wait(200)
        self.shot("04b-details-pane-alt-text", page.details)
        self.shot("04c-after-alt-edit")

    # 5
    def batch(self, page, emulator) -> None:  # type: ignore[no-untyped-def]
        select_rows(page, [0, 1, 2])
        dialog = page.open_batch_alt_text()
        wait(300)
        if dialog is not None:
            dialog.template.setText("{product} – photo {position}")
            wait(300)
            self.shot("05a-batch-dialog", dialog)
            self.shot("05b-batch-over-window")
            print("batch dialog size", dialog.size())
            dialog.reject()

    # 6
    def undo_menu(self, page, emulator) -> None:  # type: ignore[no-untyped-def]
        window = self.window
        menu = window.edit_menu
        bar = window.menuBar()
        rect = bar.actionGeometry(menu.menuAction())
        QTimer.singleShot(400, lambda: (self.shot("06a-edit-menu"),
                                        self.shot("06b-edit-menu-alone", menu), menu.close()))
        QTest.mouseClick(bar, Qt.MouseButton.LeftButton, KEY.NoModifier, rect.center())
        wait(600)
        print("undo text:", window.undo_action.text(), "| redo:", window.redo_action.text())
        window.history_action.trigger()
        wait(300)
        self.shot("06c-undo-history")
        window.history_action.trigger()

    # 7
    def failed(self, page, emulator) -> None:  # type: ignore[no-untyped-def]
        emulator.faults = Faults(error_rate=1.0, only_methods=frozenset({"PUT"}))
        select_rows(page, [4])
        page.grid.setFocus()
        self.key(page.grid, Qt.Key.Key_T, KEY.ControlModifier)
        self.stage.wait_until(lambda: page.session.queue.counts()[2] >= 1, "a failed change",
                              60)
        wait(300)
        self.shot("07a-failed-card")
        index = page.image_model.index(4)
        rect = page.grid.visualRect(index)
        point = page.grid.viewport().mapToGlobal(rect.center())

        def grab_menu() -> None:
            for widget in QApplication.topLevelWidgets():
                if isinstance(widget, QMenu) and widget.isVisible():
                    self.shot("07b-failed-context-menu")
                    self.shot("07c-context-menu-alone", widget)
                    print("menu:", [a.text() for a in widget.actions()])
                    discard = [a for a in widget.actions() if a.text().startswith("Discard")]
                    widget.close()
                    if discard:
                        discard[0].trigger()
        QTimer.singleShot(400, grab_menu)
        page.grid.show_context_menu(index, point)
        wait(700)
        emulator.faults = Faults()

    # 8
    def refused(self, page, emulator) -> None:  # type: ignore[no-untyped-def]
        folder = Path(tempfile.mkdtemp())
        heic = folder / "photo.heic"
        heic.write_text("not really a picture")
        big = folder / "huge.jpg"
        big.write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * (9 * 1024 * 1024))
        QFileDialog.getOpenFileNames = staticmethod(  # type: ignore[method-assign]
            lambda *a, **k: ([str(heic), str(big)], ""))
        page.add_images_action.trigger()
        wait(300)
        self.shot("08a-checking-files")

        def dialogs() -> list[QDialog]:
            return [w for w in QApplication.topLevelWidgets()
                    if isinstance(w, QDialog) and w.isVisible()]
        self.stage.wait_until(dialogs, "the refusal", 30)
        for widget in dialogs():
            self.shot("08b-refused-over-window")
            self.shot("08c-refused-dialog", widget)
            print("refusal:", widget.windowTitle(), widget.size())
            widget.reject()
        wait(300)
        self.shot("08d-after")

    # 9
    def offline(self, page, emulator) -> None:  # type: ignore[no-untyped-def]
        window = self.window
        window.offline_action.trigger()
        wait(800)
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible():
                self.shot("09x-offline-dialog", widget)
                print("offline dialog", widget.windowTitle())
        select_rows(page, [2])
        page.grid.setFocus()
        self.key(page.grid, Qt.Key.Key_T, KEY.ControlModifier)
        select_rows(page, [3])
        self.key(page.grid, Qt.Key.Key_Right, KEY.ControlModifier | KEY.ShiftModifier)
        wait(300)
        window.pending_action.trigger()
        wait(500)
        self.shot("09a-pending-dock-offline")
        print("counts offline:", page.session.queue.counts())


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    pool = EmulatorPool()
    folder = tempfile.mkdtemp(prefix="pim-walk-")
    config_dir, cache_dir = first_run_folders(Path(folder))
    window = make_window(config_dir, cache_dir)
    window.ask = lambda *a: True  # type: ignore[method-assign]
    try:
        window.resize(QSize(1200, 760))
        window.show()
        QTest.qWaitForWindowExposed(window)
        window.activateWindow()
        print("active:", QTest.qWaitForWindowActive(window))
        Walk(Stage(window, pool)).run()
    finally:
        window.hide()
        pool.stop_all()
    del app
    import os
    os._exit(0)


if __name__ == "__main__":
    main()
