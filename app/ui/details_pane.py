"""The details pane: the selected image and what a merchant needs to know about it.

One image: a preview that fits its box, the position, alt text, the size, format and weight of
the largest picture, whether it is the product's thumbnail, and when it was added. Several
images: how many, how many lack alt text, and a strip of the first few. Nothing selected: the
same summary for the whole product. Every text from the store is shown as plain text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from PySide6.QtCore import QDateTime, QLocale, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QImage, QKeyEvent, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import (QFormLayout, QFrame, QLabel, QLineEdit, QScrollArea,
                               QSizePolicy, QVBoxLayout, QWidget)

from app.api.models import ProductImage
from app.services.alt_text_batch import MAX_ALT_TEXT, clean_alt_text
from app.services.image_state import Badge
from app.services.rendition_facts import RenditionFacts
from app.services.tasks import Task
from app.services.thumbnails import ThumbnailLoader, switch_loader
from app.ui.change_notice import ChangeNotice
from app.ui.plain_text import plain_label, tooltip

PREVIEW_HEIGHT = 240
#: The box the preview asks the loader for, in logical pixels (times the device pixel ratio).
PREVIEW_REQUEST = QSize(320, 416)
STRIP_LENGTH = 4  # pictures shown for a multi-selection
STRIP_GAP = 6
MISSING_ALT_STYLE = "color: #b06000;"
FACTS_DELAY_MS = 250


class AltTextEditor(QLineEdit):
    """The alt text of one image: Enter or leaving the field saves, Esc puts it back."""

    #: The merchant's finished text (cleaned), different from what the image had.
    submitted = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMaxLength(MAX_ALT_TEXT)
        self.setPlaceholderText("Describe the picture for shoppers who cannot see it")
        self.setAccessibleName("Alt text")
        self.setAccessibleDescription("Press Enter to save, Esc to cancel.")
        self.setClearButtonEnabled(True)
        self._saved = ""
        self.editingFinished.connect(self._finish)

    def show_text(self, text: str) -> None:
        """What the image has now (not while the merchant types: their text wins)."""
        self._saved = text
        if not self.hasFocus() or not self.isModified():
            self.setText(text)
            self.setCursorPosition(0)  # a long text shows its beginning, not its end
            self.setModified(False)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.text() != self._saved:
            self.setText(self._saved)
            self.setModified(False)
            event.accept()
            return
        super().keyPressEvent(event)

    def _finish(self) -> None:
        text = clean_alt_text(self.text())
        self.setModified(False)
        if text != self._saved:
            self._saved = text
            self.setText(text)
            self.submitted.emit(text)


#: (url, on_success, on_failure) -> Task: reads a rendition's facts on a worker.
Inspector = Callable[[str, Callable[[RenditionFacts | None], None],
                      Callable[[Exception], None]], Task]


def fit_rect(picture: QSize, box: QRect) -> QRect:
    """`picture` scaled to fit `box`, aspect kept, centred (never larger than the box)."""
    size = picture.scaled(box.size(), Qt.AspectRatioMode.KeepAspectRatio)
    target = QRect(0, 0, size.width(), size.height())
    target.moveCenter(box.center())
    return target


class PicturePreview(QWidget):
    """Draws one picture, or a strip of a few, fitted inside its rect; or a short message."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(120, PREVIEW_HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Selected image preview")
        self._pictures: list[QPixmap] = []
        self._message = ""

    def sizeHint(self) -> QSize:
        return QSize(PREVIEW_REQUEST.width(), PREVIEW_HEIGHT)

    def set_pictures(self, pictures: list[QPixmap], message: str = "") -> None:
        self._pictures = [p for p in pictures if p is not None and not p.isNull()]
        self._message = message
        self.update()

    def set_message(self, message: str) -> None:
        self.set_pictures([], message)

    @property
    def message(self) -> str:
        return self._message

    def picture_rects(self) -> list[QRect]:
        """Where each picture is drawn, in widget coordinates: one fills the box, two sit
        side by side, three or four share it two by two."""
        if not self._pictures:
            return []
        area = self.rect()
        count = len(self._pictures)
        columns = 1 if count == 1 else 2
        rows = 1 if count <= 2 else 2
        slot_width = (area.width() - (columns - 1) * STRIP_GAP) // columns
        slot_height = (area.height() - (rows - 1) * STRIP_GAP) // rows
        rects = []
        for number, picture in enumerate(self._pictures):
            row, column = divmod(number, columns)
            slot = QRect(area.left() + column * (slot_width + STRIP_GAP),
                         area.top() + row * (slot_height + STRIP_GAP), slot_width, slot_height)
            rects.append(fit_rect(picture.deviceIndependentSize().toSize(), slot))
        return rects

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        for picture, target in zip(self._pictures, self.picture_rects()):
            painter.drawPixmap(target, picture)
        if not self._pictures and self._message:
            painter.setPen(self.palette().placeholderText().color())
            painter.drawText(self.rect().adjusted(8, 8, -8, -8),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                             self._message)


def format_date(value: datetime) -> str:
    """A date and time in the merchant's locale and time zone."""
    moment = QDateTime.fromSecsSinceEpoch(int(value.timestamp())).toLocalTime()
    locale = QLocale()
    return (f"{locale.toString(moment.date(), QLocale.FormatType.LongFormat)}, "
            f"{locale.toString(moment.time(), QLocale.FormatType.ShortFormat)}")


def describe_facts(facts: RenditionFacts) -> str:
    parts = [f"{facts.width} × {facts.height} px"]
    if facts.format:
        parts.append(facts.format)
    parts.append(QLocale().formattedDataSize(facts.byte_size, 0,
                                             QLocale.DataSizeFormat.DataSizeTraditionalFormat))
    return ", ".join(parts)


class DetailsPane(QScrollArea):
    ROWS = [("alt_text", "Alt text"), ("picture", "Largest picture"),
            ("thumbnail", "Thumbnail"), ("added", "Added"), ("image_id", "Image id"),
            ("file", "File"), ("missing_alt", "Without alt text")]

    #: The merchant saved new alt text for the one image shown: (that image, the text).
    altTextSubmitted = Signal(object, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setMinimumWidth(200)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAccessibleName("Image details")
        self._loader: ThumbnailLoader | None = None
        self._inspect: Inspector | None = None
        self._facts_task: Task | None = None
        self._image: ProductImage | None = None
        self._alt_editable = False
        self._facts_timer = QTimer(self, singleShot=True, interval=FACTS_DELAY_MS)
        self._facts_timer.timeout.connect(self._ask_facts)

        body = QWidget()
        layout = QVBoxLayout(body)
        self.preview = PicturePreview()
        layout.addWidget(self.preview)
        self.title = plain_label()
        self.title.setWordWrap(True)
        self.title.setAccessibleName("Selection")
        title_font = QFont(self.title.font())
        title_font.setBold(True)
        self.title.setFont(title_font)
        layout.addWidget(self.title)
        self.change_notice = ChangeNotice()
        layout.addWidget(self.change_notice)

        self._form = QFormLayout()
        self._form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.fields: dict[str, QLabel] = {}
        for key, caption in self.ROWS:
            value = plain_label()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                          | Qt.TextInteractionFlag.TextSelectableByKeyboard)
            value.setAccessibleName(caption)
            self.fields[key] = value
            if key == "alt_text":
                # The label where the store cannot be written to, the editor where it can.
                self.alt_editor = AltTextEditor()
                self.alt_editor.setVisible(False)
                self.alt_editor.submitted.connect(self._alt_text_submitted)
                cell = QWidget()
                cell_layout = QVBoxLayout(cell)
                cell_layout.setContentsMargins(0, 0, 0, 0)
                cell_layout.addWidget(value)
                cell_layout.addWidget(self.alt_editor)
                caption_label = plain_label(f"{caption}:")
                caption_label.setBuddy(self.alt_editor)
                self._form.addRow(caption_label, cell)
                continue
            self._form.addRow(plain_label(f"{caption}:"), value)
        layout.addLayout(self._form)
        self.hint = plain_label()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: palette(placeholder-text);")
        layout.addWidget(self.hint)
        layout.addStretch(1)
        self.setWidget(body)
        self.show_image(None)

    # ---- wiring -------------------------------------------------------------------------

    def set_loader(self, loader: ThumbnailLoader | None) -> None:
        self._loader = switch_loader(self._loader, loader, self._on_loaded, self._on_failed)

    def set_alt_text_editable(self, editable: bool) -> None:
        """Whether one image's alt text can be changed here (a session with a write queue)."""
        self._alt_editable = editable
        self._update_alt_editor()

    def _update_alt_editor(self) -> None:
        editing = self._alt_editable and self._image is not None
        self.alt_editor.setVisible(editing)
        self.fields["alt_text"].setVisible(not editing)
        if editing:
            self.alt_editor.show_text(self._image.description or "")

    def set_position(self, position: int | None, total: int | None) -> None:
        """The shown image's place in the grid (it changes when cards move around it)."""
        self.title.setText(f"Position {position} of {total}" if position and total else
                           f"Position {position}" if position else "Image")

    def shows_image(self, image: ProductImage | None) -> bool:
        """Is `image` the one image the pane shows (not a summary of several)?"""
        return image is not None and self._image is not None and self._image.id == image.id

    def refresh_image(self, image: ProductImage) -> None:
        """The image shown changed (an edit, the store's answer): its alt text follows,
        unless the merchant is typing a new one."""
        if self._image is not None and self._image.id == image.id:
            self._image = image
            self.alt_editor.show_text(image.description or "")
            # The star and the alt text can change under the pane (Set as thumbnail moves the
            # star at once): the pane must not keep saying "No" beside a starred card.
            self._show_editable_fields(image)

    def _show_editable_fields(self, image: ProductImage) -> None:
        """The fields an edit changes: alt text and thumbnail."""
        alt = self.fields["alt_text"]
        if image.description:
            alt.setText(image.description)
            alt.setStyleSheet("")
        else:
            alt.setText("No alt text")
            alt.setStyleSheet(MISSING_ALT_STYLE)
        alt.setToolTip("" if image.description else
                       "Shoppers who use a screen reader, and search engines, get no "
                       "description of this picture.")
        self.fields["thumbnail"].setText("Yes, shown for the product in lists"
                                         if image.is_thumbnail else "No")

    def _alt_text_submitted(self, text: str) -> None:
        if self._image is not None:
            self.altTextSubmitted.emit(self._image, text)

    def set_inspector(self, inspect: Inspector | None) -> None:
        """Where the largest picture's size, format and weight come from (a worker task)."""
        self._inspect = inspect

    # ---- what is shown ------------------------------------------------------------------

    def _show_rows(self, *keys: str) -> None:
        for row, (key, _caption) in enumerate(self.ROWS):
            self._form.setRowVisible(row, key in keys)

    def _ask_facts(self) -> None:
        image = self._image
        largest = image.rendition_url(1 << 30) if image is not None else None
        if largest and self._inspect is not None:
            self._facts_task = self._inspect(
                largest, lambda facts, image_id=image.id: self._facts_arrived(image_id, facts),
                lambda error: None)  # unknown facts are left out, never guessed

    def show_change(self, badge: Badge, reason: str) -> None:
        """Where the one image shown's own changes are (none: the notice is hidden)."""
        self.change_notice.show_change(badge if self._image is not None else Badge.NONE,
                                       reason)

    def _forget_image(self) -> None:
        self.change_notice.show_change(Badge.NONE, "")
        self._image = None
        self._facts_timer.stop()
        if self._facts_task is not None:
            self._facts_task.cancel()
            self._facts_task = None

    def show_empty(self, message: str = "") -> None:
        """Nothing to describe: while a product loads, or when it could not be (the grid
        says why; this pane does not ask for a selection that cannot be made)."""
        self._forget_image()
        self.preview.set_message(message)
        self.title.setText("")
        self.title.setToolTip("")
        self.hint.setText("")
        self._show_rows()

    def show_image(self, image: ProductImage | None, position: int | None = None,
                   total: int | None = None, placeholder: QPixmap | None = None) -> None:
        """One image; None shows the empty state."""
        if image is None:
            self.show_empty("Select an image to see its details.")
            return
        self._forget_image()
        self._image = image
        self.set_position(position, total)
        self.title.setToolTip(tooltip(
            f"Sort order {image.sort_order} in the store: the storefront shows images from "
            "the lowest number up."))
        self._show_editable_fields(image)
        self.fields["added"].setText(format_date(image.date_created)
                                     if image.date_created else "")
        self._update_alt_editor()
        self.fields["image_id"].setText(str(image.id))
        self.fields["file"].setText(image.image_file)
        self.fields["picture"].setText("")
        rows = ["alt_text", "thumbnail", "image_id"]
        rows += ["added"] if image.date_created else []
        rows += ["file"] if image.image_file else []
        self._show_rows(*rows)
        self.hint.setText("Right-click the card, or press the Menu key, to copy its "
                          "picture address. Space shows it large.")
        # The picture we already have at once, then the bigger rendition when it arrives.
        if placeholder is not None and not placeholder.isNull():
            self.preview.set_pictures([placeholder])
        else:
            self.preview.set_message("Loading the picture…")
        ratio = self.devicePixelRatioF()
        box = QSize(round(PREVIEW_REQUEST.width() * ratio),
                    round(PREVIEW_REQUEST.height() * ratio))
        # The same rule as the grid: the smallest rendition that fills the box (zoom on HiDPI).
        url = image.rendition_url(box.width())
        if url and self._loader is not None:
            self._loader.request(("detail", image.id), url, box)
        elif not url and not self.preview.picture_rects():
            self.preview.set_message("This image has no picture on the store.")
        # Asked once the selection rests: arrowing through the grid must not queue a
        # download per card passed on the way.
        self._facts_timer.start()

    def show_selection(self, images: list[ProductImage], total: int,
                       pictures: list[QPixmap | None]) -> None:
        """Several selected images: how many, how many lack alt text, the first few."""
        self._forget_image()
        self.title.setText(f"{len(images)} of {total} images selected")
        self.title.setToolTip("")
        self._show_missing_alt(images)
        self.hint.setText("Press Esc to clear the selection.")
        shown = [p for p in pictures[:STRIP_LENGTH] if p is not None and not p.isNull()]
        if shown:
            self.preview.set_pictures(shown)
        else:
            self.preview.set_message(f"{len(images)} images selected")

    def show_overview(self, images: list[ProductImage]) -> None:
        """Nothing selected: the product at a glance."""
        self._forget_image()
        count = len(images)
        self.title.setText(f"{count} image{'s' if count != 1 else ''}" if count else "")
        self.title.setToolTip("")
        self.preview.set_message("Select an image to see its details." if count else
                                 "This product has no images.")
        if count:
            self._show_missing_alt(images)
        else:
            self._show_rows()
        self.hint.setText("")

    def _show_missing_alt(self, images: list[ProductImage]) -> None:
        missing = sum(1 for image in images if not image.description)
        label = self.fields["missing_alt"]
        label.setText(f"{missing} of {len(images)}" if missing else "None: every image has it")
        label.setStyleSheet(MISSING_ALT_STYLE if missing else "")
        self._show_rows("missing_alt")

    # ---- arrivals -----------------------------------------------------------------------

    def _facts_arrived(self, image_id: int, facts: RenditionFacts | None) -> None:
        self._facts_task = None
        if self._image is None or self._image.id != image_id or facts is None:
            return
        self.fields["picture"].setText(describe_facts(facts))
        self._form.setRowVisible(self._row("picture"), True)

    def _row(self, key: str) -> int:
        return [k for k, _ in self.ROWS].index(key)

    def _on_loaded(self, key: object, url: str, image: QImage, box_width: int) -> None:
        if self._image is not None and key == ("detail", self._image.id):
            self.preview.set_pictures([QPixmap.fromImage(image)])

    def _on_failed(self, key: object, url: str, message: str) -> None:
        if self._image is not None and key == ("detail", self._image.id) \
                and not self.preview.picture_rects():
            self.preview.set_message(f"The larger picture could not be loaded. {message}")

    @property
    def image(self) -> ProductImage | None:
        return self._image
