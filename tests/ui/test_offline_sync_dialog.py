"""File › Make available offline…: scope, estimate, Start, then progress with Pause, Resume
and Cancel, by keyboard; the product list then says which products are kept offline."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.services.store_sync import SyncJob, SyncScope, job_path, save_job
from app.ui.offline_sync_dialog import OfflineSyncDialog, open_offline_sync
from app.ui.store_page import StorePage
from app.store_emulator import StoreEmulator
from tests.support.emulator_fixtures import EmulatorFactory


def _dialog(page: StorePage) -> OfflineSyncDialog:
    window = page.window()
    window.sync_action.trigger()
    dialog = window.findChild(OfflineSyncDialog)
    assert isinstance(dialog, OfflineSyncDialog) and dialog.isVisible()
    return dialog


def test_the_selected_product_is_estimated_kept_and_shown_as_offline(
        qtbot: QtBot, emulator: StoreEmulator,
        open_store: Callable[..., StorePage]) -> None:
    page = open_store(emulator, 3)   # one image
    qtbot.waitUntil(lambda: page.current_product is not None, timeout=10000)
    assert page.window().sync_action.isVisible()
    dialog = _dialog(page)
    assert dialog.selected_choice.isChecked()
    assert "(Wool Beanie)" in dialog.selected_choice.text() or \
        page.current_product.name in dialog.selected_choice.text()  # type: ignore[union-attr]
    assert not dialog.search_choice.isEnabled()   # no search
    qtbot.waitUntil(lambda: "1 picture: about" in dialog.estimate_label.text(), timeout=10000)
    assert dialog.estimate_label.text().startswith("The selected product: 1 product")

    qtbot.keyClick(dialog, Qt.Key.Key_Return)   # Start is the default button
    qtbot.waitUntil(lambda: "Done: 1 product available offline." in
                    dialog.progress_label.text(), timeout=15000)
    assert dialog.start_button.isVisible() and not dialog.pause_button.isVisible()

    model = page.product_model
    row = model.row_of(3)
    assert row is not None
    qtbot.waitUntil(lambda: "offline, synced just now" in
                    model.data(model.index(row), Qt.ItemDataRole.DisplayRole), timeout=5000)
    other = model.row_of(1)
    assert other is not None
    assert "offline" not in model.data(model.index(other), Qt.ItemDataRole.DisplayRole)


def test_the_whole_store_pauses_resumes_and_cancels(
        qtbot: QtBot, emulator_factory: EmulatorFactory,
        open_store: Callable[..., StorePage]) -> None:
    emulator = emulator_factory(catalog="demo", rate_limit_quota=4, rate_limit_window_ms=1000)
    page = open_store(emulator, 3)
    dialog = _dialog(page)
    dialog.store_choice.setFocus()
    qtbot.keyClick(dialog.store_choice, Qt.Key.Key_Space)
    assert dialog.store_choice.isChecked()
    qtbot.waitUntil(lambda: "The whole store: 24 products" in dialog.estimate_label.text(),
                    timeout=15000)
    dialog.start_button.click()
    assert dialog.pause_button.isVisible() and dialog.cancel_sync_button.isVisible()
    assert not dialog.store_choice.isEnabled()   # the scope is fixed while it runs
    qtbot.waitUntil(lambda: "of 24 products" in dialog.progress_label.text(), timeout=20000)

    qtbot.keyClick(dialog.pause_button, Qt.Key.Key_Space)
    assert dialog.pause_button.text() == "&Resume"
    assert dialog.progress_label.text().endswith("(paused)")
    qtbot.keyClick(dialog.pause_button, Qt.Key.Key_Space)
    assert dialog.pause_button.text() == "&Pause"

    dialog.cancel_sync_button.click()
    qtbot.waitUntil(lambda: dialog.progress_label.text().startswith("Stopped."), timeout=20000)
    assert "available offline" in dialog.progress_label.text()
    assert dialog.start_button.isVisible() and dialog.store_choice.isEnabled()


def test_a_closed_dialog_leaves_the_sync_running_and_a_new_one_shows_it(
        qtbot: QtBot, emulator_factory: EmulatorFactory,
        open_store: Callable[..., StorePage]) -> None:
    emulator = emulator_factory(catalog="demo", rate_limit_quota=4, rate_limit_window_ms=1000)
    page = open_store(emulator, 3)
    dialog = _dialog(page)
    dialog.store_choice.setChecked(True)
    dialog.start_button.click()
    dialog.close()
    qtbot.waitUntil(lambda: page.window().findChild(OfflineSyncDialog) is None, timeout=5000)
    again = open_offline_sync(page.window())  # type: ignore[arg-type]
    assert again is not None
    assert again.pause_button.isVisible() and not again.start_button.isVisible()
    again.cancel_sync_button.click()
    qtbot.waitUntil(lambda: again.progress_label.text().startswith("Stopped."), timeout=20000)


def test_a_sync_stopped_by_a_quit_is_offered_again_and_carries_on(
        qtbot: QtBot, emulator: StoreEmulator,
        open_store: Callable[..., StorePage]) -> None:
    page = open_store(emulator, 3)
    window = page.window()
    store = page.session.store.credentials.store_id
    job = SyncJob(store, SyncScope(product_ids=(2, 3, 4)), done={2})
    save_job(job_path(window.saved_copy_dir, store), job)
    dialog = _dialog(page)
    qtbot.waitUntil(dialog.resume_job_button.isVisible, timeout=5000)
    assert "stopped before it finished (1 of 3 products done)" in dialog.pending_label.text()
    dialog.resume_job_button.click()
    qtbot.waitUntil(lambda: "Done: 3 products available offline." in
                    dialog.progress_label.text(), timeout=20000)
    # Done before the quit: product 2 is not listed again (the dialog's size estimate may
    # still sample its first image, with limit=1, whenever the dialog opens).
    assert not any(request.path.endswith("/products/2/images") and "limit=1&" not in
                   f"{request.query}&" for request in emulator.requests())
    model = page.product_model
    qtbot.waitUntil(lambda: "offline" in model.data(model.index(model.row_of(4) or 0),
                                                    Qt.ItemDataRole.DisplayRole), timeout=5000)
