"""Honest states: loading, empty product, empty store, search counts, the status bar, and
text from the store shown as plain text."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.services.session import StoreInfo
from app.ui.message_panel import PanelKind
from app.ui.product_model import PAGE_SIZE
from tests.ui.conftest import oauth_for

MARKUP = "<img src=x><a href=y>Click</a><h1>BIG</h1>"


def _all_text(widget) -> str:  # type: ignore[no-untyped-def]
    return " ".join(label.text() for label in widget.findChildren(QLabel) if label.isVisible())


def test_loading_states_say_what_is_loading(qtbot: QtBot, emulator_factory, make_window,
                                            gui_thread_guard) -> None:
    with gui_thread_guard.paused():
        emulator = emulator_factory(catalog="demo", latency_ms=100)
    window = make_window()
    page = window.open_store(StoreInfo("Slow store", oauth_for(emulator)))
    # Nothing has answered yet: both areas say what they wait for, the status bar claims nothing.
    assert page.product_status.text() == "Loading products…"
    assert page.grid_stack.currentWidget() is page.grid_panel
    assert page.grid_panel.kind is PanelKind.LOADING
    assert page.grid_panel.title == "Loading the store's products…"
    assert window.status.connection_label.text() == ""
    assert "Choose a product" not in _all_text(window)
    qtbot.waitUntil(lambda: page.images_ready, timeout=15000)
    assert window.status.connection_label.text() == "● Connected"
    page.open_product_id(4, "Enamel Camp Mug")
    assert page.grid_panel.kind is PanelKind.LOADING
    assert page.grid_panel.title == "Loading the images of Enamel Camp Mug…"
    qtbot.waitUntil(lambda: page.images_ready, timeout=15000)
    assert page.grid_stack.currentWidget() is page.grid


def test_an_empty_product_says_it_has_no_images(qtbot: QtBot, empty_emulator, open_store,
                                                gui_thread_guard) -> None:
    with gui_thread_guard.paused():
        bare = empty_emulator.add_product("Bare Shelf", "BARE-1", image_count=0)
    page = open_store(empty_emulator, product_id=bare)
    assert page.grid_stack.currentWidget() is page.grid_panel
    assert page.grid_panel.title == "This product has no images"
    # Pictures can be added here now: the panel says how (drop, or Add images and its key).
    assert page.grid_panel.why.startswith("Drop pictures here, or press Add images (")
    qtbot.waitUntil(lambda: page.grid_header.text() == "Bare Shelf: no images", timeout=10000)


def test_an_empty_store_says_so_and_nothing_asks_to_choose(qtbot: QtBot, empty_emulator,
                                                           make_window,
                                                           gui_thread_guard) -> None:
    window = make_window()
    page = window.open_store(StoreInfo("Empty store", oauth_for(empty_emulator)))
    qtbot.waitUntil(lambda: page.product_status.text() == "This store has no products.",
                    timeout=10000)
    assert page.grid_panel.title == "This store has no products yet"
    assert page.grid_panel.action_button.text() == "Reload products"
    assert "Choose a product" not in _all_text(window)
    # Products added in the store appear with the button.
    with gui_thread_guard.paused():
        empty_emulator.add_product("First Product", "FP-1", image_count=1)
    qtbot.mouseClick(page.grid_panel.action_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.images_ready, timeout=10000)
    assert page.product_status.text() == "1 product"
    assert page.grid_stack.currentWidget() is page.grid


def test_the_product_list_counts_what_matches(qtbot: QtBot, emulator_factory, open_store,
                                              gui_thread_guard) -> None:
    with gui_thread_guard.paused():
        emulator = emulator_factory(catalog="empty")
        for n in range(PAGE_SIZE + 12):
            emulator.add_product(f"{'Mug' if n % 5 == 0 else 'Plate'} {n:03}", f"SKU-{n:03}",
                                 image_count=1 if n == 0 else 0)
    page = open_store(emulator)
    # More than a page: the store counts them instead of the list guessing.
    qtbot.waitUntil(lambda: page.product_status.text() == f"{PAGE_SIZE + 12} products",
                    timeout=10000)
    page.search_field.setText("mug")
    qtbot.waitUntil(lambda: page.product_status.text() == "13 products match “mug”",
                    timeout=10000)
    page.search_field.setText("Mug 005")
    qtbot.waitUntil(lambda: page.product_status.text() == "1 product matches “Mug 005”",
                    timeout=10000)


def test_status_bar_speaks_merchant(qtbot: QtBot, emulator, open_store,
                                    gui_thread_guard) -> None:
    page = open_store(emulator, product_id=1)
    status = page.window().status
    qtbot.waitUntil(lambda: status.product_label.text() == "Canvas Tote Bag", timeout=10000)
    assert status.images_label.text() == "300 images"
    status.show_selection(12, 300)
    assert status.selection_label.text() == "12 of 300 selected"
    assert status.selection_label.isVisibleTo(status)
    status.show_selection(0, 300)
    assert not status.selection_label.isVisibleTo(status)
    shown = _all_text(status)
    assert "API" not in shown and "budget" not in shown and "Online" not in shown
    assert status.budget_text.startswith("API requests left: ")
    page.window().show_start()
    assert status.connection_label.text() == ""  # no store, nothing to be connected to


def test_store_text_is_plain_text_everywhere(qtbot: QtBot, empty_emulator, open_store,
                                             gui_thread_guard) -> None:
    with gui_thread_guard.paused():
        product_id = empty_emulator.add_product(MARKUP, "<b>SKU</b>", image_count=0)
    page = open_store(empty_emulator, product_id=product_id)
    window = page.window()
    qtbot.waitUntil(lambda: window.status.product_label.text() == MARKUP, timeout=10000)
    qtbot.waitUntil(lambda: page.grid_header.text() == f"{MARKUP}: no images", timeout=10000)
    for label in (page.grid_header, window.status.product_label, window.status.store_label,
                  page.product_status, page.grid_panel.title_label, page.grid_panel.why_label):
        assert label.textFormat() == Qt.TextFormat.PlainText, label.accessibleName()
    # What is painted is the literal characters: the header draws the text, not a document.
    assert page.grid_header.shown_text().startswith("<img src=x><a href=y>")
    # Tooltips guess rich text: the name is escaped inside an explicit paragraph.
    tip = page.product_model.index(0).data(Qt.ItemDataRole.ToolTipRole)
    assert html.escape(MARKUP) in tip and MARKUP not in tip
    assert "&lt;b&gt;SKU&lt;/b&gt;" in tip
    # A loading panel quoting the name shows it literally too.
    page.open_product_id(product_id, MARKUP)
    assert page.grid_panel.title == f"Loading the images of {MARKUP}…"
    assert page.grid_panel.title_label.textFormat() == Qt.TextFormat.PlainText
