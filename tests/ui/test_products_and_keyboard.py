"""The product list (search, paging on scroll), the status bar, and keyboard access."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.ui.product_model import PAGE_SIZE, ProductListModel, ProductRoles
from tests.ui.conftest import settle_pictures


def _names(model: ProductListModel) -> list[str]:
    return [model.product_at(row).name for row in range(model.rowCount())]


def test_search_by_name_or_sku(qtbot: QtBot, emulator, open_store, gui_thread_guard) -> None:
    page = open_store(emulator)
    qtbot.waitUntil(lambda: page.product_model.rowCount() == 24, timeout=10000)
    qtbot.keyClicks(page.search_field, "mug")
    qtbot.waitUntil(lambda: page.product_model.rowCount() == 2, timeout=10000)
    assert _names(page.product_model) == ["Ceramic Coffee Mug", "Enamel Camp Mug"]
    assert page.product_status.text() == "2 products match “mug”"
    page.search_field.setText("BEAN-001")
    qtbot.waitUntil(lambda: _names(page.product_model) == ["Wool Beanie"], timeout=10000)
    page.search_field.setText("no such thing")
    qtbot.waitUntil(lambda: page.product_status.text() == "No products match “no such thing”.", timeout=10000)
    assert page.product_model.rowCount() == 0


def test_products_page_in_as_the_list_scrolls(qtbot: QtBot, emulator_factory, open_store,
                                              gui_thread_guard) -> None:
    with gui_thread_guard.paused():
        emulator = emulator_factory(catalog="empty")
        for n in range(PAGE_SIZE * 2 + 5):
            emulator.add_product(f"Product {n:03}", f"SKU-{n:03}", image_count=1 if n < 3 else 0)
    page = open_store(emulator)
    model = page.product_model
    qtbot.waitUntil(lambda: model.rowCount() == PAGE_SIZE, timeout=10000)
    # Scrolling to the end asks for the next page (fetchMore), and again.
    for expected in (PAGE_SIZE * 2, PAGE_SIZE * 2 + 5):
        page.product_view.scrollToBottom()
        qtbot.waitUntil(lambda e=expected: model.rowCount() == e, timeout=10000)
    assert not model.canFetchMore()
    pages = [r for r in emulator.requests() if r.path.endswith("/products")]
    assert len(pages) == 3
    # Counts load lazily for the painted rows only, not for all 105 products (and only once
    # the open product's first screen is in: see side_work_hold).
    def counts() -> list[object]:
        return [r for r in emulator.requests() if r.path.endswith("/images/count")
                and "/products/images/" not in r.path]
    qtbot.waitUntil(lambda: len(counts()) > 0, timeout=10000)
    qtbot.wait(200)  # the painted rows' requests, all of them
    assert 0 < len(counts()) < PAGE_SIZE * 2


def test_product_model_passes_qtmodeltester(qtbot: QtBot, emulator, open_store, qtmodeltester,
                                            gui_thread_guard) -> None:
    page = open_store(emulator)
    # A model of its own (the page's is deleted with the window, before the tester's cleanup).
    model = ProductListModel(page.session)
    model.set_keyword("")
    qtbot.waitUntil(lambda: model.rowCount() == 24, timeout=10000)
    qtmodeltester.check(model, force_py=True)
    first = model.index(0)
    qtbot.waitUntil(lambda: model.data(first, ProductRoles.ImageCount) == 300, timeout=10000)
    assert "TOTE-001 · 300 images" in model.data(first)


def test_status_bar_tells_store_product_counts_budget(qtbot: QtBot, emulator, open_store,
                                                      gui_thread_guard) -> None:
    page = open_store(emulator, product_id=1)
    window = page.window()
    status = window.status
    qtbot.waitUntil(lambda: status.store_images_label.text() != "", timeout=10000)
    assert status.store_label.text() == "Test store"
    assert status.images_label.text() == "300 images"
    assert status.store_images_label.text().endswith(" images in the store")
    qtbot.waitUntil(lambda: status.product_label.text() == "Canvas Tote Bag", timeout=10000)
    # The budget is in the connection note's tooltip, not in the text.
    assert status.connection_label.text() == "● Connected"
    assert "API requests left: " in status.connection_label.toolTip()
    assert " of 150 " in status.connection_label.toolTip()
    assert "API" not in " ".join(label.text() for label in status.findChildren(QLabel))


def test_keyboard_moves_selects_and_zooms(qtbot: QtBot, emulator, open_store,
                                         gui_thread_guard) -> None:
    page = open_store(emulator, product_id=1)
    settle_pictures(qtbot, page)
    grid = page.grid
    grid.setFocus()
    QTest.keyClick(grid, Qt.Key.Key_Right)
    assert grid.currentIndex().row() == 1
    QTest.keyClick(grid, Qt.Key.Key_End)
    assert grid.currentIndex().row() == 299
    QTest.keyClick(grid, Qt.Key.Key_Home)
    assert grid.currentIndex().row() == 0
    QTest.keyClick(grid, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    QTest.keyClick(grid, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert len(grid.selectionModel().selectedIndexes()) == 3
    assert page.details.title.text() == "3 of 300 images selected"
    QTest.keyClick(grid, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert len(grid.selectionModel().selectedIndexes()) == 300
    # The details pane follows the selection.
    assert page.details.title.text() == "300 of 300 images selected"
    window = page.window()
    width = grid.picture_width
    window.zoom_in_action.trigger()
    assert grid.picture_width > width
    assert window.size_slider.value() == grid.picture_width
    window.size_slider.setValue(60)
    assert grid.picture_width == 60


def test_controls_have_accessible_names(qtbot: QtBot, emulator, open_store,
                                        gui_thread_guard) -> None:
    page = open_store(emulator)
    window = page.window()
    for widget in (page.search_field, page.product_view, page.grid, page.details,
                   window.size_slider, window.status.connection_label):
        assert widget.accessibleName(), widget


def test_ctrl_wheel_zooms_and_plain_wheel_scrolls(qtbot: QtBot, emulator, open_store,
                                                  gui_thread_guard) -> None:
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    page = open_store(emulator, product_id=1)
    grid = page.grid
    width = grid.picture_width

    def wheel(modifiers: Qt.KeyboardModifier) -> None:
        event = QWheelEvent(QPointF(50, 50), QPointF(grid.mapToGlobal(QPoint(50, 50))),
                            QPoint(0, 0), QPoint(0, -120), Qt.MouseButton.NoButton, modifiers,
                            Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(grid.viewport(), event)

    wheel(Qt.KeyboardModifier.ControlModifier)
    assert grid.picture_width < width
    assert grid.verticalScrollBar().value() == 0
    wheel(Qt.KeyboardModifier.NoModifier)
    assert grid.verticalScrollBar().value() > 0


def test_a_product_opened_by_id_gets_its_name_whichever_answer_comes_first(
        qtbot: QtBot, emulator, open_store, gui_thread_guard) -> None:
    page = open_store(emulator, product_id=7)
    status = page.window().status
    qtbot.waitUntil(lambda: page.grid_header.text() == "Bamboo Cutting Board: 143 images",
                    timeout=10000)
    qtbot.waitUntil(lambda: status.product_label.text() == "Bamboo Cutting Board",
                    timeout=10000)
    assert status.images_label.text() == "143 images"
    assert page.product_view.currentIndex().row() == page.product_model.row_of(7)
