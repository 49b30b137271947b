"""The write queue behind the store page: a change shows on its card at once with a sync
mark, the status bar counts it, it reaches the store, and the grid is never reset."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QRect, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from app.api import StoreClient
from app.api.models import ProductImage
from app.store_emulator import Faults
from app.services.image_state import (Badge, FieldChanges, ImageState, UpdateFields,
                                      image_row_key, next_op_id)
from app.ui.card_delegate import ERROR, CardDelegate
from app.ui.image_model import ImageListModel, ImageRoles
from app.ui.status_bar import StoreStatusBar
from tests.ui.conftest import oauth_for


def test_a_queued_edit_shows_at_once_is_counted_and_reaches_the_store(
        qtbot: QtBot, emulator, open_store, tmp_path: Path) -> None:
    page = open_store(emulator, 1)
    queue = page.session.queue
    assert queue is not None
    model = page.image_model
    qtbot.waitUntil(lambda: model.rowCount() > 1, timeout=15000)
    status = page.window().status
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    badges: list[Badge] = []
    model.dataChanged.connect(lambda top, _b, _r: badges.append(top.data(ImageRoles.SyncBadge)))
    shown: list[str] = []
    queue.countsChanged.connect(lambda *_: shown.append(status.changes_label.text()))
    image: ProductImage = model.image_at(1)

    queue.submit(1, UpdateFields(op_id=next_op_id(), row_key=image_row_key(image.id),
                                 changes=FieldChanges(description="Tote bag, back view"),
                                 based_on=image))
    qtbot.waitUntil(lambda: model.index(1).data(ImageRoles.Image).description
                    == "Tote bag, back view", timeout=5000)

    client = StoreClient(oauth_for(emulator))
    try:
        qtbot.waitUntil(lambda: client.get_image(1, image.id).description
                        == "Tote bag, back view", timeout=15000)
    finally:
        client.close()
    qtbot.waitUntil(lambda: model.index(1).data(ImageRoles.SyncBadge) is Badge.NONE
                    and not status.changes_label.isVisible(), timeout=15000)
    assert {Badge.WAITING, Badge.SENDING} & set(badges)   # the card said so meanwhile
    assert "1 change sending" in shown
    assert not resets
    assert model.index(1).data(ImageRoles.ImageId) == image.id
    assert (tmp_path / "journal").is_dir()  # beside the test's cache, not the merchant's


def test_closing_the_session_shuts_the_queue_and_its_journal(qtbot: QtBot, emulator,
                                                             open_store) -> None:
    page = open_store(emulator, 1)
    queue = page.session.queue
    page.window().close()
    qtbot.waitUntil(queue.journal_closed, timeout=5000)


def test_the_status_bar_counts_changes_in_plain_words(qtbot: QtBot) -> None:
    status = StoreStatusBar()
    qtbot.addWidget(status)
    status.show()
    status.set_changes(2, 1, 0)
    assert status.changes_label.text() == "2 changes waiting, 1 sending"
    status.set_changes(0, 3, 0)
    assert status.changes_label.text() == "3 changes sending"
    status.set_changes(0, 0, 1)
    assert status.changes_label.text() == "1 change failed"
    status.set_changes(1, 0, 2)
    assert status.changes_label.text() == "2 changes failed, 1 waiting"
    status.set_changes(0, 0, 0)
    assert not status.changes_label.isVisible()


def test_a_failed_change_marks_its_card_apart_from_pill_and_star(qapp) -> None:
    model = ImageListModel()
    model.picture_size = QSize(110, 143)
    image = ProductImage(id=5, product_id=1, is_thumbnail=True, description="Mug")
    state = ImageState.from_server(1, [image])
    op = UpdateFields(op_id=next_op_id(), row_key=image_row_key(5),
                      changes=FieldChanges(description="Mug, side"), based_on=image)
    model.apply_state(state.add(op).failed(op.op_id, "The store refused the change."))
    index = model.index(0)
    assert "The store refused the change." in index.data(Qt.ItemDataRole.ToolTipRole)

    delegate = CardDelegate()
    geometry = delegate.geometry()
    size = geometry.size + QSize(16, 16)
    target = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    target.fill(QColor("#ececec"))
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, size.width(), size.height())
    option.state = QStyle.StateFlag.State_Enabled
    painter = QPainter(target)
    delegate.paint(painter, option, index)
    painter.end()

    picture = geometry.picture_rect(delegate.card_rect(option.rect))
    mark = geometry.sync_rect(picture)
    assert not mark.intersects(geometry.star_rect(picture))
    pill = geometry.pill_rect(picture, 20)
    assert pill is None or not mark.intersects(pill)
    inside = mark.center().toPoint() + (mark.topRight().toPoint() - mark.topLeft().toPoint()) / 4
    assert target.pixelColor(inside) == ERROR


def test_a_journal_that_cannot_be_opened_is_said_above_the_grid(qtbot: QtBot, emulator,
                                                                open_store) -> None:
    # Another window of this app holds the journal: the second one says so, in the queue's
    # words, where the merchant looks (the grid), instead of dropping edits silently.
    first = open_store(emulator, 1)
    second = open_store(emulator, 1)
    assert first.session.queue is not None and second.session.queue is not None
    banner = second.changes_banner
    qtbot.waitUntil(banner.isVisible, timeout=10000)
    assert "already running" in banner.text and first.changes_banner.isHidden()
    # Changes cannot be kept in the second window, so it offers none: no alt-text editor.
    second.grid.selectionModel().select(second.image_model.index(0),
                                        QItemSelectionModel.SelectionFlag.ClearAndSelect)
    qtbot.waitUntil(lambda: second.details.image is not None, timeout=5000)
    assert not second.details.alt_editor.isVisibleTo(second)
    first.grid.selectionModel().select(first.image_model.index(0),
                                       QItemSelectionModel.SelectionFlag.ClearAndSelect)
    qtbot.waitUntil(lambda: first.details.alt_editor.isVisibleTo(first), timeout=5000)
    qtbot.mouseClick(banner.action_button, Qt.MouseButton.LeftButton)
    assert banner.isHidden()


def test_a_failed_change_offers_retry_and_discard_on_its_card_menu(
        qtbot: QtBot, emulator, open_store) -> None:
    page = open_store(emulator, 1)
    queue = page.session.queue
    assert queue is not None
    model = page.image_model
    qtbot.waitUntil(lambda: model.rowCount() > 2, timeout=15000)
    emulator.faults = Faults(error_rate=1.0, only_methods=frozenset({"PUT"}))
    first, second = model.image_at(1), model.image_at(2)
    for image, text in ((first, "Tote bag, back view"), (second, "Tote bag, in the box")):
        queue.submit(1, UpdateFields(op_id=next_op_id(), row_key=image_row_key(image.id),
                                     changes=FieldChanges(description=text), based_on=image))
    qtbot.waitUntil(lambda: all(model.index(row).data(ImageRoles.SyncBadge) is Badge.FAILED
                                for row in (1, 2)), timeout=30000)

    def menu_for(row: int):  # type: ignore[no-untyped-def]
        return page.grid.context_menu.build([model.image_at(row)], page)

    def action(menu, start: str):  # type: ignore[no-untyped-def]
        return next(a for a in menu.actions() if a.text().startswith(start))

    assert not any(a.text().startswith("Retry") for a in menu_for(0).actions())  # no change
    emulator.faults = Faults()
    action(menu_for(1), "Retry").trigger()
    client = StoreClient(oauth_for(emulator))
    try:
        qtbot.waitUntil(lambda: client.get_image(1, first.id).description
                        == "Tote bag, back view", timeout=15000)
        action(menu_for(2), "Discard").trigger()
        qtbot.waitUntil(lambda: model.index(2).data(ImageRoles.SyncBadge) is Badge.NONE,
                        timeout=5000)
        assert model.image_at(2).description == second.description   # as the store has it
        assert client.get_image(1, second.id).description == second.description
    finally:
        client.close()


def test_closing_asks_only_when_a_change_failed(qtbot: QtBot, emulator, open_store,
                                                monkeypatch) -> None:
    page = open_store(emulator, 1)
    window, queue, model = page.window(), page.session.queue, page.image_model
    assert queue is not None
    qtbot.waitUntil(lambda: model.rowCount() > 1, timeout=15000)
    asked: list[str] = []

    def answer(no: bool):  # type: ignore[no-untyped-def]
        def ask(title: str, text: str, _button: object) -> bool:
            asked.append(text)
            return not no
        return ask

    monkeypatch.setattr(window, "ask", answer(no=True))
    emulator.faults = Faults(error_rate=1.0, only_methods=frozenset({"PUT"}))
    image = model.image_at(1)
    queue.submit(1, UpdateFields(op_id=next_op_id(), row_key=image_row_key(image.id),
                                 changes=FieldChanges(description="Tote bag"), based_on=image))
    qtbot.waitUntil(lambda: queue.failed_count() == 1, timeout=30000)
    window.close()
    assert window.isVisible() and len(asked) == 1 and "1 change could not be sent" in asked[0]
    monkeypatch.setattr(window, "ask", answer(no=False))
    window.close()
    assert not window.isVisible() and len(asked) == 2
