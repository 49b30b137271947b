"""The "Changes that meet a changed store" dialog (issue 10 §3): one conflict at a time.

For each change that met a store which changed meanwhile it shows what the change is, the
image as the merchant wants it ("Yours") beside the store's record now, and, smaller, what the
merchant saw when they made the change. The merchant keeps theirs, keeps the store's, or skips
(decides later: the change waits, unsent), once or for all the others at once; each choice is
`decided(op_ids, resolution)` and the dialog moves on. It never sends anything itself: the
write queue does (`resolve_conflicts`), and tells the dialog what is still open
(`set_conflicts`), while the dialog is open or not.

Non-modal: the window behind it stays usable. Escape or closing it leaves the rest for later
(nothing is emitted: an undecided change already waits). Every text from the store is plain
text, clamped to a few lines with "…" (the whole text is in the tooltip and the label's text).
"""

from __future__ import annotations

import unicodedata
import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence

import shiboken6
from PySide6.QtCore import QObject, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QImage, QPainter, QPaintEvent, QPixmap, QTextLayout, QTextOption
from PySide6.QtWidgets import (QCheckBox, QDialog, QGridLayout, QGroupBox, QHBoxLayout, QLabel,
                               QPushButton, QSizePolicy, QStackedWidget, QVBoxLayout, QWidget)

from app.api.models import ProductImage
from app.services.conflicts import Conflict, ConflictKind, Resolution, describe
from app.services.thumbnails import ThumbnailLoader
from app.ui.plain_text import plain_label, tooltip, wrapping_label

#: (url, on_image): asks for a picture; `on_image(QImage)` runs on the GUI thread when it is
#: there, with a null QImage if it cannot be had. `LoaderPictures` makes one of a
#: ThumbnailLoader (the session's side_pictures).
PictureSource = Callable[[str, Callable[[QImage], None]], None]

TITLE = "Changes that meet a changed store"
MINIMUM_SIZE = QSize(540, 420)
PICTURE_BOX = QSize(200, 140)   # logical pixels; the rendition is chosen for it
BEFORE_PICTURE = QSize(44, 44)   # the tiny rendition's size
ALT_TEXT_LINES = 3
BEFORE_ALT_TEXT_LINES = 2
PICTURES_KEPT = 24              # a few conflicts' worth, for going back and forth
TOOLTIP_CHARS = 1000            # a 5,000-character alt text must not fill the screen
CHANGED_STYLE = "color: #b06000; font-weight: bold;"
MUTED_STYLE = "color: palette(placeholder-text);"


def one_line(text: str) -> str:
    """Store text on one line: control characters (newlines, tabs, NUL) become spaces, runs of
    spaces one; format characters (a joiner inside an emoji) are kept."""
    cleaned = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return " ".join(cleaned.split())


def clamp_lines(text: str, font: QFont, width: int, max_lines: int) -> list[str]:
    """`text` wrapped at `width` pixels into at most `max_lines` lines, the last cut with "…"
    when more would follow."""
    from PySide6.QtGui import QFontMetrics

    text = one_line(text)
    if not text or width <= 0:
        return [text] if text else []
    metrics = QFontMetrics(font)
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    lines: list[str] = []
    layout.beginLayout()
    try:
        while len(lines) < max_lines:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            start = line.textStart()
            if len(lines) == max_lines - 1:
                # The last line shown takes the rest, cut to fit.
                lines.append(metrics.elidedText(text[start:], Qt.TextElideMode.ElideRight,
                                                width))
                break
            lines.append(text[start:start + line.textLength()].rstrip())
    finally:
        layout.endLayout()
    return lines


class ClampedLabel(QLabel):
    """Plain text wrapped to at most `max_lines` lines, the last elided; `text()` stays whole
    (screen readers read it all) and so does the tooltip, up to a sane length. It asks for no
    width of its own, so no text widens the dialog."""

    def __init__(self, max_lines: int, parent: QWidget | None = None, *,
                 reserve: bool = False) -> None:
        super().__init__(parent)
        self._max_lines = max_lines
        self._reserve = reserve  # always as tall as `max_lines`: two sides line up
        self.setTextFormat(Qt.TextFormat.PlainText)
        policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def setText(self, text: str) -> None:  # type: ignore[override]
        super().setText(text)
        self.setToolTip(tooltip(text[:TOOLTIP_CHARS] + ("…" if len(text) > TOOLTIP_CHARS
                                                          else "")) if self.is_elided() else "")
        self.updateGeometry()

    def shown_lines(self, width: int | None = None) -> list[str]:
        """What fits on screen at `width` (now, by default)."""
        return clamp_lines(self.text(), self.font(),
                           self.contentsRect().width() if width is None else width,
                           self._max_lines)

    def is_elided(self) -> bool:
        shown = " ".join(self.shown_lines())
        return shown.replace(" ", "") != one_line(self.text()).replace(" ", "")

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        lines = self._max_lines if self._reserve else max(1, len(self.shown_lines(width)))
        margins = self.contentsMargins()
        return lines * self.fontMetrics().lineSpacing() + margins.top() + margins.bottom()

    def sizeHint(self) -> QSize:
        return QSize(self.fontMetrics().averageCharWidth() * 30,
                     self.fontMetrics().lineSpacing())

    def minimumSizeHint(self) -> QSize:
        return QSize(self.fontMetrics().averageCharWidth() * 6,
                     self.fontMetrics().lineSpacing())

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().resizeEvent(event)
        self.setText(self.text())  # the tooltip follows what is cut now

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        area = self.contentsRect()
        spacing = self.fontMetrics().lineSpacing()
        for number, line in enumerate(self.shown_lines()):
            row = QRect(area.left(), area.top() + number * spacing, area.width(), spacing)
            self.style().drawItemText(painter, row, int(Qt.AlignmentFlag.AlignLeft
                                                        | Qt.AlignmentFlag.AlignVCenter),
                                      self.palette(), self.isEnabled(), line,
                                      self.foregroundRole())


class PictureBox(QWidget):
    """One picture fitted in its box, or a short message where there is none."""

    def __init__(self, box: QSize, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._box = box
        self._picture: QPixmap | None = None
        self._message = ""
        self.setAccessibleName(name)
        self.setMinimumSize(min(box.width(), 96), min(box.height(), 72))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def sizeHint(self) -> QSize:
        return self._box

    def set_picture(self, picture: QPixmap | None, message: str = "") -> None:
        self._picture = picture if picture is not None and not picture.isNull() else None
        self._message = message
        self.setAccessibleDescription(message)
        self.update()

    @property
    def message(self) -> str:
        return self._message

    def has_picture(self) -> bool:
        return self._picture is not None

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        if self._picture is not None:
            size = self._picture.deviceIndependentSize().toSize().scaled(
                self.rect().size(), Qt.AspectRatioMode.KeepAspectRatio)
            if size.width() > self._picture.deviceIndependentSize().width():
                size = self._picture.deviceIndependentSize().toSize()  # never blown up
            target = QRect(0, 0, size.width(), size.height())
            target.moveCenter(self.rect().center())
            painter.drawPixmap(target, self._picture)
        elif self._message:
            painter.fillRect(self.rect(), self.palette().alternateBase())
            painter.setPen(self.palette().placeholderText().color())
            painter.drawText(self.rect().adjusted(6, 6, -6, -6),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                             self._message)


def _thumbnail_words(image: ProductImage) -> str:
    return ("★ The product's thumbnail" if image.is_thumbnail else "☆ Not the thumbnail")


class ImageSide(QGroupBox):
    """One side of the comparison: the picture, the alt text and the thumbnail star of an
    image, or why there is none ("You deleted this image")."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.setAccessibleName(title)
        layout = QVBoxLayout(self)
        self.picture = PictureBox(PICTURE_BOX, f"{title}: picture")
        layout.addWidget(self.picture, 1)
        self.alt_caption = plain_label("Alt text")
        layout.addWidget(self.alt_caption)
        self.alt_text = ClampedLabel(ALT_TEXT_LINES, reserve=True)
        self.alt_text.setAccessibleName(f"{title}: alt text")
        layout.addWidget(self.alt_text)
        self.thumbnail = plain_label()
        self.thumbnail.setAccessibleName(f"{title}: thumbnail")
        layout.addWidget(self.thumbnail)
        layout.addStretch(0)

    def show_image(self, image: ProductImage | None, gone: str, marked: Sequence[str],
                   mark: str) -> None:
        """`image`, or the message `gone` when there is none; the fields in `marked` (those
        that clash, or that the merchant changed) carry `mark` and the accent colour."""
        for widget in (self.alt_caption, self.alt_text, self.thumbnail):
            widget.setVisible(image is not None)
        if image is None:
            self.picture.set_picture(None, gone)
            return
        self.picture.set_picture(None, "Loading the picture…" if _picture_url(image) else
                                 "No picture on the store")
        alt_marked = "description" in marked
        self.alt_caption.setText(f"Alt text ({mark})" if alt_marked else "Alt text")
        self.alt_caption.setStyleSheet(CHANGED_STYLE if alt_marked else "")
        self.alt_text.setText(image.description or "No alt text")
        self.alt_text.setStyleSheet("" if image.description else MUTED_STYLE)
        self.thumbnail.setText(_thumbnail_words(image))
        self.thumbnail.setStyleSheet(CHANGED_STYLE if "is_thumbnail" in marked else "")


def _picture_url(image: ProductImage, box: QSize = PICTURE_BOX, ratio: float = 1.0
                 ) -> str | None:
    return image.rendition_url(round(box.width() * ratio))


class ConflictDialog(QDialog):
    """Walks through `set_conflicts`' list, one conflict at a time, in order."""

    #: (op ids, Resolution): the merchant's choice for those changes.
    decided = Signal(list, object)

    def __init__(self, load_picture: PictureSource, parent: QWidget | None = None, *,
                 product_name: Callable[[int], str | None] | None = None) -> None:
        super().__init__(parent)
        self._load_picture = load_picture
        self._product_name = product_name
        self._conflicts: list[Conflict] = []
        self._index = 0
        # Decided here but maybe still listed by the queue until it has taken the choice:
        # op id -> the conflict as decided (the same op meeting a new change comes back).
        self._decided: dict[int, Conflict] = {}
        self._choosing = False
        self._pictures: OrderedDict[str, QPixmap] = OrderedDict()  # url -> picture, LRU
        self._asked: set[str] = set()
        self.setWindowTitle(TITLE)
        self.setAccessibleName(TITLE)
        self.setModal(False)
        self.setSizeGripEnabled(True)
        # Below this the two sides' wrapped texts no longer fit beside their pictures; it
        # still fits a 900×620 window with room around it.
        self.setMinimumSize(MINIMUM_SIZE)

        outer = QVBoxLayout(self)
        self.pages = QStackedWidget()
        outer.addWidget(self.pages, 1)

        # One conflict
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        self.heading = ClampedLabel(1)
        self.heading.setAccessibleName("The change")
        font = QFont(self.heading.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.heading.setFont(font)
        header.addWidget(self.heading, 1)
        self.position = plain_label()
        self.position.setAccessibleName("Position")
        self.position.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        header.addWidget(self.position)
        layout.addLayout(header)
        self.description = ClampedLabel(2)
        self.description.setAccessibleName("What happened")
        layout.addWidget(self.description)

        sides = QHBoxLayout()
        self.mine = ImageSide("Yours")
        self.theirs = ImageSide("On the store now")
        sides.addWidget(self.mine, 1)
        sides.addWidget(self.theirs, 1)
        layout.addLayout(sides, 1)

        before = QGridLayout()
        before.setColumnStretch(1, 1)
        small = QFont(self.font())
        small.setPointSizeF(small.pointSizeF() * 0.9)
        self.before_picture = PictureBox(BEFORE_PICTURE, "Before: picture")
        self.before_picture.setMinimumSize(BEFORE_PICTURE)
        self.before_picture.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.before_picture.setFont(small)
        before.addWidget(self.before_picture, 0, 0, 3, 1, Qt.AlignmentFlag.AlignTop)
        self.before_caption = plain_label("What you saw before your change")
        self.before_alt_text = ClampedLabel(BEFORE_ALT_TEXT_LINES)
        self.before_alt_text.setAccessibleName("Before: alt text")
        self.before_thumbnail = plain_label()
        self.before_thumbnail.setAccessibleName("Before: thumbnail")
        for row, widget in enumerate((self.before_caption, self.before_alt_text,
                                      self.before_thumbnail)):
            widget.setFont(small)
            widget.setStyleSheet(MUTED_STYLE)
            before.addWidget(widget, row, 1)
        layout.addLayout(before)

        self.for_all = QCheckBox()
        self.for_all.setAccessibleName("Do the same for the other conflicts")
        layout.addWidget(self.for_all)

        buttons = QHBoxLayout()
        self.keep_mine_button = QPushButton()
        self.keep_stores_button = QPushButton("Keep the &store's")
        self.skip_button = QPushButton("S&kip")
        self.skip_button.setToolTip("Decide later: your change waits, unsent.")
        self.skip_button.setAccessibleName("Skip, decide later")
        for button, resolution in ((self.keep_mine_button, Resolution.KEEP_MINE),
                                   (self.keep_stores_button, Resolution.KEEP_STORES),
                                   (self.skip_button, Resolution.SKIP)):
            button.setAutoDefault(False)  # Enter must not choose for the merchant
            button.clicked.connect(lambda _=False, r=resolution: self.choose(r))
        buttons.addWidget(self.keep_mine_button)
        buttons.addWidget(self.keep_stores_button)
        buttons.addStretch(1)
        buttons.addWidget(self.skip_button)
        layout.addLayout(buttons)
        self.pages.addWidget(page)
        self._conflict_page = page

        # Nothing left
        done = QWidget()
        done_layout = QVBoxLayout(done)
        self.done_message = wrapping_label(
            "No conflicts left: every change can reach the store.")
        self.done_message.setAccessibleName("No conflicts left")
        self.done_message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        done_layout.addStretch(1)
        done_layout.addWidget(self.done_message)
        done_layout.addStretch(1)
        close_row = QHBoxLayout()
        close_row.addStretch(1)
        self.close_button = QPushButton("&Close")
        self.close_button.clicked.connect(self.close)
        close_row.addWidget(self.close_button)
        done_layout.addLayout(close_row)
        self.pages.addWidget(done)
        self._done_page = done

        self.resize(self._fitting_size())
        self._show_current()

    # ---- what the queue says ------------------------------------------------------------

    def set_conflicts(self, conflicts: Sequence[Conflict]) -> None:
        """The conflicts still open: those no longer listed leave (resolved elsewhere), new
        ones join at the end, the one shown stays shown while it is listed."""
        incoming = {c.op_id: c for c in conflicts}
        # A choice the queue has not taken yet is not asked again; once the queue no longer
        # lists it, or lists a different conflict for it, it is forgotten.
        self._decided = {op: c for op, c in self._decided.items() if incoming.get(op) == c}
        incoming = {op: c for op, c in incoming.items() if op not in self._decided}
        current = self.current()
        before_current = {c.op_id for c in self._conflicts[:self._index]}
        kept = [incoming[c.op_id] for c in self._conflicts if c.op_id in incoming]
        known = {c.op_id for c in kept}
        self._conflicts = kept + [c for c in incoming.values() if c.op_id not in known]
        if current is not None and current.op_id in incoming:
            self._index = next(n for n, c in enumerate(self._conflicts)
                               if c.op_id == current.op_id)
        else:
            self._index = sum(1 for c in kept if c.op_id in before_current)
            if self._index >= len(self._conflicts) and not self._choosing:
                self._index = 0  # the one shown was the last: back to those skipped
        self._show_current()

    def conflicts(self) -> list[Conflict]:
        """The conflicts still open here, in the order they are walked."""
        return list(self._conflicts)

    def current(self) -> Conflict | None:
        return self._conflicts[self._index] if self._index < len(self._conflicts) else None

    # ---- the merchant's choice ----------------------------------------------------------

    def choose(self, resolution: Resolution) -> None:
        """What the buttons do: decide the current conflict (and, ticked, all the others),
        then show the next one; past the last, close."""
        current = self.current()
        if current is None:
            return
        chosen = ([current] + [c for c in self._conflicts if c is not current]
                  if self.for_all.isChecked() else [current])
        if resolution is Resolution.SKIP:
            # Skipped changes stay open (and listed): the walk only moves past them.
            self._index = len(self._conflicts) if len(chosen) > 1 else self._index + 1
        else:
            for conflict in chosen:
                self._decided[conflict.op_id] = conflict
            ids = {c.op_id for c in chosen}
            self._conflicts = [c for c in self._conflicts if c.op_id not in ids]
            if len(chosen) > 1:
                self._index = len(self._conflicts)
        self.for_all.setChecked(False)
        # The receiver (the queue) may answer at once with set_conflicts: the walk goes on
        # from here, past the end included, so that new conflicts joining are shown next.
        self._choosing = True
        try:
            self.decided.emit([c.op_id for c in chosen], resolution)
        finally:
            if shiboken6.isValid(self):
                self._choosing = False
        if not shiboken6.isValid(self):
            return  # a receiver closed and deleted the dialog
        if self._index >= len(self._conflicts):
            # The walk is over; skipped ones wait for the next time.
            if self.isVisible():
                self.close()
            else:
                self._restart()
        self._show_current()

    def done(self, result: int) -> None:
        """Escape, the window's close button and close() all end here: the next time it
        opens, the walk starts again from the first conflict (the skipped ones included)."""
        super().done(result)
        self._restart()

    def _restart(self) -> None:
        self._index = 0
        self.for_all.setChecked(False)
        self._show_current()

    # ---- what is shown ------------------------------------------------------------------

    def _fitting_size(self) -> QSize:
        """Its natural size, never bigger than the window behind it."""
        hint = self.sizeHint().expandedTo(QSize(640, 0))
        parent = self.parentWidget()
        if parent is not None and parent.isVisible():
            hint = hint.boundedTo(parent.size() - QSize(40, 40))
        return hint

    def _show_current(self) -> None:
        conflict = self.current()
        if conflict is None:
            self.pages.setCurrentWidget(self._done_page)
            self.close_button.setFocus()
            return
        self.pages.setCurrentWidget(self._conflict_page)
        # describe() starts with conflict.what: the heading names the product when it can.
        name = self._product_name(conflict.product_id) if self._product_name else None
        self.heading.setText(name or conflict.what)
        self.position.setText(f"{self._index + 1} of {len(self._conflicts)}")
        self.description.setText(describe(conflict))
        deleted = conflict.kind is ConflictKind.DELETED
        self.mine.show_image(conflict.mine, "You deleted this image", conflict.fields,
                             "your change" if deleted else "differs")
        self.theirs.show_image(conflict.theirs, "Deleted on the store", conflict.fields,
                               "differs")
        base = conflict.base
        self.before_alt_text.setText(f"Alt text: {base.description}" if base.description
                                     else "Alt text: none")
        self.before_thumbnail.setText(_thumbnail_words(base))
        self.before_picture.set_picture(None, "")
        others = len(self._conflicts) - 1
        self.for_all.setVisible(others > 0)
        self.for_all.setText(f"Do the same for the &other {others} conflict"
                             f"{'s' if others != 1 else ''}")
        self._set_choice_words(conflict)
        self._ask_pictures(conflict)

    def _set_choice_words(self, conflict: Conflict) -> None:
        if conflict.kind is ConflictKind.DELETED:
            self.keep_mine_button.setText("Add it again with &my changes")
            self.keep_mine_button.setToolTip("Upload the picture again as a new image, "
                                             "with your alt text and thumbnail choice.")
            self.keep_stores_button.setToolTip("Drop your change: the image stays deleted.")
        elif conflict.mine is None:
            self.keep_mine_button.setText("Keep &mine: delete it")
            self.keep_mine_button.setToolTip("Delete the image, with the store's new alt "
                                             "text.")
            self.keep_stores_button.setToolTip("Do not delete it: the image stays, with the "
                                               "store's alt text.")
        else:
            self.keep_mine_button.setText("Keep &mine")
            self.keep_mine_button.setToolTip("Send your change over what is on the store "
                                             "now.")
            self.keep_stores_button.setToolTip("Drop your change: what is on the store now "
                                               "stays.")
        self.keep_mine_button.setAccessibleName(
            self.keep_mine_button.text().replace("&", ""))
        self.keep_stores_button.setAccessibleName("Keep the store's")

    # ---- pictures -----------------------------------------------------------------------

    def _ask_pictures(self, conflict: Conflict) -> None:
        ratio = self.devicePixelRatioF()
        wanted = [(self.mine.picture, conflict.mine, PICTURE_BOX),
                  (self.theirs.picture, conflict.theirs, PICTURE_BOX),
                  (self.before_picture, conflict.base, BEFORE_PICTURE)]
        for box, image, size in wanted:
            url = _picture_url(image, size, ratio) if image is not None else None
            box.setProperty("url", url or "")
            if not url:
                continue
            if url in self._pictures:
                self._pictures.move_to_end(url)
                box.set_picture(self._pictures[url])
            elif url not in self._asked:
                self._asked.add(url)
                self._load_picture(url, _arrival(self, url))

    def _picture_arrived(self, url: str, image: QImage) -> None:
        self._asked.discard(url)  # a failed one is asked again when shown again
        if image.isNull():
            for box in (self.mine.picture, self.theirs.picture):
                if box.property("url") == url:
                    box.set_picture(None, "The picture could not be loaded")
            return
        self._pictures[url] = QPixmap.fromImage(image)
        while len(self._pictures) > PICTURES_KEPT:
            self._pictures.popitem(last=False)
        for box in (self.mine.picture, self.theirs.picture, self.before_picture):
            if box.property("url") == url:
                box.set_picture(self._pictures[url])


class LoaderPictures(QObject):
    """A PictureSource over a ThumbnailLoader: pictures fitted in `box` (device pixels),
    asked under keys of their own, so nothing else the loader serves is touched. Parent it to
    the dialog: its connections to the loader end with it."""

    def __init__(self, loader: ThumbnailLoader, box: QSize, parent: QObject | None = None
                 ) -> None:
        super().__init__(parent)
        self._loader = loader
        self._box = QSize(box)
        self._waiting: dict[str, list[Callable[[QImage], None]]] = {}
        loader.loaded.connect(self._loaded)
        loader.failed.connect(self._failed)

    @classmethod
    def for_widget(cls, loader: ThumbnailLoader, widget: QWidget) -> "LoaderPictures":
        """Sized for the dialog's largest picture on `widget`'s screen."""
        ratio = widget.devicePixelRatioF()
        return cls(loader, QSize(round(PICTURE_BOX.width() * ratio),
                                 round(PICTURE_BOX.height() * ratio)), widget)

    def __call__(self, url: str, on_image: Callable[[QImage], None]) -> None:
        self._waiting.setdefault(url, []).append(on_image)
        self._loader.request(("conflict", url), url, self._box)

    def _loaded(self, key: object, url: str, image: QImage, box_width: int) -> None:
        if key == ("conflict", url):
            for on_image in self._waiting.pop(url, []):
                on_image(image)

    def _failed(self, key: object, url: str, message: str) -> None:
        if key == ("conflict", url):
            for on_image in self._waiting.pop(url, []):
                on_image(QImage())


def _arrival(dialog: ConflictDialog, url: str) -> Callable[[QImage], None]:
    """The callback for one picture: it reaches the dialog only while the dialog lives (a
    picture may come after the dialog was closed and deleted)."""
    ref = weakref.ref(dialog)

    def arrived(image: QImage) -> None:
        target = ref()
        if target is not None and shiboken6.isValid(target):
            target._picture_arrived(url, image)
    return arrived
