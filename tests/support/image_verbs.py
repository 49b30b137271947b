"""Helpers of the image-verb tests: what the store has, what the grid shows, drags as events.

A real QDrag runs a nested event loop until a real pointer drops it, so tests send the drag's
events themselves (enter, move, drop) with the very mime data the grid's drag carries.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.api import StoreClient
from app.services.image_state import display_order
from app.ui.image_model import ImageRoles
from app.ui.store_page import StorePage
from tests.ui.conftest import oauth_for


def store_images(emulator, product_id: int) -> list:  # type: ignore[no-untyped-def]
    """The product's images as the storefront orders them, read over HTTP."""
    client = StoreClient(oauth_for(emulator))
    try:
        return display_order(client.all_images(product_id))
    finally:
        client.close()


def store_order(emulator, product_id: int) -> list[int]:  # type: ignore[no-untyped-def]
    return [image.id for image in store_images(emulator, product_id)]


def shown_ids(page: StorePage) -> list[int]:
    model = page.image_model
    return [model.index(row).data(ImageRoles.ImageId) for row in range(model.rowCount())]


def shown_keys(page: StorePage) -> list[str]:
    model = page.image_model
    return [model.index(row).data(ImageRoles.RowKey) for row in range(model.rowCount())]


def select_rows(page: StorePage, rows: list[int]) -> None:
    """Selects these cards (current: the first), as Ctrl+clicks would."""
    model = page.image_model
    selection = QItemSelection()
    for row in rows:
        selection.select(model.index(row), model.index(row))
    selection_model = page.grid.selectionModel()
    selection_model.select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    selection_model.setCurrentIndex(model.index(rows[0]), QItemSelectionModel.SelectionFlag.NoUpdate)


def open_focused(qtbot: QtBot, open_store, emulator,  # type: ignore[no-untyped-def]
                 product_id: int) -> StorePage:
    """Opens a product with its cards listed, the window active and the grid focused (so key
    presses reach it)."""
    page = open_store(emulator, product_id)
    qtbot.waitUntil(lambda: page.image_model.rowCount() > 3, timeout=15000)
    window = page.window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    page.grid.setFocus()
    return page


def wait_until_sent(qtbot: QtBot, page: StorePage, timeout: int = 20000) -> None:
    queue = page.session.queue
    assert queue is not None
    # Idle first: an edit just made may still be on its way to the journal, where the counts
    # do not see it yet (they read (0, 0, 0) before it is written, not only after it is sent).
    qtbot.waitUntil(lambda: queue.is_idle() and queue.counts() == (0, 0, 0), timeout=timeout)


def gutter_before(page: StorePage, row: int) -> QPoint:
    """A point in the gutter left of a card, at its middle height."""
    card = page.grid.card_rect(page.image_model.index(row))
    return QPoint(card.left() - 2, card.center().y())


def drag_over(page: StorePage, mime: QMimeData, points: list[QPoint]) -> None:
    """A drag entering the grid's viewport at the first point and moving through the others."""
    viewport = page.grid.viewport()
    move = Qt.DropAction.MoveAction | Qt.DropAction.CopyAction
    enter = QDragEnterEvent(points[0], move, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted()
    for point in points:
        event = QDragMoveEvent(point, move, mime, Qt.MouseButton.LeftButton,
                               Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(viewport, event)
        assert event.isAccepted()


def drop_at(page: StorePage, mime: QMimeData, point: QPoint) -> QDropEvent:
    event = QDropEvent(QPointF(point), Qt.DropAction.MoveAction | Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(page.grid.viewport(), event)
    return event


def leave(page: StorePage) -> None:
    QApplication.sendEvent(page.grid.viewport(), QDragLeaveEvent())


def put_requests(emulator, product_id: int) -> list:  # type: ignore[no-untyped-def]
    prefix = f"/products/{product_id}/images/"
    return [r for r in emulator.requests() if r.method == "PUT" and prefix in r.path]


def delete_requests(emulator, product_id: int) -> list:  # type: ignore[no-untyped-def]
    return [r for r in emulator.requests()
            if r.method == "DELETE" and f"/products/{product_id}/images" in r.path]
