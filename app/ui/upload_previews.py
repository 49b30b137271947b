"""The merchant's own picture on an upload's card from the moment it is dropped (issue 9 §2).

The upload check makes a small preview of each accepted picture from the pixels it decoded
anyway (`Accepted.preview`, a few KB of JPEG or PNG). The flow hands it here under the card's
row key; the card asks for it when it is painted, and only then is it decoded, on a worker
(the GUI thread decodes nothing), and kept as a pixmap for the cards on screen. The model
shows it until the store's own picture of the image arrives.

Bounded: at most `MAX_KEPT` encoded previews (the oldest go first) and `MAX_SHOWN` pixmaps.
"""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage, QPixmap

from app.services.image_state import RowKey
from app.services.tasks import TaskRunner

#: Encoded previews kept (a batch takes at most 2,000 files; ~15 KB each).
MAX_KEPT = 2_000
#: Decoded previews kept as pixmaps (about a screenful of cards, twice over).
MAX_SHOWN = 300


def decode_preview(data: bytes) -> QImage:
    """Worker thread: a preview's bytes as a QImage, by the grid's own decoder (Pillow; the
    preview is already upright and small, so it is decoded at its own size)."""
    from app.services.picture_decoder import decode_picture, to_qimage
    from app.services.upload_check import PREVIEW_SIDE

    return to_qimage(decode_picture(data, PREVIEW_SIDE, PREVIEW_SIDE))


class UploadPreviews(QObject):
    #: A preview is ready to be painted (the row key of its card).
    arrived = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._encoded: OrderedDict[RowKey, bytes] = OrderedDict()
        self._shown: OrderedDict[RowKey, QPixmap] = OrderedDict()
        self._asked: set[RowKey] = set()
        self._runner = TaskRunner("upload-previews", max_workers=1, parent=self)

    def add(self, key: RowKey, data: bytes) -> None:
        self._encoded[key] = data
        self._encoded.move_to_end(key)
        while len(self._encoded) > MAX_KEPT:
            old, _ = self._encoded.popitem(last=False)
            self._shown.pop(old, None)

    def __contains__(self, key: object) -> bool:
        return key in self._encoded

    def ready(self, key: RowKey) -> bool:
        """Its pixmap is at hand (painting it costs nothing)."""
        return key in self._shown

    def pixmap(self, key: RowKey) -> QPixmap | None:
        """The card's preview, or None; the first call asks a worker to decode it (`arrived`
        says when it is ready)."""
        shown = self._shown.get(key)
        if shown is not None:
            self._shown.move_to_end(key)
            return shown
        data = self._encoded.get(key)
        if data is not None and key not in self._asked:
            self._asked.add(key)
            self._runner.submit("decode-preview", lambda: decode_preview(data),
                                on_success=lambda image: self._decoded(key, image),
                                on_failure=lambda _: self._forget(key))
        return None

    def _decoded(self, key: RowKey, image: QImage) -> None:
        self._asked.discard(key)
        if key not in self._encoded or image.isNull():
            return
        self._shown[key] = QPixmap.fromImage(image)
        while len(self._shown) > MAX_SHOWN:
            self._shown.popitem(last=False)
        self.arrived.emit(key)

    def _forget(self, key: RowKey) -> None:
        self._asked.discard(key)
        self._encoded.pop(key, None)
