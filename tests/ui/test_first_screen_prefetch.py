"""A product's first screen of pictures starts loading with the first page of its listing, not
after the whole list is in and checked (issue 11: first screen vs a plain script)."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlsplit

from pytestqt.qtbot import QtBot

from app.services.session import StoreInfo
from app.ui.image_model import ImageRoles
from tests.ui.conftest import oauth_for, settle_pictures


def test_the_first_screen_loads_while_a_long_listing_is_still_being_checked(
        qtbot: QtBot, emulator_factory, make_window) -> None:
    # 300 images: two pages and a boundary check, three API calls of 300 ms each, one after
    # the other; the pictures of the first page's first cards need not wait for them.
    emulator = emulator_factory(catalog="empty", latency_ms=300)
    product_id = emulator.add_product("Big", "BIG-1", image_count=300)
    window = make_window()
    requested_before_list: list[str] = []
    page = window.open_store(StoreInfo("Test store", oauth_for(emulator)), product_id)
    assert page is not None
    page.imagesLoaded.connect(lambda *_: requested_before_list.extend(
        request.path for request in emulator.cdn_requests()))
    qtbot.waitUntil(lambda: page.images_ready, timeout=15000)
    settle_pictures(qtbot, page)

    model = page.image_model
    box = model.picture_size.width()
    card_paths = {urlsplit(model.index(row).data(ImageRoles.Image).rendition_url(box)).path
                  for row in page.grid.visible_rows()}
    assert len(card_paths) >= 6
    assert card_paths & set(requested_before_list), "no card's picture started before the list"
    downloads = Counter(request.path for request in emulator.cdn_requests()
                        if request.path in card_paths)
    assert set(downloads) == card_paths
    assert set(downloads.values()) == {1}, downloads  # a prefetch is never downloaded twice


def _listings(emulator, product_id: int) -> list[str]:
    """The first-page listings of a product's images the store received."""
    path = f"/stores/{emulator.config.store_hash}/v2/products/{product_id}/images"
    return [request.query for request in emulator.requests()
            if request.path == path and "page=2" not in request.query]


def test_the_product_a_page_opens_on_is_listed_before_the_page_starts_and_only_once(
        qtbot: QtBot, empty_emulator, tmp_path) -> None:
    from app.services.session import StoreSession
    from app.ui.store_page import StorePage

    emulator = empty_emulator
    product_id = emulator.add_product("Mug", "MUG-1", image_count=12)
    session = StoreSession(StoreInfo("Test store", oauth_for(emulator)), tmp_path / "cache")
    page = StorePage(session, open_first=product_id)
    qtbot.addWidget(page)
    # Sent while the page was being built: the store has it before anything was started.
    qtbot.waitUntil(lambda: len(_listings(emulator, product_id)) == 1, timeout=10000)
    page.resize(1280, 800)
    page.show()
    page.start(product_id)
    qtbot.waitUntil(lambda: page.images_ready, timeout=10000)
    settle_pictures(qtbot, page)
    assert page.image_model.product_id == product_id
    assert page.image_model.rowCount() == emulator.image_count(product_id)
    assert len(_listings(emulator, product_id)) == 1  # taken over, not asked again
    session.close()


def test_a_page_started_on_another_product_drops_the_listing_sent_ahead(
        qtbot: QtBot, empty_emulator, tmp_path) -> None:
    from app.services.session import StoreSession
    from app.ui.store_page import StorePage

    emulator = empty_emulator
    first = emulator.add_product("Mug", "MUG-1", image_count=12)
    other = emulator.add_product("Cap", "CAP-1", image_count=5)
    session = StoreSession(StoreInfo("Test store", oauth_for(emulator)), tmp_path / "cache")
    page = StorePage(session, open_first=first)
    qtbot.addWidget(page)
    page.start(other)
    qtbot.waitUntil(lambda: page.images_ready, timeout=10000)
    assert page.image_model.product_id == other
    assert page.image_model.rowCount() == emulator.image_count(other)
    qtbot.wait(300)  # the dropped listing's answer, if it came, must not replace the grid
    assert page.image_model.product_id == other
    session.close()


BOUNDARY_CHECK = r"(^|&)limit=1(&|$)"  # all_images' one-image look at a page boundary


def test_a_long_listing_shows_before_its_boundary_check_and_stays_if_the_check_fails(
        qtbot: QtBot, emulator_factory, make_window) -> None:
    """300 images: the grid fills after the two pages, not after the third request that
    checks their boundary; when only that check fails, the list stays, with what to do."""
    from app.store_emulator.config import Faults
    from app.ui.store_page import StorePage

    emulator = emulator_factory(catalog="empty")
    product_id = emulator.add_product("Big", "BIG-1", image_count=300)
    emulator.faults = Faults(error_rate=1.0, only_paths=r"/products/\d+/images$",
                             only_queries=BOUNDARY_CHECK)
    window = make_window()
    page: StorePage | None = window.open_store(StoreInfo("Test store", oauth_for(emulator)),
                                               product_id)
    assert page is not None
    qtbot.waitUntil(lambda: not page.saved_copy_banner.isHidden(), timeout=30000)
    assert page.saved_copy_banner.text == (
        "The store could not send the last check of this list. It may lack an image if "
        "another was deleted on the store just now: Retry to check it.")
    assert page.image_model.rowCount() == 300
    assert page.grid_stack.currentWidget() is page.grid and not page.images_failed
    assert any("limit=1" in request.query for request in emulator.requests())

    # Retry, with the store mended: checked this time, the rows stay where they are.
    emulator.faults = Faults()
    removed: list[object] = []
    page.image_model.modelReset.connect(lambda: removed.append("reset"))
    page.image_model.rowsRemoved.connect(lambda *args: removed.append(args))
    page.saved_copy_banner.action_button.click()
    qtbot.waitUntil(lambda: page.saved_copy_banner.isHidden(), timeout=5000)
    qtbot.waitUntil(lambda: sum(request.query == "page=250&limit=1" and request.path.endswith(
        f"/products/{product_id}/images") for request in emulator.requests()) >= 2,
        timeout=10000)
    qtbot.wait(300)
    assert page.image_model.rowCount() == 300 and removed == []
    assert page.saved_copy_banner.isHidden()


def test_a_product_opened_by_id_beyond_the_lists_first_page_gets_its_name(
        qtbot: QtBot, empty_emulator, open_store) -> None:
    """Opened by id (the command line, the last session) and not among the product list's
    first 50: its record is read, so the header and {product}/{sku} have its name."""
    emulator = empty_emulator
    for number in range(60):
        emulator.add_product(f"Filler {number}", f"FILL-{number}", image_count=0)
    product_id = emulator.add_product("Walnut Desk", "DESK-9", image_count=3)
    page = open_store(emulator, product_id)
    qtbot.waitUntil(lambda: page.current_product is not None, timeout=10000)
    assert (page.current_product.name, page.current_product.sku) == ("Walnut Desk", "DESK-9")
    assert page.grid_header.text() == "Walnut Desk: 3 images"
    assert page.product_model.row_of(product_id) is None  # not in the list: from its record


def test_a_list_shown_before_its_check_is_kept_on_this_computer(
        qtbot: QtBot, emulator_factory, open_store) -> None:
    """The check never comes, then the store cannot be reached at all: the list the merchant
    saw is the saved copy shown instead (it was not kept when only checked lists were)."""
    from app.store_emulator.config import Faults

    emulator = emulator_factory(catalog="empty")
    product_id = emulator.add_product("Big", "BIG-1", image_count=300)
    emulator.faults = Faults(error_rate=1.0, only_paths=r"/products/\d+/images$",
                             only_queries=BOUNDARY_CHECK)
    page = open_store(emulator, product_id)
    assert page.image_model.rowCount() == 300
    emulator.faults = Faults(drop_rate=1.0)
    page.reload_images()  # cancels the listing whose check was still being retried
    qtbot.waitUntil(lambda: not page.saved_copy_banner.isHidden(), timeout=30000)
    assert page.saved_copy_banner.text.startswith("The store can't be reached. Showing the "
                                                  "copy saved on this computer")
    assert page.image_model.rowCount() == 300 and page.grid_stack.currentWidget() is page.grid
