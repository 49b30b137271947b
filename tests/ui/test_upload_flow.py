"""Adding pictures through the real window: drops (real QMimeData), paste, "Add images…" (only
the OS file dialog is replaced), a drop on a product in the list; then the emulator is read:
the uploaded originals' hashes, their order and position, nothing lost or added twice."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QByteArray, QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import QApplication, QFileDialog
from pytestqt.qtbot import QtBot

from app.api import StoreClient
from app.api.auth import BasicCredentials
from app.api.models import ProductImage
from app.services.image_state import Badge
from app.services.session import StoreInfo
from app.store_emulator import StoreEmulator
from app.ui.product_model import ProductRoles
from app.ui.store_page import StorePage
from tests.ui.conftest import oauth_for

WAIT_MS = 30000


# ---- pictures and mime data ----------------------------------------------------------------

def picture(path: Path, size: tuple[int, int] = (64, 48), colour: tuple[int, int, int] = (200, 80, 40),
            kind: str = "PNG") -> bytes:
    """A real picture file made by Pillow; returns its bytes."""
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, kind)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())
    return out.getvalue()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_drop(*paths: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    return mime


# ---- the store, read back ------------------------------------------------------------------

@pytest.fixture
def store_reader(empty_emulator: StoreEmulator) -> Iterator[StoreClient]:
    client = StoreClient(oauth_for(empty_emulator))
    yield client
    client.close()


def store_images(client: StoreClient, product_id: int) -> list[ProductImage]:
    return sorted(client.all_images(product_id), key=lambda i: (i.sort_order, i.id))


def original_hashes(emulator: StoreEmulator, images: list[ProductImage]) -> list[str]:
    store = emulator._running_store()
    return [sha(store.original(image.id) or b"") for image in images]


def settled(page: StorePage) -> bool:
    """Nothing left to send, and the grid shows the queue's last word."""
    queue = page.session.queue
    return (queue is not None and queue.is_idle() and queue.pending_count() == 0
            and page.changes_shown())


def card_keys(page: StorePage) -> list[str]:
    return [row.key for row in page.view_rows()]


# ---- drops on the grid ---------------------------------------------------------------------

def test_dropped_files_become_cards_at_the_drop_position_then_the_store_has_them_in_order(
        qtbot: QtBot, empty_emulator: StoreEmulator, open_store, store_reader,
        tmp_path: Path) -> None:
    emu = empty_emulator
    pid = emu.add_product("Red Mug", "MUG", image_count=3)
    page = open_store(emu, pid)
    before = store_images(store_reader, pid)
    files = [tmp_path / name for name in ("side.png", "top.jpg", "handle.png")]
    contents = [picture(files[0], colour=(10, 20, 30)),
                picture(files[1], colour=(40, 50, 60), kind="JPEG"),
                picture(files[2], colour=(70, 80, 90))]
    keys_before = card_keys(page)
    flow, queue = page.uploads, page.session.queue
    assert flow is not None and queue is not None
    queue.set_sending_paused(True)   # to look at the cards while they wait
    with qtbot.waitSignal(flow.batchFinished, timeout=WAIT_MS) as done:
        assert flow.drop(file_drop(*files), 1)
    assert done.args[0].added == 3 and done.args[0].refused == ()
    # The cards are there at once, where they were dropped, waiting to be sent.
    qtbot.waitUntil(lambda: page.image_model.rowCount() == 6, timeout=WAIT_MS)
    rows = page.view_rows()
    assert [row.key for row in rows[:1] + rows[4:]] == keys_before
    assert [row.image.image_file for row in rows[1:4]] == ["side.png", "top.jpg", "handle.png"]
    assert [row.badge for row in rows[1:4]] == [Badge.WAITING] * 3
    queue.set_sending_paused(False)
    assert page.grid_header.text() == "Red Mug: 6 images"
    assert page.product_model.index(page.product_model.row_of(pid)).data(
        ProductRoles.ImageCount) == 6
    # Then the store has them: the same bytes, in the dropped order, at the dropped place.
    qtbot.waitUntil(lambda: settled(page) and len(store_images(store_reader, pid)) == 6,
                    timeout=WAIT_MS)
    after = store_images(store_reader, pid)
    assert [i.id for i in after[:1] + after[4:]] == [i.id for i in before]
    assert original_hashes(emu, after[1:4]) == [sha(c) for c in contents]
    assert card_keys(page)[1:4] == [row.key for row in rows[1:4]]  # the cards kept their keys


def test_a_dropped_folder_adds_its_pictures_recursively_and_names_the_junk(
        qtbot: QtBot, empty_emulator: StoreEmulator, open_store, store_reader,
        tmp_path: Path) -> None:
    emu = empty_emulator
    pid = emu.add_product("Tote", "TOTE", image_count=1)
    page = open_store(emu, pid)
    shoot = tmp_path / "shoot"
    contents = [picture(shoot / "01 front.png", colour=(1, 2, 3)),
                picture(shoot / "details" / "02 strap.png", colour=(4, 5, 6)),
                picture(shoot / "details" / "deeper" / "03 inside.jpg", colour=(7, 8, 9),
                        kind="JPEG")]
    (shoot / "notes.txt").write_text("shoot on Monday")
    (shoot / ".DS_Store").write_bytes(b"\x00junk")
    (shoot / "details" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    flow = page.uploads
    assert flow is not None
    with qtbot.waitSignal(flow.batchFinished, timeout=WAIT_MS) as done:
        flow.drop(file_drop(shoot), page.image_model.rowCount())
    outcome = done.args[0]
    assert outcome.added == 3
    assert [r.name for r in outcome.refused] == ["shoot/details/broken.png"]
    report = flow.report_box
    assert report is not None and report.isVisible()
    assert "broken.png" in report.text() and "damaged" in report.text()
    assert "other file" in report.text()  # notes.txt: left out, and said so
    qtbot.waitUntil(lambda: settled(page) and len(store_images(store_reader, pid)) == 4,
                    timeout=WAIT_MS)
    assert original_hashes(emu, store_images(store_reader, pid)[1:]) == [sha(c) for c in contents]


def test_a_dropped_picture_address_is_added_by_the_store(
        qtbot: QtBot, empty_emulator: StoreEmulator, open_store, store_reader) -> None:
    emu = empty_emulator
    source = emu.add_product("Source", "SRC", image_count=1)
    pid = emu.add_product("Cap", "CAP", image_count=2)
    url = store_images(store_reader, source)[0].zoom_url
    assert url
    import httpx
    expected = httpx.get(url).raise_for_status().content   # what the address gives
    page = open_store(emu, pid)
    mime = QMimeData()
    mime.setUrls([QUrl("https://shop.example/a-page")])   # a browser: the link around it
    mime.setHtml(f'<a href="https://shop.example/a-page"><img src="{url}"></a>')
    flow = page.uploads
    assert flow is not None
    with qtbot.waitSignal(flow.batchFinished, timeout=WAIT_MS) as done:
        flow.drop(mime, 0)
    assert done.args[0].added == 1
    qtbot.waitUntil(lambda: page.image_model.rowCount() == 3, timeout=WAIT_MS)
    assert page.view_rows()[0].source_url == url
    qtbot.waitUntil(lambda: settled(page) and len(store_images(store_reader, pid)) == 3,
                    timeout=WAIT_MS)
    first = store_images(store_reader, pid)[0]
    stored = emu._running_store().original(first.id)
    assert stored is not None and sha(stored) == sha(expected)   # fetched from the address


def test_dropped_picture_data_is_uploaded_byte_for_byte(
        qtbot: QtBot, empty_emulator: StoreEmulator, open_store, store_reader,
        tmp_path: Path) -> None:
    emu = empty_emulator
    pid = emu.add_product("Lamp", "LAMP", image_count=2)
    page = open_store(emu, pid)
    content = picture(tmp_path / "x.png", colour=(0, 128, 255))
    mime = QMimeData()
    mime.setData("image/png", QByteArray(content))
    flow = page.uploads
    assert flow is not None
    with qtbot.waitSignal(flow.batchFinished, timeout=WAIT_MS) as done:
        flow.drop(mime, 2)
    assert done.args[0].added == 1
    qtbot.waitUntil(lambda: settled(page) and len(store_images(store_reader, pid)) == 3,
                    timeout=WAIT_MS)
    assert original_hashes(emu, store_images(store_reader, pid)[2:]) == [sha(content)]


def test_ctrl_v_on_the_grid_pastes_the_copied_picture_after_the_selected_card(
        qtbot: QtBot, empty_emulator: StoreEmulator, open_store, store_reader,
        tmp_path: Path) -> None:
    emu = empty_emulator
    pid = emu.add_product("Vase", "VASE", image_count=3)
    page = open_store(emu, pid)
    content = picture(tmp_path / "copied.png", colour=(9, 99, 199))
    QGuiApplication.clipboard().setMimeData(file_drop(tmp_path / "copied.png"))
    page.grid.selectionModel().select(page.image_model.index(0),
                                      page.grid.selectionModel().SelectionFlag.ClearAndSelect)
    page.window().activateWindow()
    page.grid.setFocus()
    qtbot.waitUntil(page.grid.hasFocus, timeout=5000)
    flow = page.uploads
    assert flow is not None
    with qtbot.waitSignal(flow.batchFinished, timeout=WAIT_MS):
        qtbot.keyClick(page.grid, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: settled(page) and len(store_images(store_reader, pid)) == 4,
                    timeout=WAIT_MS)
    assert original_hashes(emu, store_images(store_reader, pid)[1:2]) == [sha(content)]
    # Elsewhere Ctrl+V is the text field's: the search field pastes text, adds nothing.
    QGuiApplication.clipboard().setText("mug")
    page.search_field.setFocus()
    qtbot.waitUntil(page.search_field.hasFocus, timeout=5000)
    qtbot.keyClick(page.search_field, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert page.search_field.text() == "mug" and not flow.busy


def test_add_images_opens_the_file_dialog_and_adds_every_chosen_file(
        qtbot: QtBot, empty_emulator: StoreEmulator, open_store, store_reader,
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    emu = empty_emulator
    pid = emu.add_product("Clock", "CLK", image_count=0)
    page = open_store(emu, pid)
    assert page.grid_stack.currentWidget() is page.grid_panel   # "no images… drop here"
    assert "Drop pictures here" in page.grid_panel.why and "Add images" in page.grid_panel.why
    files = [tmp_path / f"clock {n}.png" for n in (1, 2)]
    contents = [picture(path, colour=(n * 50, 0, 0)) for n, path in enumerate(files)]
    asked = []

    def file_dialog(parent, caption, folder, filters):  # type: ignore[no-untyped-def]
        asked.append((caption, filters))
        return [str(path) for path in files], filters.split(";;")[0]

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(file_dialog))
    window = page.window()
    assert page.add_images_action in window.edit_menu.actions()
    flow = page.uploads
    assert flow is not None
    with qtbot.waitSignal(flow.batchFinished, timeout=WAIT_MS):
        page.add_images_action.trigger()
    assert asked and "*.jpg" in asked[0][1] and "*.webp" in asked[0][1]
    qtbot.waitUntil(lambda: page.grid_stack.currentWidget() is page.grid, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: settled(page) and len(store_images(store_reader, pid)) == 2,
                    timeout=WAIT_MS)
    assert original_hashes(emu, store_images(store_reader, pid)) == [sha(c) for c in contents]
    assert page.grid_header.text().endswith("2 images")


def heic(path: Path) -> None:
    path.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(200))


def noisy_png(path: Path, side: int) -> bytes:
    """A PNG that does not compress: over 8 MB at 1800 px a side."""
    import random
    rng = random.Random(side)
    Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3)).save(path, "PNG",
                                                                             compress_level=1)
    return path.read_bytes()


@pytest.mark.parametrize("answer", ["Make smaller", "Skip them"])
def test_a_heic_is_refused_with_the_fix_and_an_oversized_picture_is_asked_about_once(
        qtbot: QtBot, empty_emulator: StoreEmulator, open_store, store_reader,
        tmp_path: Path, answer: str) -> None:
    emu = empty_emulator
    pid = emu.add_product("Chair", "CHR", image_count=1)
    page = open_store(emu, pid)
    heic(tmp_path / "photo.heic")
    big = noisy_png(tmp_path / "huge.png", 1800)
    assert len(big) > 8 * 1024 * 1024
    fine = picture(tmp_path / "fine.png", colour=(3, 3, 3))
    flow = page.uploads
    assert flow is not None
    flow.drop(file_drop(tmp_path / "photo.heic", tmp_path / "huge.png", tmp_path / "fine.png"), 1)
    qtbot.waitUntil(lambda: flow.question is not None and flow.question.isVisible(),
                    timeout=WAIT_MS)
    assert "over the store's 8 MB limit" in flow.question.text()
    assert "huge.png" in flow.question.text()
    button = flow.question_button(answer)
    assert button is not None
    with qtbot.waitSignal(flow.batchFinished, timeout=WAIT_MS) as done:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    outcome = done.args[0]
    refused = {r.name: r for r in outcome.refused}
    assert "HEIC" in refused["photo.heic"].reason and "JPEG" in refused["photo.heic"].fix
    report = flow.report_box
    assert report is not None and "photo.heic" in report.text()
    assert "photo.heic" in report.detailedText()
    expected = 3 if answer == "Make smaller" else 2
    assert outcome.added == expected - 1
    qtbot.waitUntil(lambda: settled(page) and len(store_images(store_reader, pid)) == expected,
                    timeout=WAIT_MS)
    images = store_images(store_reader, pid)
    if answer == "Make smaller":
        stored = emu._running_store().original(images[1].id)
        assert stored is not None and len(stored) <= 8 * 1024 * 1024
        with Image.open(io.BytesIO(stored)) as smaller:
            assert max(smaller.size) == 1280
        assert original_hashes(emu, images[2:]) == [sha(fine)]
    else:
        assert "huge.png" in refused and "8 MB" in refused["huge.png"].reason
        assert original_hashes(emu, images[1:]) == [sha(fine)]


@pytest.mark.parametrize("answer, added", [("Skip duplicates", 2), ("Add anyway", 3)])
def test_the_same_picture_twice_in_one_drop_is_warned_about_in_one_message(
        qtbot: QtBot, empty_emulator: StoreEmulator, open_store, store_reader,
        tmp_path: Path, answer: str, added: int) -> None:
    emu = empty_emulator
    pid = emu.add_product("Bowl", "BWL", image_count=0)
    page = open_store(emu, pid)
    same = picture(tmp_path / "bowl.png", colour=(5, 6, 7))
    (tmp_path / "bowl copy.png").write_bytes(same)
    other = picture(tmp_path / "bowl side.png", colour=(8, 9, 10))
    flow = page.uploads
    assert flow is not None
    flow.drop(file_drop(tmp_path / "bowl.png", tmp_path / "bowl copy.png",
                        tmp_path / "bowl side.png"), 0)
    qtbot.waitUntil(lambda: flow.question is not None and flow.question.isVisible(),
                    timeout=WAIT_MS)
    assert "bowl copy.png" in flow.question.text() and "bowl.png" in flow.question.text()
    with qtbot.waitSignal(flow.batchFinished, timeout=WAIT_MS) as done:
        qtbot.mouseClick(flow.question_button(answer), Qt.MouseButton.LeftButton)
    assert done.args[0].added == added
    qtbot.waitUntil(lambda: settled(page) and len(store_images(store_reader, pid)) == added,
                    timeout=WAIT_MS)
    hashes = original_hashes(emu, store_images(store_reader, pid))
    assert hashes == ([sha(same), sha(other)] if added == 2 else
                      [sha(same), sha(same), sha(other)])


def test_a_legacy_basic_auth_store_refuses_files_up_front_and_takes_addresses(
        qtbot: QtBot, empty_emulator: StoreEmulator, make_window, store_reader,
        tmp_path: Path) -> None:
    emu = empty_emulator
    source = emu.add_product("Source", "SRC", image_count=1)
    pid = emu.add_product("Hat", "HAT", image_count=1)
    url = store_images(store_reader, source)[0].standard_url
    window = make_window()
    basic = BasicCredentials(emu.store_url, emu.config.basic_user, emu.config.basic_key,
                             api_base=emu.basic_api_base)
    page = window.open_store(StoreInfo("Legacy store", basic), pid)
    qtbot.waitUntil(lambda: page.images_ready, timeout=WAIT_MS)
    picture(tmp_path / "hat.png")
    mime = file_drop(tmp_path / "hat.png")
    mime.setUrls([*mime.urls(), QUrl(url)])
    flow = page.uploads
    assert flow is not None
    emu.clear_requests()
    with qtbot.waitSignal(flow.batchFinished, timeout=WAIT_MS) as done:
        flow.drop(mime, 1)
    outcome = done.args[0]
    assert outcome.added == 1 and [r.name for r in outcome.refused] == ["hat.png"]
    assert "legacy API key" in outcome.refused[0].reason
    assert "access token" in outcome.refused[0].fix and "web address" in outcome.refused[0].fix
    assert "legacy API key" in flow.report_box.text()
    qtbot.waitUntil(lambda: settled(page) and len(store_images(store_reader, pid)) == 2,
                    timeout=WAIT_MS)
    assert not any("/v3/" in r.path for r in emu.requests())   # no file upload was tried


def test_a_drop_on_a_product_in_the_list_adds_after_its_images_also_when_opened_later(
        qtbot: QtBot, empty_emulator: StoreEmulator, open_store, store_reader,
        tmp_path: Path) -> None:
    emu = empty_emulator
    shown = emu.add_product("Shown", "SHW", image_count=2)
    target = emu.add_product("Target", "TGT", image_count=3)
    page = open_store(emu, shown)
    qtbot.waitUntil(lambda: page.product_model.row_of(target) is not None, timeout=WAIT_MS)
    before = store_images(store_reader, target)
    contents = [picture(tmp_path / "a.png", colour=(1, 1, 1)),
                picture(tmp_path / "b.png", colour=(2, 2, 2))]
    queue = page.session.queue
    assert queue is not None
    queue.set_sending_paused(True)   # to see the cards as they wait
    view = page.product_view
    centre = view.visualRect(page.product_model.index(page.product_model.row_of(target))).center()
    mime = file_drop(tmp_path / "a.png", tmp_path / "b.png")
    flow = page.uploads
    assert flow is not None
    actions = Qt.DropAction.CopyAction
    enter = QDragEnterEvent(centre, actions, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view.viewport(), enter)
    assert enter.isAccepted()
    move = QDragMoveEvent(centre, actions, mime, Qt.MouseButton.LeftButton,
                          Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view.viewport(), move)
    assert move.isAccepted()
    with qtbot.waitSignal(flow.batchFinished, timeout=WAIT_MS) as done:
        drop = QDropEvent(QPointF(centre), actions, mime, Qt.MouseButton.LeftButton,
                          Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(view.viewport(), drop)
        assert drop.isAccepted()
    assert done.args[0].product_id == target and done.args[0].added == 2
    assert page.image_model.product_id == shown and page.image_model.rowCount() == 2
    # Opened while the uploads wait: its images first, the new cards after them.
    view.setCurrentIndex(page.product_model.index(page.product_model.row_of(target)))
    qtbot.waitUntil(lambda: page.image_model.product_id == target
                    and page.image_model.rowCount() == 5, timeout=WAIT_MS)
    rows = page.view_rows()
    assert [row.server_id for row in rows[:3]] == [image.id for image in before]
    assert [row.image.image_file for row in rows[3:]] == ["a.png", "b.png"]
    queue.set_sending_paused(False)
    qtbot.waitUntil(lambda: settled(page) and len(store_images(store_reader, target)) == 5,
                    timeout=WAIT_MS)
    after = store_images(store_reader, target)
    assert [i.id for i in after[:3]] == [i.id for i in before]
    assert original_hashes(emu, after[3:]) == [sha(c) for c in contents]
    assert len(store_images(store_reader, shown)) == 2


def test_cancel_while_checking_adds_nothing(
        qtbot: QtBot, empty_emulator: StoreEmulator, open_store, store_reader,
        tmp_path: Path) -> None:
    emu = empty_emulator
    pid = emu.add_product("Rug", "RUG", image_count=1)
    page = open_store(emu, pid)
    files = [tmp_path / f"rug {n}.png" for n in range(40)]
    for n, path in enumerate(files):
        picture(path, colour=(n, n, n))
    flow = page.uploads
    assert flow is not None
    with qtbot.waitSignal(flow.batchFinished, timeout=WAIT_MS) as done:
        flow.drop(file_drop(*files), 0)
        flow.progress_strip.cancel_button.click()
    assert done.args[0].cancelled and done.args[0].added == 0
    assert page.image_model.rowCount() == 1 and len(store_images(store_reader, pid)) == 1
    assert not flow.busy and flow.progress_strip.isHidden()


def test_the_gui_thread_reads_no_file_and_decodes_nothing_while_200_files_are_dropped(
        qtbot: QtBot, emulator_factory, open_store, tmp_path: Path, gui_thread_guard) -> None:
    with gui_thread_guard.paused():
        emu = emulator_factory(catalog="empty", rate_limit_quota=100_000)
        pid = emu.add_product("Many", "MANY", image_count=2)
        folder = tmp_path / "drop"
        files = [folder / f"p{n:03}.png" for n in range(200)]
        for n, path in enumerate(files):
            picture(path, size=(24, 16), colour=(n, 255 - n, 7))
        gui_thread_guard.watched_dirs.append(str(folder))
    page = open_store(emu, pid)
    flow = page.uploads
    assert flow is not None
    with qtbot.waitSignal(flow.batchFinished, timeout=WAIT_MS) as done:
        flow.drop(file_drop(*files), 1)
    assert done.args[0].added == 200
    qtbot.waitUntil(lambda: page.image_model.rowCount() == 202, timeout=WAIT_MS)
    # (Named as dropped while waiting, as the store files them once sent: "p/611/p000__12.png".)
    assert all(f"p00{n}" in row.image.image_file
               for n, row in enumerate(page.view_rows()[1:4]))
    qtbot.waitUntil(lambda: settled(page), timeout=120_000)
    assert emu.image_count(pid) == 202


def test_a_name_the_product_already_has_is_warned_about_before_it_is_added_again(
        qtbot: QtBot, empty_emulator: StoreEmulator, open_store, store_reader,
        tmp_path: Path) -> None:
    emu = empty_emulator
    pid = emu.add_product("Jug", "JUG", image_count=0)
    page = open_store(emu, pid)
    flow = page.uploads
    assert flow is not None
    picture(tmp_path / "first" / "Blue Jug.png", colour=(0, 0, 200))
    with qtbot.waitSignal(flow.batchFinished, timeout=WAIT_MS):
        flow.drop(file_drop(tmp_path / "first" / "Blue Jug.png"), 0)
    qtbot.waitUntil(lambda: settled(page) and len(store_images(store_reader, pid)) == 1,
                    timeout=WAIT_MS)
    assert flow.question is None   # nothing to warn about the first time
    picture(tmp_path / "again" / "Blue Jug.png", colour=(0, 0, 210))  # another picture
    flow.drop(file_drop(tmp_path / "again" / "Blue Jug.png"), 1)
    qtbot.waitUntil(lambda: flow.question is not None and flow.question.isVisible(),
                    timeout=WAIT_MS)
    assert "already has a picture with this name" in flow.question.text()
    with qtbot.waitSignal(flow.batchFinished, timeout=WAIT_MS) as done:
        qtbot.mouseClick(flow.question_button("Skip duplicates"), Qt.MouseButton.LeftButton)
    assert done.args[0].added == 0 and len(store_images(store_reader, pid)) == 1


def test_undo_takes_back_an_added_batch_that_has_not_been_sent(
        qtbot: QtBot, empty_emulator: StoreEmulator, open_store, store_reader,
        tmp_path: Path) -> None:
    emu = empty_emulator
    pid = emu.add_product("Pot", "POT", image_count=2)
    page = open_store(emu, pid)
    queue = page.session.queue
    assert queue is not None and page.editor is not None
    queue.set_sending_paused(True)
    files = [tmp_path / "terracotta a.png", tmp_path / "terracotta b.png"]
    for n, path in enumerate(files):
        picture(path, colour=(n, 40, 40))
    flow = page.uploads
    assert flow is not None
    with qtbot.waitSignal(flow.batchFinished, timeout=WAIT_MS):
        flow.drop(file_drop(*files), 0)
    qtbot.waitUntil(lambda: page.image_model.rowCount() == 4, timeout=WAIT_MS)
    assert page.window().undo_action.text() == "Undo Add 2 images"
    page.window().undo_action.trigger()
    # Withdrawn, never sent: no upload and no delete reaches the store.
    qtbot.waitUntil(lambda: page.image_model.rowCount() == 2 and queue.pending_count() == 0,
                    timeout=WAIT_MS)
    emu.clear_requests()
    queue.set_sending_paused(False)
    qtbot.waitUntil(lambda: settled(page), timeout=WAIT_MS)
    assert len(store_images(store_reader, pid)) == 2
    assert [r.method for r in emu.requests() if r.method != "GET"] == []


def test_states_with_many_pending_changes_reach_the_grid_once_a_frame_not_once_each(
        qtbot: QtBot, empty_emulator: StoreEmulator, open_store, store_reader,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A drop of 500 files makes the queue report a state per step, each a view of every
    pending card: shown one by one they froze the window for ~0.4 s. A state with many pending
    changes is shown at once if none was shown this frame, else only the latest at the end of
    the frame; an everyday state (few pending) is shown as it arrives."""
    from app.services.image_state import CreateFromUrl, ImageState, new_row_key, next_op_id
    from app.ui.store_page import MANY_PENDING

    emu = empty_emulator
    pid = emu.add_product("Burst", "BRST", image_count=3)
    page = open_store(emu, pid)
    queue = page.session.queue
    assert queue is not None
    # The queue's own state of the opened product has arrived (it would come last otherwise).
    qtbot.waitUntil(lambda: page._shown_state is not None and page.changes_shown(),
                    timeout=WAIT_MS)
    applied: list[int] = []
    real_apply = page.image_model.apply_state

    def counting_apply(state: ImageState) -> None:
        applied.append(len(state.pending))
        real_apply(state)

    monkeypatch.setattr(page.image_model, "apply_state", counting_apply)
    server = ImageState.from_server(pid, store_images(store_reader, pid))
    state = server
    for n in range(60):   # what the queue emits while a drop is journaled, without a pause
        state = state.add(CreateFromUrl(op_id=next_op_id(), row_key=new_row_key(),
                                        url=f"https://cdn.example/{n}.jpg", position=3 + n))
        queue.stateChanged.emit(pid, state)
    # Each of the first states at once; from MANY_PENDING on, the first at once, then waiting.
    assert applied == list(range(1, MANY_PENDING + 1)) and not page.changes_shown()
    qtbot.waitUntil(page.changes_shown, timeout=WAIT_MS)
    assert applied[-1] == 60 and len(applied) == MANY_PENDING + 1
    assert page.image_model.rowCount() == 63
    assert [row.source_url for row in page.view_rows()[3:5]] == [
        "https://cdn.example/0.jpg", "https://cdn.example/1.jpg"]
    queue.stateChanged.emit(pid, server)   # all sent: shown at once
    assert applied[-1] == 0 and page.image_model.rowCount() == 3 and page.changes_shown()
