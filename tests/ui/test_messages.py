"""Messages where the eye is: each area's panel, in the merchant's words, with the fixing button.

Against the emulator's real failures: 500s (with a server message of any length), 401s, 404s,
dropped connections, and an image server that fails every picture.
"""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from app.api import errors
from app.api.auth import OAuthCredentials
from app.services.problems import MAX_SERVER_TEXT, Remedy, explain
from app.services.session import StoreInfo
from app.store_emulator import Faults
from app.ui.store_page import StorePage
from tests.ui.conftest import oauth_for, settle_pictures, when_dialog_opens

LONG_WORDS = "The upstream image service refused the request for reasons. " * 85  # ~5,100
LONG_BLOB = "x" * 5000  # no place to break a line

TECHNICAL = re.compile(r"\b(GET|POST|PUT|DELETE|HTTP|[1-5]\d\d)\b|/stores/|/v2/")


def _main_text(page_panel) -> str:  # type: ignore[no-untyped-def]
    return f"{page_panel.title} {page_panel.why}"


def _grid_shows_problem(page: StorePage) -> bool:
    return page.images_failed and page.grid_stack.currentWidget() is page.grid_panel


def _settle_layout(qtbot: QtBot) -> None:
    for _ in range(3):  # layouts propagate a level per pass
        QApplication.processEvents()
        qtbot.wait(20)


@pytest.mark.parametrize("size", [(1280, 800), (900, 620)])
def test_no_server_message_widens_the_window(qtbot: QtBot, emulator, open_store, size,
                                             gui_thread_guard) -> None:
    page = open_store(emulator, product_id=1)
    window = page.window()
    window.resize(*size)
    _settle_layout(qtbot)
    assert window.width() == size[0]
    width, products_width = window.width(), page.product_stack.width()
    for message in (LONG_WORDS, LONG_BLOB):
        emulator.faults = Faults(error_rate=1.0, error_message=message)
        page.reload_images()
        qtbot.waitUntil(lambda: _grid_shows_problem(page), timeout=15000)
        qtbot.mouseClick(page.grid_panel.details_button, Qt.MouseButton.LeftButton)
        assert page.grid_panel.details_text.isVisible()
        _settle_layout(qtbot)
        assert window.width() == width
        assert page.product_stack.width() == products_width  # the product list is not crushed
        # The server's words are in the details, clipped before any layout sees them.
        assert message[:40] in page.grid_panel.details
        assert len(page.grid_panel.details) < 4 * MAX_SERVER_TEXT
        for label in page.findChildren(QLabel):
            assert len(label.text()) < 1000, label.accessibleName()


def test_a_long_product_name_never_widens_the_window(qtbot: QtBot, emulator, open_store,
                                                     gui_thread_guard) -> None:
    with gui_thread_guard.paused():
        long_id = emulator.add_product("Mug " + LONG_BLOB, "LONG-1", image_count=2)
    page = open_store(emulator, product_id=1)
    window = page.window()
    _settle_layout(qtbot)
    width = window.width()
    qtbot.waitUntil(lambda: page.product_model.row_of(long_id) is not None, timeout=10000)
    page.product_view.setCurrentIndex(page.product_model.index(page.product_model.row_of(long_id)))
    qtbot.waitUntil(lambda: page.images_ready and page.image_model.product_id == long_id,
                    timeout=10000)
    _settle_layout(qtbot)
    assert window.width() == width
    assert page.grid_header.is_elided()
    assert page.grid_header.text() == f"Mug {LONG_BLOB}: 2 images"  # whole, for screen readers
    assert window.status.product_label.is_elided()
    assert window.status.product_label.width() <= 280
    # In the product list the name is elided inside its tile: no sideways scrolling.
    assert page.product_view.horizontalScrollBar().maximum() == 0


def test_a_500_says_retry_and_keeps_http_behind_details(qtbot: QtBot, emulator, open_store,
                                                       gui_thread_guard) -> None:
    page = open_store(emulator, product_id=1)
    emulator.faults = Faults(error_rate=1.0)
    page.reload_images()
    qtbot.waitUntil(lambda: _grid_shows_problem(page), timeout=15000)
    panel = page.grid_panel
    assert panel.title == "The store could not send the images of this product"
    assert not TECHNICAL.search(_main_text(panel)), _main_text(panel)
    assert panel.action_button.text() == "Retry" and panel.action_button.isVisibleTo(page)
    assert not panel.details_text.isVisibleTo(page)  # behind the disclosure
    assert "Request: GET /stores/pimdemo/v2/products/1/images" in panel.details
    assert "Status: 500" in panel.details
    assert "The store said: An internal server error occurred" in panel.details
    # Nothing is being edited: no message may claim a change was kept.
    assert "change" not in panel.details.lower() and "kept" not in panel.details.lower()
    # The status bar does not say all is well while the store answers with errors.
    assert page.window().status.connection_label.text() == "● Store having problems"

    emulator.faults = Faults()
    qtbot.mouseClick(panel.action_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.images_ready and not page.images_failed, timeout=15000)
    assert page.grid_stack.currentWidget() is page.grid
    assert page.image_model.rowCount() == 300


def test_a_dropped_connection_says_the_store_cannot_be_reached(qtbot: QtBot, emulator,
                                                              open_store,
                                                              gui_thread_guard) -> None:
    with gui_thread_guard.paused():
        unseen = emulator.add_product("Cork board", "CORK-1", image_count=2)
    page = open_store(emulator, product_id=1)
    emulator.faults = Faults(drop_rate=1.0)
    # A product seen before stays on screen (the copy saved on this computer), one line says
    # why it is not fresh.
    page.reload_images()
    qtbot.waitUntil(lambda: not page.saved_copy_banner.isHidden(), timeout=15000)
    assert page.grid_stack.currentWidget() is page.grid and page.image_model.rowCount() == 300
    assert page.saved_copy_banner.text.startswith("The store can't be reached. Showing the "
                                                  "copy saved on this computer")
    # One never seen has nothing to show: the grid's message says what is wrong.
    page.open_product_id(unseen)
    qtbot.waitUntil(lambda: _grid_shows_problem(page), timeout=15000)
    assert page.grid_panel.title == "The store can't be reached"
    assert page.grid_panel.remedy is Remedy.RETRY
    assert not TECHNICAL.search(_main_text(page.grid_panel))
    assert page.window().status.connection_label.text() == "○ Store unreachable"


def test_wrong_credentials_offer_to_edit_them_once(qtbot: QtBot, emulator, make_window,
                                                   gui_thread_guard) -> None:
    window = make_window()
    wrong = OAuthCredentials(emulator.config.store_hash, "wrong-token",
                             api_base=emulator.oauth_api_base)
    page = window.open_store(StoreInfo("Wrong token", wrong), 1)
    qtbot.waitUntil(lambda: _grid_shows_problem(page) and page.product_model.failed,
                    timeout=10000)
    panel = page.grid_panel
    assert panel.title == "The store did not accept the saved credentials"
    assert panel.action_button.text() == "Edit credentials"
    assert not TECHNICAL.search(_main_text(panel))
    assert "Status: 401" in panel.details
    assert window.status.connection_label.text() == "● Access refused"
    opened: list[str] = []

    def look_and_cancel(dialog) -> None:  # type: ignore[no-untyped-def]
        opened.append(dialog.store_hash_field.text())
        dialog.reject()

    when_dialog_opens(window, look_and_cancel)
    with qtbot.waitSignal(page.editCredentialsRequested, timeout=1000):
        qtbot.mouseClick(panel.action_button, Qt.MouseButton.LeftButton)
    assert opened == [emulator.config.store_hash]  # the store's own credentials, to edit
    # The product list's own panel, inside its area, does not repeat the same message.
    assert page.product_stack.currentWidget() is page.product_panel
    assert page.product_panel.title == "No products to show"
    assert not page.product_panel.action_button.isVisibleTo(page)
    assert page.product_stack.isAncestorOf(page.product_panel)
    assert page.grid_stack.isAncestorOf(page.grid_panel)


def test_a_product_list_failure_has_its_own_panel(qtbot: QtBot, emulator, make_window,
                                                  gui_thread_guard) -> None:
    window = make_window()
    wrong = OAuthCredentials(emulator.config.store_hash, "wrong-token",
                             api_base=emulator.oauth_api_base)
    page = window.open_store(StoreInfo("Wrong token", wrong))
    qtbot.waitUntil(lambda: page.product_stack.currentWidget() is page.product_panel,
                    timeout=10000)
    panel = page.product_panel
    assert panel.title == "The store did not accept the saved credentials"
    opened: list[str] = []

    def look_and_cancel(dialog) -> None:  # type: ignore[no-untyped-def]
        opened.append(dialog.store_hash_field.text())
        dialog.reject()

    when_dialog_opens(window, look_and_cancel)
    with qtbot.waitSignal(page.editCredentialsRequested, timeout=1000):
        qtbot.mouseClick(panel.action_button, Qt.MouseButton.LeftButton)
    assert opened == [emulator.config.store_hash]  # the store's own credentials, to edit
    # The grid says there is no product to show, and does not ask to choose one.
    assert page.grid_panel.title == "No product to show"
    assert page.grid_panel.kind.value == "info"



def test_a_product_list_500_offers_retry(qtbot: QtBot, emulator, make_window,
                                         gui_thread_guard) -> None:
    emulator.faults = Faults(error_rate=1.0)
    window = make_window()
    page = window.open_store(StoreInfo("Flaky store", oauth_for(emulator)))
    qtbot.waitUntil(lambda: page.product_stack.currentWidget() is page.product_panel,
                    timeout=15000)
    panel = page.product_panel
    assert panel.title == "The store could not send the product list"
    assert panel.action_button.text() == "Retry"
    assert not TECHNICAL.search(_main_text(panel))
    emulator.faults = Faults()
    qtbot.mouseClick(panel.action_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.images_ready, timeout=15000)
    assert page.product_stack.currentWidget() is page.product_view
    assert page.product_status.text() == "24 products"


def test_a_missing_product_offers_to_reload_the_products(qtbot: QtBot, emulator, open_store,
                                                        gui_thread_guard) -> None:
    page = open_store(emulator, product_id=99999)
    assert _grid_shows_problem(page)
    panel = page.grid_panel
    assert panel.title == "This product is no longer in the store"
    assert panel.action_button.text() == "Reload products"
    assert not TECHNICAL.search(_main_text(panel))
    assert "Status: 404" in panel.details and "/products/99999/images" in panel.details
    qtbot.mouseClick(panel.action_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.images_ready and page.image_model.product_id == 1,
                    timeout=15000)
    assert page.grid_stack.currentWidget() is page.grid
    assert page.grid_header.text() == "Canvas Tote Bag: 300 images"


def test_a_failing_image_server_gets_one_banner_not_a_wall_of_badges(
        qtbot: QtBot, emulator, open_store, gui_thread_guard) -> None:
    emulator.cdn_faults.error_rate = 1.0
    page = open_store(emulator, product_id=1)
    status = page.window().status
    qtbot.waitUntil(lambda: not page.pictures_banner.isHidden(), timeout=15000)
    host = f"127.0.0.1:{emulator.cdn_port}"
    assert page.pictures_banner.text == f"Pictures can't be loaded from {host}."
    assert page.pictures_banner.action_button.text() == "Retry all"
    assert page.grid.itemDelegate().quiet_failures  # cards show a quiet placeholder
    assert status.connection_label.text() == "● Pictures unavailable"
    assert host in status.connection_label.toolTip()
    settle_pictures(qtbot, page)  # every card on screen has failed by now, quietly

    emulator.cdn_faults.error_rate = 0.0
    qtbot.mouseClick(page.pictures_banner.action_button, Qt.MouseButton.LeftButton)
    assert page.pictures_banner.isHidden()
    settle_pictures(qtbot, page)
    assert page.grid.visible_pictures_settled() == (True, 0)
    assert page.pictures_banner.isHidden() and not page.grid.itemDelegate().quiet_failures
    assert status.connection_label.text() == "● Connected"


def test_a_few_broken_pictures_keep_their_badges(qtbot: QtBot, emulator, open_store,
                                                 gui_thread_guard) -> None:
    page = open_store(emulator, product_id=1)
    settle_pictures(qtbot, page)
    model = page.image_model
    for row in range(2):  # two pictures break, the rest loaded: no banner
        page.session.thumbnails.failed.emit(model.image_at(row).id, "https://cdn.example/x.jpg",
                                            "The image server answered 500.")
    assert page.pictures_banner.isHidden()
    assert not page.grid.itemDelegate().quiet_failures


def test_every_error_class_has_merchant_words_and_no_http_in_them() -> None:
    made = [
        errors.AuthenticationFailed("401 text", status=401, path="/v2/products"),
        errors.PermissionDenied("403 text", status=403, path="/v2/products"),
        errors.NotFound("404 text", status=404, path="/v2/products/9/images"),
        errors.RateLimited("429 text", status=429, retry_after=12.0, path="/v2/products"),
        errors.ServerError("500 text", status=500, path="/v2/products"),
        errors.NetworkError("GET /v2/products failed: refused.", path="/v2/products"),
        errors.MalformedResponse("garbled", status=200, path="/v2/products"),
        errors.UnexpectedStatus("302", status=302, path="/v2/products"),
        errors.ValidationFailed("400", status=400, path="/v2/products"),
        RuntimeError("a bug"),
    ]
    for error in made:
        problem = explain(error, "the product list", missing="This product is no longer there")
        assert problem.title and problem.why and problem.remedy is not Remedy.NONE
        assert not TECHNICAL.search(f"{problem.title} {problem.why}"), problem
        assert "kept" not in f"{problem.title} {problem.why}"
        assert problem.details
    assert explain(made[3], "x").why.endswith("retry in about 12 seconds.")


def test_the_store_client_never_claims_a_change_was_kept(emulator) -> None:
    from app.api import StoreClient
    from app.api.retry import RetryPolicy
    from app.api.transport import ApiTransport

    emulator.faults = Faults(error_rate=1.0)
    credentials = oauth_for(emulator)
    transport = ApiTransport(credentials, retry=RetryPolicy(max_attempts=1))
    with StoreClient(credentials, transport=transport) as client:
        try:
            client.list_images(1)
        except errors.ServerError as error:
            assert "kept" not in error.message and "change" not in error.message
        else:
            raise AssertionError("a 500 was expected")
