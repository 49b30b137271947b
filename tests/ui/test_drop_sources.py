"""What a drop or paste hands over, read as pictures: real QMimeData as file managers, browsers
and screenshot tools fill it."""

from __future__ import annotations

import base64
import io
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QByteArray, QMimeData, QUrl
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from app.ui.drop_sources import PictureData, encode_picture, may_hold_pictures, sources_from_mime


def png_bytes(size: tuple[int, int] = (30, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, "PNG")
    return out.getvalue()


def test_a_file_manager_drop_gives_its_files_and_folders_in_order(qtbot: QtBot,
                                                                    tmp_path: Path) -> None:
    folder = tmp_path / "shoot"
    folder.mkdir()
    first, second = tmp_path / "b.jpg", tmp_path / "a.png"
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(first)), QUrl.fromLocalFile(str(folder)),
                  QUrl.fromLocalFile(str(second)), QUrl.fromLocalFile(str(first))])
    found = sources_from_mime(mime)
    assert found.items == [first, folder, second]  # a file listed twice is taken once
    assert found.ignored == [] and found.urls == [] and may_hold_pictures(mime)


def test_a_browser_drag_of_a_linked_picture_gives_the_picture_not_the_page(qtbot: QtBot) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl("https://shop.example/products/red-mug")])  # the link around it
    mime.setHtml('<a href="https://shop.example/products/red-mug">'
                 '<img alt="Red mug" src="https://cdn.example/pictures/Red%20Mug.jpg"></a>')
    mime.setText("https://shop.example/products/red-mug")
    found = sources_from_mime(mime)
    assert found.items == ["https://cdn.example/pictures/Red%20Mug.jpg"]
    assert may_hold_pictures(mime)


def test_firefox_gives_the_address_as_utf16_x_moz_url(qtbot: QtBot) -> None:
    mime = QMimeData()
    mime.setData("text/x-moz-url", QByteArray(
        "https://cdn.example/a.png\nA picture".encode("utf-16")))
    assert sources_from_mime(mime).items == ["https://cdn.example/a.png"]
    assert may_hold_pictures(mime)


def test_a_copied_address_as_plain_text_is_taken(qtbot: QtBot) -> None:
    mime = QMimeData()
    mime.setText("  https://cdn.example/one.jpg \nhttps://cdn.example/two.webp\n")
    assert sources_from_mime(mime).urls == ["https://cdn.example/one.jpg",
                                            "https://cdn.example/two.webp"]


def test_picture_bytes_are_taken_as_they_are(qtbot: QtBot) -> None:
    content = png_bytes()
    mime = QMimeData()
    mime.setData("image/png", QByteArray(content))
    (item,) = sources_from_mime(mime).items
    assert isinstance(item, PictureData) and item.data == content
    assert item.name.endswith(".png") and encode_picture(item) == content


def test_a_qt_image_is_carried_and_encoded_as_png_off_the_gui_thread(qtbot: QtBot) -> None:
    image = QImage(40, 25, QImage.Format.Format_RGB32)
    image.fill(QColor(200, 30, 60))
    mime = QMimeData()
    mime.setImageData(image)
    (item,) = sources_from_mime(mime).items
    assert isinstance(item, PictureData) and item.image is not None and item.data == b""
    encoded = encode_picture(item)
    with Image.open(io.BytesIO(encoded)) as picture:
        assert picture.format == "PNG" and picture.size == (40, 25)
        assert picture.convert("RGB").getpixel((3, 3)) == (200, 30, 60)


def test_an_inline_data_picture_in_the_html_is_decoded(qtbot: QtBot) -> None:
    content = png_bytes((8, 8))
    mime = QMimeData()
    mime.setHtml(f'<img src="data:image/png;base64,{base64.b64encode(content).decode()}">')
    (item,) = sources_from_mime(mime).items
    assert isinstance(item, PictureData) and item.data == content


def test_an_address_beats_the_picture_data_that_came_with_it(qtbot: QtBot) -> None:
    """The store fetches the original from the address; the data may be a re-encoded copy."""
    mime = QMimeData()
    mime.setUrls([QUrl("https://cdn.example/original.jpg")])
    mime.setData("image/png", QByteArray(png_bytes()))
    assert sources_from_mime(mime).items == ["https://cdn.example/original.jpg"]


def test_anything_else_is_left_out_with_a_sentence_that_says_so(qtbot: QtBot) -> None:
    text = QMimeData()
    text.setText("Just some words")
    found = sources_from_mime(text)
    assert found.items == [] and "not a picture" in found.ignored[0]
    assert not may_hold_pictures(text)
    mail = QMimeData()
    mail.setUrls([QUrl("mailto:shop@example.com"), QUrl("ftp://files.example/x.jpg")])
    found = sources_from_mime(mail)
    assert found.items == []
    assert "ftp:, mailto:" in found.ignored[0] and "http or https" in found.ignored[0]
    odd = QMimeData()
    odd.setData("application/x-something", QByteArray(b"\x00\x01"))
    found = sources_from_mime(odd)
    assert found.items == [] and "holds no picture" in found.ignored[0]
    assert not may_hold_pictures(odd) and not sources_from_mime(None)
