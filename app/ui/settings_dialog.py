"""Edit ▸ Settings…: the picture cache's size limit, what the cache holds, and Clear cache.

Everything that touches the disk (measuring the cache, clearing it, trimming it to a lower
limit, writing the settings file) runs on the runner the window passes in, never on the GUI
thread; the dialog only shows the answers. The runner is the window's, not the dialog's, so
a trim started by OK finishes after the dialog has closed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout,
                               QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout,
                               QWidget)

from app.cache.blob_cache import BlobCache, CacheUsage
from app.services.sizes import describe_bytes
from app.services.tasks import Task, TaskRunner
from app.settings import GB, MAX_CACHE_BYTES, MIN_CACHE_BYTES, AppSettings, clamp_cache_bytes

log = logging.getLogger(__name__)


def usage_text(usage: CacheUsage) -> str:
    """"1.2 GB in 3,456 pictures, of which 300 MB (120 pictures) kept for offline products"."""
    if not usage.files:
        return "Empty: pictures are downloaded as they are shown."
    pictures = f"{usage.files:,} picture{'s' if usage.files != 1 else ''}"
    text = f"{describe_bytes(usage.total_bytes)} in {pictures}"
    if usage.pinned_files:
        kept = f"{usage.pinned_files:,} picture{'s' if usage.pinned_files != 1 else ''}"
        text += (f", of which {describe_bytes(usage.pinned_bytes)} ({kept}) kept for products "
                 "available offline")
    return text + "."


def _confirm(parent: QWidget, title: str, text: str, action: str) -> bool:
    box = QMessageBox(QMessageBox.Icon.Question, title, text,
                      QMessageBox.StandardButton.Cancel, parent)
    yes = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is yes


class SettingsDialog(QDialog):
    #: A new usage was measured (after opening, clearing or trimming).
    usageMeasured = Signal(object)   # CacheUsage
    #: Something on disk failed (the message is the merchant's).
    problem = Signal(str)

    def __init__(self, settings: AppSettings, cache: BlobCache | None, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.settings = settings
        self.cache = cache
        self.runner = runner
        self.usage: CacheUsage | None = None
        #: Measuring and clearing: their answers are dropped once the dialog is closed.
        self._tasks: list[Task] = []
        self._closed = False
        #: The confirmation of Clear cache (a test replaces it: no modal box in tests).
        self.ask: Callable[[str, str, str], bool] = \
            lambda title, text, action: _confirm(self, title, text, action)

        form = QFormLayout()
        self.limit_box = QDoubleSpinBox()
        self.limit_box.setRange(MIN_CACHE_BYTES / GB, MAX_CACHE_BYTES / GB)
        self.limit_box.setDecimals(2)
        self.limit_box.setSingleStep(0.5)
        self.limit_box.setSuffix(" GB")
        self.limit_box.setValue(settings.cache_max_bytes / GB)
        self.limit_box.setAccessibleName("Picture cache size limit in gigabytes")
        self.limit_box.setToolTip("The least recently shown pictures are deleted beyond it; "
                                  "products available offline always keep theirs.")
        form.addRow("Picture cache &limit:", self.limit_box)
        self.usage_label = QLabel("Measuring…")
        self.usage_label.setTextFormat(Qt.TextFormat.PlainText)
        self.usage_label.setWordWrap(True)
        self.usage_label.setAccessibleName("What the picture cache holds")
        self.usage_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("In the cache:", self.usage_label)
        clear_row = QHBoxLayout()
        self.clear_button = QPushButton("&Clear cache…")
        self.clear_button.setToolTip("Delete the pictures kept on this computer; products "
                                     "available offline keep theirs.")
        self.clear_button.clicked.connect(self.clear_cache)
        clear_row.addWidget(self.clear_button)
        clear_row.addStretch(1)
        form.addRow("", clear_row)
        self.message_label = QLabel("")
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        self.message_label.setWordWrap(True)
        self.message_label.setVisible(False)
        self.problem.connect(self._show_problem)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                   QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message_label)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
        if cache is None:
            self.usage_label.setText("No picture cache: pictures are downloaded each time.")
            self.clear_button.setEnabled(False)
            self.limit_box.setEnabled(False)
        else:
            self.measure()

    # ---- the cache ----------------------------------------------------------------------

    def measure(self) -> None:
        cache = self.cache
        if cache is None:
            return
        self._tasks.append(self.runner.submit(
            "cache-usage", cache.usage, on_success=self._measured,
            on_failure=lambda error: self.problem.emit(
                f"What the cache holds could not be read: {error}")))

    def _measured(self, usage: CacheUsage) -> None:
        self.usage = usage
        self.usage_label.setText(usage_text(usage))
        self.adjustSize()  # a longer text wraps onto more lines
        self.usageMeasured.emit(usage)

    def clear_cache(self) -> None:
        cache = self.cache
        if cache is None:
            return
        held = f" ({describe_bytes(self.usage.total_bytes)})" if self.usage else ""
        if not self.ask("Clear the picture cache",
                        f"Delete the pictures kept on this computer{held}? Products kept "
                        "available offline stay: their pictures are not deleted. Other "
                        "pictures are downloaded again when they are shown.", "Clear cache"):
            return
        self.clear_button.setEnabled(False)
        self.usage_label.setText("Clearing…")

        def cleared(_freed: int) -> None:
            self.clear_button.setEnabled(True)
            self.measure()

        def failed(error: Exception) -> None:
            self.clear_button.setEnabled(True)
            self.problem.emit(f"The cache could not be cleared completely: {error}. "
                              "Close other windows of the app, then try again.")
            self.measure()

        # Not cancelled by closing the dialog (a clear asked for is done), only not shown.
        self.runner.submit("clear-cache", lambda: cache.clear(keep_pinned=True),
                           on_success=lambda freed: None if self._closed else cleared(freed),
                           on_failure=lambda error: None if self._closed else failed(error))

    def _show_problem(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.setStyleSheet("color: #d93025;")
        self.message_label.setVisible(True)

    def done(self, result: int) -> None:
        self._closed = True
        for task in self._tasks:
            task.cancel()  # a clear under way finishes; only its answer is not shown
        self._tasks.clear()
        super().done(result)

    # ---- OK -----------------------------------------------------------------------------

    def chosen_cache_bytes(self) -> int:
        return clamp_cache_bytes(round(self.limit_box.value() * GB))

    def accept(self) -> None:
        """Keeps the new limit: in memory at once, in the file and (when lower than what the
        cache holds) as a trim on the runner."""
        self.apply(self.settings, self.cache, self.runner, self.chosen_cache_bytes())
        super().accept()

    @staticmethod
    def apply(settings: AppSettings, cache: BlobCache | None, runner: TaskRunner,
              max_bytes: int) -> None:
        changed = max_bytes != settings.cache_max_bytes
        settings.cache_max_bytes = max_bytes
        if cache is not None:
            cache.max_bytes = settings.cache_max_bytes
            # `trim` does nothing when the cache fits: no usage needed to decide.
            runner.submit("trim-cache", cache.trim, on_failure=lambda error: log.warning(
                "cache not trimmed to the new limit: %s", error))
        if changed:
            runner.submit("save-settings", settings.save, on_failure=lambda error: log.warning(
                "settings not saved: %s", error))


def open_settings(parent: QWidget, settings: AppSettings, cache: BlobCache | None,
                  runner: TaskRunner) -> SettingsDialog:
    """Shows the dialog (window-modal) and returns it; it deletes itself when closed."""
    dialog = SettingsDialog(settings, cache, runner, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.open()
    return dialog
