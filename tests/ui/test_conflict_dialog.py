"""The conflict review dialog (issue 10 §3): each choice says which changes and how, "for all"
covers the rest, the list can change while it is open, store text is shown plainly and cut to
fit, and nothing left says so."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QColor, QImage, QKeySequence
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from app.api import ImageDownloader, StoreClient
from app.api.models import ProductImage
from app.services.conflicts import Conflict, ConflictKind, Resolution
from app.services.thumbnails import ThumbnailLoader
from app.ui.conflict_dialog import TITLE, ConflictDialog, LoaderPictures
from tests.ui.conftest import oauth_for

HOSTILE = "<b>x</b>"
LONG_ALT = ("A very long alt text from the store that goes on and on " * 100)[:5000]


def image(image_id: int, description: str | None, thumbnail: bool = False,
          tag: str = "base") -> ProductImage:
    return ProductImage(id=image_id, product_id=7, description=description,
                        is_thumbnail=thumbnail, tiny_url=f"https://cdn.test/{tag}/{image_id}/t",
                        standard_url=f"https://cdn.test/{tag}/{image_id}/s",
                        thumbnail_url=f"https://cdn.test/{tag}/{image_id}/m")


def changed(op_id: int, mine: str = "Mine", theirs: str = "Theirs") -> Conflict:
    base = image(op_id, "Before")
    return Conflict(7, op_id, ConflictKind.CHANGED, f"Alt text of image {op_id}", base,
                    dataclasses.replace(base, description=mine, standard_url=base.standard_url),
                    image(op_id, theirs, tag="store"), ("description",))


def deleted(op_id: int, mine: str = "Mine") -> Conflict:
    base = image(op_id, "Before")
    return Conflict(7, op_id, ConflictKind.DELETED, f"Alt text of image {op_id}", base,
                    dataclasses.replace(base, description=mine), None, ("description",))


class Pictures:
    """A picture source that answers at once with a coloured QImage, and counts the asks."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.held: list[tuple[str, Callable[[QImage], None]]] = []
        self.hold = False

    def __call__(self, url: str, on_image: Callable[[QImage], None]) -> None:
        self.asked.append(url)
        if self.hold:
            self.held.append((url, on_image))
            return
        on_image(picture())


def picture() -> QImage:
    result = QImage(220, 160, QImage.Format.Format_RGB32)
    result.fill(QColor("#3a7bd5"))
    return result


@pytest.fixture
def window(qtbot: QtBot) -> QWidget:
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.resize(900, 620)
    parent.show()
    return parent


@pytest.fixture
def make_dialog(qtbot: QtBot, window: QWidget) -> Callable[..., ConflictDialog]:
    def make(conflicts: list[Conflict], pictures: Pictures | None = None) -> ConflictDialog:
        dialog = ConflictDialog(pictures or Pictures(), window,
                                product_name=lambda product_id: "Canvas Tote")
        dialog.set_conflicts(conflicts)
        dialog.show()
        qtbot.waitExposed(dialog)
        return dialog
    return make


def record(dialog: ConflictDialog) -> list[tuple[list[int], Resolution]]:
    seen: list[tuple[list[int], Resolution]] = []
    dialog.decided.connect(lambda ids, resolution: seen.append((list(ids), resolution)))
    return seen


def test_it_is_a_non_modal_dialog_of_the_window(make_dialog, window: QWidget) -> None:
    dialog = make_dialog([changed(1)])
    assert dialog.windowTitle() == TITLE
    assert not dialog.isModal()
    assert dialog.parentWidget() is window


@pytest.mark.parametrize("button, resolution", [("keep_mine_button", Resolution.KEEP_MINE),
                                                ("keep_stores_button", Resolution.KEEP_STORES),
                                                ("skip_button", Resolution.SKIP)])
def test_each_button_decides_the_current_change_and_moves_on(
        make_dialog, qtbot: QtBot, button: str, resolution: Resolution) -> None:
    dialog = make_dialog([changed(11), changed(12), changed(13)])
    seen = record(dialog)
    assert dialog.position.text() == "1 of 3"
    qtbot.mouseClick(getattr(dialog, button), Qt.MouseButton.LeftButton)
    assert seen == [([11], resolution)]
    assert dialog.current().op_id == 12
    # A decided change leaves the walk; a skipped one stays, passed.
    assert dialog.position.text() == ("2 of 3" if resolution is Resolution.SKIP else "1 of 2")
    assert dialog.isVisible()


def test_the_last_choice_closes_the_dialog_and_skipped_ones_come_back_next_time(
        make_dialog, qtbot: QtBot) -> None:
    dialog = make_dialog([changed(1), changed(2)])
    seen = record(dialog)
    qtbot.mouseClick(dialog.skip_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.keep_stores_button, Qt.MouseButton.LeftButton)
    assert seen == [([1], Resolution.SKIP), ([2], Resolution.KEEP_STORES)]
    assert not dialog.isVisible()
    dialog.show()
    assert [c.op_id for c in dialog.conflicts()] == [1]
    assert dialog.current().op_id == 1 and dialog.position.text() == "1 of 1"


def test_a_deleted_image_offers_to_add_it_again(make_dialog, qtbot: QtBot) -> None:
    dialog = make_dialog([changed(1), deleted(2)])
    assert dialog.keep_mine_button.text() == "Keep &mine"
    qtbot.mouseClick(dialog.skip_button, Qt.MouseButton.LeftButton)
    assert dialog.keep_mine_button.text() == "Add it again with &my changes"
    assert dialog.theirs.picture.message == "Deleted on the store"
    assert not dialog.theirs.alt_text.isVisible()
    assert dialog.mine.alt_text.text() == "Mine"
    seen = record(dialog)
    qtbot.mouseClick(dialog.keep_mine_button, Qt.MouseButton.LeftButton)
    assert seen == [([2], Resolution.KEEP_MINE)]


def test_a_change_that_deleted_the_image_says_so(make_dialog) -> None:
    base = image(5, "Side view")
    conflict = Conflict(7, 5, ConflictKind.CHANGED, "Deleting image 5", base, None,
                        image(5, "Side view, by Sam", tag="store"), ("description",))
    dialog = make_dialog([conflict])
    assert dialog.mine.picture.message == "You deleted this image"
    assert not dialog.mine.alt_text.isVisible()
    assert dialog.theirs.alt_text.text() == "Side view, by Sam"
    assert "delete it" in dialog.keep_mine_button.text()


def test_for_all_covers_every_other_conflict(make_dialog, qtbot: QtBot) -> None:
    dialog = make_dialog([changed(1), changed(2), deleted(3), changed(4)])
    seen = record(dialog)
    qtbot.mouseClick(dialog.skip_button, Qt.MouseButton.LeftButton)  # 1 skipped: still "other"
    assert dialog.for_all.text() == "Do the same for the &other 3 conflicts"
    dialog.for_all.setChecked(True)
    qtbot.mouseClick(dialog.keep_stores_button, Qt.MouseButton.LeftButton)
    assert seen[-1] == ([2, 1, 3, 4], Resolution.KEEP_STORES)
    assert dialog.conflicts() == []
    assert not dialog.isVisible()


def test_skip_for_all_leaves_them_all_waiting(make_dialog, qtbot: QtBot) -> None:
    dialog = make_dialog([changed(1), changed(2), changed(3)])
    seen = record(dialog)
    dialog.for_all.setChecked(True)
    qtbot.mouseClick(dialog.skip_button, Qt.MouseButton.LeftButton)
    assert seen == [([1, 2, 3], Resolution.SKIP)]
    assert not dialog.isVisible()
    assert [c.op_id for c in dialog.conflicts()] == [1, 2, 3]
    assert not dialog.for_all.isChecked()  # a next time starts unticked


def test_for_all_is_not_offered_for_a_single_conflict(make_dialog) -> None:
    dialog = make_dialog([changed(1), changed(2)])
    assert dialog.for_all.isVisible()
    assert dialog.for_all.text() == "Do the same for the &other 1 conflict"
    dialog.set_conflicts([changed(2)])
    assert not dialog.for_all.isVisible()


def test_updates_while_open(make_dialog, qtbot: QtBot) -> None:
    dialog = make_dialog([changed(1), changed(2), changed(3)])
    qtbot.mouseClick(dialog.skip_button, Qt.MouseButton.LeftButton)
    assert dialog.current().op_id == 2
    # 3 resolved elsewhere, 4 joins: the one shown stays, the new one is at the end.
    dialog.set_conflicts([changed(4), changed(2), changed(1)])
    assert [c.op_id for c in dialog.conflicts()] == [1, 2, 4]
    assert dialog.current().op_id == 2 and dialog.position.text() == "2 of 3"
    # The one shown is resolved elsewhere: the next one is shown.
    dialog.set_conflicts([changed(1), changed(4)])
    assert dialog.current().op_id == 4 and dialog.position.text() == "2 of 2"
    # The one shown now, refreshed (the store changed again): shown with its new record.
    dialog.set_conflicts([changed(1), changed(4, theirs="Theirs, again")])
    assert dialog.theirs.alt_text.text() == "Theirs, again"
    # The last one shown leaves: back to the skipped one rather than an empty dialog.
    dialog.set_conflicts([changed(1)])
    assert dialog.current().op_id == 1 and dialog.isVisible()


def test_a_choice_the_queue_has_not_taken_yet_is_not_asked_again(make_dialog, qtbot: QtBot
                                                                    ) -> None:
    dialog = make_dialog([changed(1), changed(2)])
    qtbot.mouseClick(dialog.keep_mine_button, Qt.MouseButton.LeftButton)
    dialog.set_conflicts([changed(1), changed(2)])  # the queue still lists it, unchanged
    assert [c.op_id for c in dialog.conflicts()] == [2]
    # The same change meets a store that changed once more: a new conflict, asked again.
    dialog.set_conflicts([changed(1, theirs="Changed again"), changed(2)])
    assert [c.op_id for c in dialog.conflicts()] == [2, 1]


def test_a_queue_that_answers_at_once_keeps_the_walk_going(make_dialog, qtbot: QtBot) -> None:
    dialog = make_dialog([changed(1), changed(2)])
    remaining = {1: changed(1), 2: changed(2)}

    def queue(ids: list[int], resolution: Resolution) -> None:
        if resolution is not Resolution.SKIP:
            for op_id in ids:
                remaining.pop(op_id)
        if ids == [2]:
            remaining[3] = changed(3)  # a conflict found meanwhile
        dialog.set_conflicts(list(remaining.values()))

    dialog.decided.connect(queue)
    qtbot.mouseClick(dialog.skip_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.keep_mine_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.current().op_id == 3
    assert dialog.position.text() == "2 of 2"
    qtbot.mouseClick(dialog.keep_mine_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()  # only the skipped one is left: the walk is over


def test_hostile_store_text_is_shown_as_typed(make_dialog) -> None:
    dialog = make_dialog([changed(1, mine=HOSTILE, theirs=f"{HOSTILE}\n<img src=x>")])
    for label in (dialog.mine.alt_text, dialog.theirs.alt_text, dialog.heading,
                  dialog.description, dialog.before_alt_text):
        assert label.textFormat() == Qt.TextFormat.PlainText
    assert dialog.mine.alt_text.text() == HOSTILE
    assert dialog.mine.alt_text.shown_lines() == [HOSTILE]
    assert dialog.theirs.alt_text.shown_lines() == [f"{HOSTILE} <img src=x>"]
    # No label anywhere in the dialog interprets text as markup.
    for label in dialog.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText, label.accessibleName()


def test_a_long_alt_text_is_cut_and_never_widens_the_dialog(make_dialog, window: QWidget
                                                               ) -> None:
    dialog = make_dialog([changed(1, theirs=LONG_ALT), deleted(2, mine=LONG_ALT)])
    width = dialog.width()
    label = dialog.theirs.alt_text
    lines = label.shown_lines()
    assert 1 < len(lines) <= 3
    assert lines[-1].endswith("…")
    assert label.is_elided()
    assert label.text() == LONG_ALT  # screen readers get it whole
    assert "A very long alt text" in label.toolTip() and len(label.toolTip()) < 1200
    assert label.height() <= 4 * label.fontMetrics().lineSpacing()
    dialog.skip_button.click()
    assert dialog.mine.alt_text.shown_lines()[-1].endswith("…")
    assert dialog.width() == width
    assert dialog.width() <= window.width() and dialog.height() <= window.height()


def test_it_fits_a_small_window(make_dialog, qtbot: QtBot, window: QWidget) -> None:
    dialog = make_dialog([deleted(1, mine=LONG_ALT), changed(2)])
    assert dialog.minimumSize().width() <= 900 - 100
    assert dialog.minimumSize().height() <= 620 - 100
    assert dialog.minimumSizeHint().width() <= dialog.minimumWidth()
    dialog.resize(dialog.minimumSize())
    qtbot.waitUntil(lambda: dialog.size() == dialog.minimumSize())
    QApplication.processEvents()
    # Everything on screen, nothing on top of anything at the smallest size.
    for _ in range(2):
        side = dialog.mine
        assert side.picture.height() >= side.picture.minimumHeight()
        assert side.picture.geometry().bottom() < side.alt_caption.geometry().top()
        assert side.alt_caption.geometry().bottom() < side.alt_text.geometry().top()
        assert side.alt_text.geometry().bottom() <= side.thumbnail.geometry().top()
        assert side.thumbnail.geometry().bottom() <= side.contentsRect().bottom()
        assert dialog.theirs.picture.height() >= dialog.theirs.picture.minimumHeight()
        dialog.skip_button.click()  # the other one: a changed image
        QApplication.processEvents()
    for button in (dialog.keep_mine_button, dialog.keep_stores_button, dialog.skip_button):
        assert dialog.rect().contains(button.geometry())


def test_pictures_of_both_sides_and_of_before(make_dialog) -> None:
    pictures = Pictures()
    dialog = make_dialog([changed(1), deleted(2)], pictures)
    assert dialog.mine.picture.has_picture() and dialog.theirs.picture.has_picture()
    assert dialog.before_picture.has_picture()
    assert "https://cdn.test/store/1/s" in pictures.asked  # the store's own rendition
    assert any(url.endswith("/t") for url in pictures.asked)  # the small one: tiny
    asked = len(pictures.asked)
    dialog.skip_button.click()
    dialog.close()
    dialog.show()  # back at the first: its pictures are kept, not asked again
    assert len(pictures.asked) == asked + 2 and dialog.mine.picture.has_picture()


def test_a_picture_arriving_late_lands_on_its_own_conflict(make_dialog, qtbot: QtBot) -> None:
    pictures = Pictures()
    pictures.hold = True
    dialog = make_dialog([changed(1), changed(2)], pictures)
    assert dialog.mine.picture.message == "Loading the picture…"
    first = list(pictures.held)
    dialog.skip_button.click()
    for _url, deliver in first:
        deliver(picture())  # conflict 1's pictures, while 2 is shown
    assert not dialog.theirs.picture.has_picture()
    assert not dialog.mine.picture.has_picture()
    dialog.close()
    dialog.show()  # back at the first: they arrived, so they are shown without a new ask
    asked = len(pictures.asked)
    assert dialog.mine.picture.has_picture() and dialog.theirs.picture.has_picture()
    assert len(pictures.asked) == asked
    later = pictures.held[len(first):]
    assert later  # conflict 2's pictures, still on their way
    dialog.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not shiboken6.isValid(dialog)
    for _url, deliver in later:
        deliver(picture())  # after the dialog is gone: nothing happens, nothing breaks


def test_nothing_left(make_dialog, window: QWidget) -> None:
    dialog = make_dialog([changed(1)])
    seen = record(dialog)
    dialog.set_conflicts([])  # resolved elsewhere while open
    assert dialog.isVisible() and dialog.done_message.isVisible()
    assert "No conflicts left" in dialog.done_message.text()
    dialog.choose(Resolution.KEEP_MINE)
    assert seen == []
    dialog.set_conflicts([changed(2)])  # a new one while it says so
    assert dialog.current().op_id == 2 and dialog.keep_mine_button.isVisible()
    empty = ConflictDialog(Pictures(), window)
    assert empty.current() is None and empty.pages.currentWidget() is not None


def test_escape_closes_and_decides_nothing(make_dialog, qtbot: QtBot) -> None:
    dialog = make_dialog([changed(1), changed(2)])
    seen = record(dialog)
    dialog.skip_button.click()
    seen.clear()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert seen == []
    assert [c.op_id for c in dialog.conflicts()] == [1, 2]


def test_keyboard_and_screen_readers(make_dialog, qtbot: QtBot) -> None:
    dialog = make_dialog([changed(1), changed(2), deleted(3)])
    controls = [dialog.keep_mine_button, dialog.keep_stores_button, dialog.skip_button,
                dialog.for_all]
    keys = [QKeySequence.mnemonic(control.text()).toString() for control in controls]
    assert all(keys) and len(set(keys)) == len(keys), keys
    assert all(not control.autoDefault() for control in controls[:3]
               if isinstance(control, QAbstractButton) and hasattr(control, "autoDefault"))
    for widget in [*controls, dialog, dialog.mine, dialog.theirs, dialog.mine.alt_text,
                   dialog.theirs.alt_text, dialog.mine.picture, dialog.position,
                   dialog.description, dialog.before_alt_text]:
        assert widget.accessibleName(), widget
    # The mnemonic chooses: Alt+K skips.
    seen = record(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClick(dialog, Qt.Key.Key_K, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: seen == [([1], Resolution.SKIP)])  # a mnemonic animates a click


def test_pictures_from_the_stores_image_server(qtbot: QtBot, window: QWidget, empty_emulator
                                                ) -> None:
    """Wired as the app wires it: the session's side-picture loader, pictures from the CDN;
    a picture the CDN does not have says so instead of loading for ever."""
    product_id = empty_emulator.add_product("Canvas Tote", "TOTE-1", image_count=2)
    client = StoreClient(oauth_for(empty_emulator))
    downloader = ImageDownloader()
    loader = ThumbnailLoader(downloader, cache=None, workers=2)
    try:
        first, second = client.all_images(product_id)
        mine = dataclasses.replace(first, description="Mine")
        theirs = dataclasses.replace(first, description="Theirs")
        missing = dataclasses.replace(second, standard_url=second.standard_url.replace(
                                          "/images/", "/images/gone-"),
                                      thumbnail_url=None, zoom_url=None)
        conflicts = [
            Conflict(product_id, 1, ConflictKind.CHANGED, "Alt text of image 1", first, mine,
                     theirs, ("description",)),
            Conflict(product_id, 2, ConflictKind.CHANGED, "Alt text of image 2", second,
                     dataclasses.replace(second, description="Mine"), missing,
                     ("description",)),
        ]
        dialog = ConflictDialog(LoaderPictures.for_widget(loader, window), window)
        dialog.set_conflicts(conflicts)
        dialog.show()
        qtbot.waitUntil(lambda: dialog.mine.picture.has_picture()
                        and dialog.theirs.picture.has_picture()
                        and dialog.before_picture.has_picture(), timeout=15000)
        dialog.skip_button.click()
        qtbot.waitUntil(lambda: dialog.theirs.picture.message
                        == "The picture could not be loaded", timeout=15000)
        qtbot.waitUntil(dialog.mine.picture.has_picture, timeout=15000)
    finally:
        loader.shutdown()
        downloader.close()
        client.close()


def test_a_walk_ended_while_hidden_starts_again_when_shown(window: QWidget) -> None:
    dialog = ConflictDialog(Pictures(), window)
    dialog.set_conflicts([changed(1), changed(2)])
    dialog.choose(Resolution.SKIP)
    dialog.choose(Resolution.SKIP)
    dialog.show()
    assert dialog.current().op_id == 1 and dialog.position.text() == "1 of 2"
    dialog.close()
