"""What the window does when things go wrong: no request storms, no stuck cards, no surprises."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from app.api.auth import OAuthCredentials
from app.services.session import StoreInfo
from app.ui.image_model import ImageRoles, PictureState
from app.ui.product_model import ProductRoles
from tests.ui.conftest import oauth_for, settle_pictures


def _product_pages(emulator) -> int:  # type: ignore[no-untyped-def]
    return sum(1 for r in emulator.requests() if r.path.endswith("/products"))


def test_a_failed_product_page_is_not_asked_for_again_and_again(qtbot: QtBot, emulator,
                                                                make_window,
                                                                gui_thread_guard) -> None:
    window = make_window()
    wrong = OAuthCredentials(emulator.config.store_hash, "wrong-token",
                             api_base=emulator.oauth_api_base)
    page = window.open_store(StoreInfo("Wrong token", wrong))
    qtbot.waitUntil(lambda: page.product_stack.currentWidget() is page.product_panel,
                    timeout=10000)
    assert "credentials" in page.product_panel.title
    assert page.product_panel.action_button.text() == "Edit credentials"
    qtbot.wait(1000)  # relayouts and repaints happen; none may turn into a request
    assert _product_pages(emulator) == 1
    window.refresh_action.trigger()  # the merchant's way to try again
    qtbot.waitUntil(lambda: _product_pages(emulator) == 2, timeout=10000)
    qtbot.wait(300)
    assert _product_pages(emulator) == 2


def test_image_counts_survive_a_search(qtbot: QtBot, emulator, open_store,
                                       gui_thread_guard) -> None:
    page = open_store(emulator)
    model = page.product_model
    # Counts asked for by the list itself (row 0's came with its images): wait for them.
    qtbot.waitUntil(lambda: all(model.data(model.index(row), ProductRoles.ImageCount)
                                is not None for row in range(4)), timeout=30000)
    counted = {row: model.data(model.index(row), ProductRoles.ImageCount) for row in range(4)}
    # Each step waits for the model's own signal that the page arrived, not for a duration:
    # under load the search's page may come late, and only its arrival matters.
    with qtbot.waitSignal(model.totalChanged, check_params_cb=lambda: model.total == 1,
                          timeout=30000):
        page.search_field.setText("tote")
    assert model.rowCount() == 1
    with qtbot.waitSignal(model.totalChanged, check_params_cb=lambda: model.total == 24,
                          timeout=30000):
        page.search_field.setText("")
    assert model.rowCount() == 24
    assert "300 images" in model.data(model.index(0))
    assert {row: model.data(model.index(row), ProductRoles.ImageCount)
            for row in range(4)} == counted


def test_back_to_a_product_loads_its_cards_again(qtbot: QtBot, emulator_factory, open_store,
                                                 gui_thread_guard) -> None:
    with gui_thread_guard.paused():
        emulator = emulator_factory(catalog="demo", cdn_latency_ms=120)
    page = open_store(emulator, product_id=1)
    qtbot.waitUntil(lambda: len(page.session.thumbnails.pending_keys()) > 0, timeout=5000)
    page.open_product_id(4)
    page.open_product_id(1)  # straight back, while product 1's first requests are under way
    qtbot.waitUntil(lambda: page.images_ready and page.image_model.product_id == 1,
                    timeout=10000)
    settle_pictures(qtbot, page)
    assert page.grid.visible_pictures_settled() == (True, 0)


def test_a_late_smaller_picture_does_not_replace_a_bigger_one(qtbot: QtBot, emulator,
                                                              open_store,
                                                              gui_thread_guard) -> None:
    page = open_store(emulator, product_id=1)
    settle_pictures(qtbot, page)
    model = page.image_model
    image = model.image_at(0)
    shown = model.data(model.index(0), Qt.ItemDataRole.DecorationRole)
    assert shown is not None
    tiny = QImage(QSize(44, 58), QImage.Format.Format_ARGB32_Premultiplied)
    # A late answer for the same rendition scaled for a smaller box (asked before a zoom),
    # and one for the image's tiny rendition: neither replaces what the card shows.
    page.session.thumbnails.loaded.emit(image.id, model._wanted_url(image), tiny, 44)
    page.session.thumbnails.loaded.emit(image.id, image.tiny_url, tiny, 44)
    after = model.data(model.index(0), Qt.ItemDataRole.DecorationRole)
    assert after is not None and after.width() == shown.width() > 44


def test_an_unwritable_cache_costs_speed_not_pictures(qtbot: QtBot, emulator, make_window,
                                                      tmp_path: Path,
                                                      gui_thread_guard) -> None:
    cache = tmp_path / "cache"
    with gui_thread_guard.paused():
        cache.mkdir()
        (cache / "images").write_text("a file where the cache folder should be")
    window = make_window()
    page = window.open_store(StoreInfo("Test", oauth_for(emulator)), 1)
    qtbot.waitUntil(lambda: page.images_ready, timeout=15000)
    settle_pictures(qtbot, page)
    assert page.grid.visible_pictures_settled() == (True, 0)
    assert page.image_model.index(0).data(ImageRoles.PictureState) == PictureState.LOADED


def test_opening_the_demo_twice_reuses_one_store(qtbot: QtBot, make_window) -> None:
    window = make_window()
    window.open_demo()
    qtbot.waitUntil(lambda: window.page is not None and window.page.images_ready, timeout=15000)
    first = window.demo._emulator
    window.show_start()
    window.open_demo()
    qtbot.waitUntil(lambda: window.page is not None and window.page.images_ready, timeout=15000)
    assert window.demo._emulator is first
    window.close()
    window.shutdown_demo()
    assert window.demo is None


def test_a_late_demo_start_does_not_override_going_back(qtbot: QtBot, make_window) -> None:
    window = make_window()
    window.open_demo()
    window.show_start()  # changed their mind before the demo store was up
    qtbot.waitUntil(lambda: window.demo is not None and window.demo._emulator is not None,
                    timeout=15000)
    qtbot.wait(300)
    assert window.page is None
    assert window.stack.currentWidget() is window.start_screen
    window.shutdown_demo()
