"""The details pane says where the selected card's own change is; a failure is spelled out
there in full, with Retry and Discard beside it (the card has room only for a badge)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.api import StoreClient
from app.services.image_state import Badge
from app.store_emulator import Faults
from app.ui.image_model import ImageRoles
from tests.support.image_verbs import select_rows
from tests.ui.conftest import oauth_for

PRODUCT = 6


def _fail_a_star(qtbot: QtBot, emulator, open_store):  # type: ignore[no-untyped-def]
    page = open_store(emulator, PRODUCT)
    qtbot.waitUntil(lambda: page.image_model.rowCount() > 3, timeout=15000)
    page.window().ask = lambda *args: True  # closing with a failed change: close anyway
    emulator.faults = Faults(error_rate=1.0, only_methods=frozenset({"PUT"}))
    select_rows(page, [3])
    notice = page.details.change_notice
    page.verbs.thumbnail_action.trigger()
    qtbot.waitUntil(lambda: page.session.queue.counts() == (0, 0, 1), timeout=30000)
    emulator.faults = Faults()
    return page, notice


def _stars_on_store(emulator) -> list[int]:  # type: ignore[no-untyped-def]
    client = StoreClient(oauth_for(emulator))
    try:
        return [image.id for image in client.list_images(PRODUCT) if image.is_thumbnail]
    finally:
        client.close()


def test_a_failed_change_shows_its_reason_and_retry_sends_it(
        qtbot: QtBot, emulator, open_store) -> None:
    page, notice = _fail_a_star(qtbot, emulator, open_store)
    card = page.image_model.index(3)
    assert card.data(ImageRoles.SyncBadge) is Badge.FAILED
    qtbot.waitUntil(notice.isVisible, timeout=5000)
    reason = card.data(ImageRoles.SyncReason)
    assert reason and notice.text.text() == reason
    assert notice.retry_button.isVisible() and notice.discard_button.isVisible()
    starred = card.data(ImageRoles.Image).id
    notice.retry_button.click()
    qtbot.waitUntil(lambda: page.session.queue.counts() == (0, 0, 0), timeout=30000)
    qtbot.waitUntil(lambda: not notice.isVisible(), timeout=5000)
    assert _stars_on_store(emulator) == [starred]


def test_discard_in_the_details_pane_puts_the_card_back_and_sends_nothing(
        qtbot: QtBot, emulator, open_store) -> None:
    before = _stars_on_store(emulator)
    page, notice = _fail_a_star(qtbot, emulator, open_store)
    qtbot.waitUntil(notice.isVisible, timeout=5000)
    puts = len([r for r in emulator.requests() if r.method == "PUT"])
    notice.discard_button.click()
    qtbot.waitUntil(lambda: page.session.queue.counts() == (0, 0, 0), timeout=30000)
    qtbot.waitUntil(lambda: not notice.isVisible(), timeout=5000)
    assert not page.image_model.index(3).data(ImageRoles.Image).is_thumbnail
    assert len([r for r in emulator.requests() if r.method == "PUT"]) == puts
    assert _stars_on_store(emulator) == before


def test_selecting_another_card_hides_the_notice(qtbot: QtBot, emulator, open_store) -> None:
    page, notice = _fail_a_star(qtbot, emulator, open_store)
    qtbot.waitUntil(notice.isVisible, timeout=5000)
    select_rows(page, [1])
    assert not notice.isVisible()
    select_rows(page, [3])
    assert notice.isVisible()
