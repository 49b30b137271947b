"""The details pane: a preview that fits, and what a merchant needs to know, as plain text."""

from __future__ import annotations

from datetime import datetime, timezone

import io

import httpx
import PIL.Image
from PySide6.QtCore import QLocale, QPoint, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.api.models import ProductImage
from app.ui.details_pane import DetailsPane
from app.ui.image_model import ImageListModel

RED, BLUE = QColor("#ff0000"), QColor("#0000ff")


def tall_picture(ratio: float) -> QPixmap:
    """A 254x317 picture (the CDN's standard box) with a red top and a blue name strip."""
    image = QImage(round(254 * ratio), round(317 * ratio), QImage.Format.Format_RGB32)
    image.fill(QColor("#60a060"))
    painter = QPainter(image)
    painter.fillRect(0, 0, image.width(), round(12 * ratio), RED)
    painter.fillRect(0, image.height() - round(30 * ratio), image.width(), round(30 * ratio), BLUE)
    painter.end()
    pixmap = QPixmap.fromImage(image)
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


def rows_with(image: QImage, colour: QColor) -> list[int]:
    return [y for y in range(image.height())
            if any(abs(image.pixelColor(x, y).red() - colour.red()) < 40
                   and abs(image.pixelColor(x, y).blue() - colour.blue()) < 40
                   and image.pixelColor(x, y).green() < 60
                   for x in range(0, image.width(), 3))]


def test_the_preview_fits_a_tall_picture_whole_at_1x_and_2x(qtbot: QtBot) -> None:
    for ratio in (1.0, 2.0):
        pane = DetailsPane()
        qtbot.addWidget(pane)
        pane.resize(280, 620)
        pane.show()
        image = ProductImage(id=1, product_id=1, description="Front")
        pane.show_image(image, 1, placeholder=tall_picture(ratio))
        qtbot.waitExposed(pane)
        shot = pane.grab().toImage()
        red, blue = rows_with(shot, RED), rows_with(shot, BLUE)
        # The top edge and the name strip are both on screen, in that order...
        assert red and blue, ratio
        assert red[0] < blue[0]
        # ...and the picture keeps its shape: 254 wide for 317 tall.
        drawn_height = blue[-1] - red[0] + 1
        widths = [x for x in range(shot.width()) if shot.pixelColor(x, red[0]) == RED]
        drawn_width = widths[-1] - widths[0] + 1
        assert abs(drawn_width / drawn_height - 254 / 317) < 0.03, (ratio, drawn_width,
                                                                     drawn_height)
        # The text below the picture is not covered either.
        assert pane.title.isVisible() and pane.title.text() == "Position 1"
        assert pane.title.mapTo(pane, QPoint(0, 0)).y() > blue[-1]


def test_details_say_position_alt_text_date_and_the_largest_pictures_size(
        qtbot: QtBot, emulator, open_store, gui_thread_guard) -> None:
    default_locale = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.German, QLocale.Country.Germany))
    try:
        page = open_store(emulator, product_id=1)
        page.grid.setCurrentIndex(page.image_model.index(2))
        image = page.image_model.image_at(2)
        details = page.details
        assert details.title.text() == "Position 3 of 300"
        assert f"Sort order {image.sort_order}" in details.title.toolTip()
        assert details.fields["image_id"].text() == str(image.id)
        month = QLocale().monthName(image.date_created.astimezone().month)
        assert month in details.fields["added"].text()
        assert str(image.date_created.year) in details.fields["added"].text()
        # Pixel size, format and weight of the largest rendition, read from its own bytes.
        with gui_thread_guard.paused():
            zoom = httpx.get(image.zoom_url).content
            width, height = PIL.Image.open(io.BytesIO(zoom)).size
        qtbot.waitUntil(lambda: details.fields["picture"].text() != "", timeout=10000)
        text = details.fields["picture"].text()
        assert text.startswith(f"{width} × {height} px")
        assert ("PNG" in text) == zoom.startswith(b"\x89PNG")
        assert ("JPEG" in text) == zoom.startswith(b"\xff\xd8")
        assert details.fields["picture"].isVisibleTo(details)
    finally:
        QLocale.setDefault(default_locale)


def test_missing_alt_text_is_flagged_and_unknown_facts_are_left_out(qtbot: QtBot) -> None:
    pane = DetailsPane()
    qtbot.addWidget(pane)
    pane.show()
    pane.show_image(ProductImage(id=5, product_id=1, description=None,
                                 date_created=datetime(2024, 3, 1, tzinfo=timezone.utc)), 2, 9)
    assert pane.fields["alt_text"].text() == "No alt text"
    assert "color" in pane.fields["alt_text"].styleSheet()
    assert pane.title.text() == "Position 2 of 9"
    # No inspector: the size and format are not known, so they are not shown at all.
    assert not pane.fields["picture"].isVisibleTo(pane)


def test_store_text_shows_as_typed_never_as_markup(qtbot: QtBot) -> None:
    markup = '<b>Big</b> <img src="file:///etc/passwd"> <a href="http://x">sale</a>'
    pane = DetailsPane()
    qtbot.addWidget(pane)
    pane.show()
    image = ProductImage(id=9, product_id=1, description=markup, image_file="<i>x</i>.jpg",
                         tiny_url="https://cdn.example/9.jpg")
    pane.show_image(image, 1, 1)
    for label in pane.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText, label.text()
    assert pane.fields["alt_text"].text() == markup
    assert pane.fields["file"].text() == "<i>x</i>.jpg"
    # The grid's tooltip escapes it: Qt would render a tooltip that looks like HTML.
    model = ImageListModel()
    model.set_images(1, [image])
    tooltip = model.data(model.index(0), Qt.ItemDataRole.ToolTipRole)
    assert "<b>" not in tooltip and "<img" not in tooltip and "&lt;b&gt;Big" in tooltip
    # The accessible text is for screen readers: plain, unescaped.
    assert markup in model.data(model.index(0), Qt.ItemDataRole.AccessibleTextRole)
