"""An upload's card shows the merchant's own picture at once (not a placeholder): the preview
the upload check made from the pixels it decoded anyway, decoded for the card on a worker,
upright as the picture is shown, until the store's own picture of the image arrives."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtGui import QPixmap
from pytestqt.qtbot import QtBot

from app.services.image_state import Badge
from app.store_emulator import StoreEmulator
from app.ui.image_model import PictureState
from app.ui.store_page import StorePage

WAIT_MS = 30000
RED, BLUE = (220, 30, 30), (30, 60, 220)


def shown_picture(page: StorePage, row: int) -> QPixmap | None:
    # As the view paints: the first ask starts the decode on a worker.
    return page.image_model.index(row).data(Qt.ItemDataRole.DecorationRole)


def centre_colour(pixmap: QPixmap) -> tuple[int, int, int]:
    colour = pixmap.toImage().pixelColor(pixmap.width() // 2, pixmap.height() // 2)
    return colour.red(), colour.green(), colour.blue()


def close(a: tuple[int, int, int], b: tuple[int, int, int]) -> bool:
    return all(abs(x - y) <= 12 for x, y in zip(a, b))


def test_waiting_upload_cards_show_the_dropped_pictures_upright_decoded_off_the_gui_thread(
        qtbot: QtBot, empty_emulator: StoreEmulator, open_store, tmp_path: Path,
        gui_thread_guard) -> None:
    with gui_thread_guard.paused():
        emu = empty_emulator
        pid = emu.add_product("Kettle", "KTL", image_count=2)
        flat = tmp_path / "flat.png"
        Image.new("RGB", (300, 200), RED).save(flat, "PNG")
        # A JPEG stored sideways (400x100) with an EXIF tag that turns it upright (100x400).
        turned = tmp_path / "turned.jpg"
        exif = Image.Exif()
        exif[0x0112] = 6
        Image.new("RGB", (400, 100), BLUE).save(turned, "JPEG", exif=exif.tobytes())
        gui_thread_guard.watched_dirs.append(str(tmp_path))
    page = open_store(emu, pid)
    queue, flow = page.session.queue, page.uploads
    assert queue is not None and flow is not None
    queue.set_sending_paused(True)   # the cards wait: nothing from the store can show yet
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(flat)), QUrl.fromLocalFile(str(turned))])
    with qtbot.waitSignal(flow.batchFinished, timeout=WAIT_MS):
        flow.drop(mime, 0)
    qtbot.waitUntil(lambda: page.image_model.rowCount() == 4, timeout=WAIT_MS)
    assert [row.badge for row in page.view_rows()[:2]] == [Badge.WAITING] * 2
    qtbot.waitUntil(lambda: all(shown_picture(page, row) is not None for row in (0, 1)),
                    timeout=WAIT_MS)
    first, second = shown_picture(page, 0), shown_picture(page, 1)
    assert first is not None and second is not None
    assert close(centre_colour(first), RED) and close(centre_colour(second), BLUE)
    assert (first.width(), first.height()) == (256, 171)       # small, as the card needs
    assert second.height() > second.width()                     # upright, as the store shows it
    index = page.image_model.index(0)
    from app.ui.image_model import ImageRoles
    assert index.data(ImageRoles.PictureState) is PictureState.LOADED  # no "upload" glyph
    assert not gui_thread_guard.violations
    queue.set_sending_paused(False)


def test_the_check_makes_a_small_upright_preview_and_none_for_a_huge_png(
        tmp_path: Path) -> None:
    from app.services.upload_check import PNG_PREVIEW_PIXELS, Accepted, check_batch

    big = tmp_path / "big.jpg"
    Image.new("RGB", (4000, 3000), RED).save(big, "JPEG")
    alpha = tmp_path / "alpha.png"
    Image.new("RGBA", (64, 32), (0, 0, 0, 0)).save(alpha, "PNG")
    huge = tmp_path / "huge.png"
    side = int(PNG_PREVIEW_PIXELS ** 0.5) + 10
    Image.new("L", (side, side)).save(huge, "PNG")
    report = check_batch([big, alpha, huge])
    accepted = {a.name: a for a in report.accepted}
    assert set(accepted) == {"big.jpg", "alpha.png", "huge.png"}

    def size(item: Accepted) -> tuple[int, int]:
        assert item.preview is not None
        with Image.open(io.BytesIO(item.preview)) as preview:
            return preview.size

    assert size(accepted["big.jpg"]) == (256, 192)
    assert size(accepted["alpha.png"]) == (64, 32)
    with Image.open(io.BytesIO(accepted["alpha.png"].preview or b"")) as preview:
        assert preview.mode == "RGBA"   # transparency kept
    assert accepted["huge.png"].preview is None   # its check decodes nothing; neither does this
