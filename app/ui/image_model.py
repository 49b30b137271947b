"""The list model of one product's images: rows keyed by a client-side row key.

Rows are the `ViewRow`s of an `ImageState`: the store's list in display order (sort_order,
then id, as the storefront shows them) with the pending changes applied; `apply_state` moves
the model from one state to the next with fine-grained row signals, never a reset.
Pictures load lazily: `data(DecorationRole)` answers from the pixmap cache or asks the
thumbnail loader and answers None; when the picture arrives the model maps the image id to
its *current* row and emits dataChanged for that row and role only (digiKam's pattern).
Arrivals are batched: at most one round of dataChanged per frame (ARRIVAL_BATCH_MS), one
signal per run of consecutive rows, so a burst of pictures costs the view one repaint.
Pictures are cached by their versioned rendition URL, never by image id alone: after an
image's file is replaced on the store, a reload brings new URLs and so the new picture.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (QAbstractListModel, QModelIndex, QPersistentModelIndex, QSize, Qt,
                            QTimer)
from PySide6.QtGui import QImage, QPixmap

from app.api.models import ProductImage
from app.services.image_state import (NO_ID, Badge, ImageState, Insert, Move, Remove, RowKey,
                                      ViewRow, diff)
from app.ui.pixmap_cache import CachedPicture, PixmapCache
from app.ui.plain_text import tooltip

if TYPE_CHECKING:
    from app.services.thumbnails import ThumbnailLoader
    from app.ui.upload_previews import UploadPreviews

Index = QModelIndex | QPersistentModelIndex


#: Pictures arriving within one frame (60 Hz) are announced together.
ARRIVAL_BATCH_MS = 16


class PictureState(enum.Enum):
    LOADING = "loading"
    LOADED = "loaded"
    FAILED = "failed"
    NONE = "none"  # the image has no rendition URL at all


class ImageRoles(enum.IntEnum):
    Image = Qt.ItemDataRole.UserRole + 1   # the ProductImage
    ImageId = Qt.ItemDataRole.UserRole + 2
    Position = Qt.ItemDataRole.UserRole + 3  # 1-based place in the display order
    PictureState = Qt.ItemDataRole.UserRole + 4
    PictureError = Qt.ItemDataRole.UserRole + 5
    RowKey = Qt.ItemDataRole.UserRole + 6    # the row's client-side key (stable for its life)
    SyncBadge = Qt.ItemDataRole.UserRole + 7  # image_state.Badge: its changes wait, send, failed
    SyncReason = Qt.ItemDataRole.UserRole + 8  # why a change failed, in plain words ("" if not)
    #: An upload's file sent so far (0.0..1.0) while it is being sent; None otherwise.
    UploadProgress = Qt.ItemDataRole.UserRole + 9
    #: True while an upload the merchant cancelled is being stopped (and looked for).
    UploadCancelling = Qt.ItemDataRole.UserRole + 10


#: The product id of the empty model (no product shown); never a store's id.
NO_PRODUCT = 0

_BADGE_WORDS = {Badge.WAITING: "change waiting to be sent", Badge.SENDING: "change being sent",
                Badge.FAILED: "change failed"}

_POSITION_ROLES = (ImageRoles.Position, Qt.ItemDataRole.ToolTipRole,
                   Qt.ItemDataRole.AccessibleTextRole)
_TEXT_ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
               Qt.ItemDataRole.AccessibleTextRole)
_PICTURE_FIELDS = frozenset({"zoom_url", "thumbnail_url", "standard_url", "tiny_url",
                             "local_file", "source_url"})


def roles_for(fields: frozenset[str]) -> list[int]:
    """The roles whose answer may differ when `fields` (of `changed_fields`) changed."""
    roles: list[int] = [ImageRoles.Image]
    if fields & {"description", "image_file", "is_thumbnail"}:
        roles += _TEXT_ROLES
    if fields & _PICTURE_FIELDS:
        roles += [Qt.ItemDataRole.DecorationRole, ImageRoles.PictureState]
    if "id" in fields:
        roles += [ImageRoles.ImageId, ImageRoles.PictureState, ImageRoles.PictureError]
    if fields & {"badge", "reason"}:
        roles += [ImageRoles.SyncBadge, ImageRoles.SyncReason,
                  Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole]
    return list(dict.fromkeys(roles))


class ImageListModel(QAbstractListModel):
    """A thin Qt adapter over `ImageState.view()`: `apply_state` replays the `diff` between the
    rows shown and the new view as row inserts, moves, removes and dataChanged, never a reset,
    so selection, the current card and scroll follow the rows (see `app.services.image_state`).
    A reset happens only when another product is shown."""

    def __init__(self, loader: ThumbnailLoader | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self._loader: ThumbnailLoader | None = None
        self._rows: list[ViewRow] = []
        self._row_of: dict[int, int] = {}
        self._pictures = PixmapCache()
        self._errors: dict[int, str] = {}
        self.product_id: int | None = None
        #: The picture box of a card in device pixels; the view sets it when the size changes.
        self.picture_size = QSize(120, 120)
        self._arrived: set[int] = set()  # image ids whose picture changed since the last batch
        self._arrival_timer = QTimer(self, singleShot=True, interval=ARRIVAL_BATCH_MS)
        self._arrival_timer.timeout.connect(self._announce_arrivals)
        self._upload_progress: dict[RowKey, float] = {}  # row key -> fraction of its file sent
        self._cancelling: set[RowKey] = set()
        #: Uploads' own pictures, shown until the store's arrive (see upload_previews).
        self._previews: UploadPreviews | None = None
        if loader is not None:
            self.set_loader(loader)

    def set_loader(self, loader: ThumbnailLoader | None) -> None:
        from app.services.thumbnails import switch_loader  # the network stack, when first used
        self._loader = switch_loader(self._loader, loader, self._on_loaded, self._on_failed)

    def set_previews(self, previews: UploadPreviews) -> None:
        self._previews = previews
        previews.arrived.connect(self._preview_arrived)

    # ---- contents -----------------------------------------------------------------------

    def set_images(self, product_id: int | None, images: list[ProductImage]) -> None:
        """The store's list for a product, with nothing pending. Another product resets the
        model; the same product's fresh list is applied row by row like any other state.
        Pictures that had failed are asked for again (a reload is the merchant's retry)."""
        state = ImageState.from_server(product_id if product_id is not None else NO_PRODUCT,
                                       images)
        if product_id != self.product_id:
            self._reset(product_id, state.view())
            return
        failed = list(self._errors)
        self._errors.clear()
        self.apply_state(state)
        for image_id in failed:
            if image_id in self._row_of:
                self._emit_changed(image_id)

    def apply_state(self, state: ImageState) -> None:
        """Shows `state` by replaying `diff(rows shown, state.view())` (the recipe in
        `app.services.image_state`). A state of another product is shown with a reset."""
        if state.product_id != (self.product_id if self.product_id is not None
                                else NO_PRODUCT):
            self._reset(state.product_id, state.view())
            return
        root = QModelIndex()
        first_shifted: int | None = None  # rows from here on may show another position

        def shifted(row: int) -> None:
            nonlocal first_shifted
            first_shifted = row if first_shifted is None else min(first_shifted, row)

        for change in diff(self._rows, state.view()):
            if isinstance(change, Remove):
                self.beginRemoveRows(root, change.at, change.at + change.count - 1)
                del self._rows[change.at:change.at + change.count]
                self.endRemoveRows()
                shifted(change.at)
            elif isinstance(change, Move):
                self.beginMoveRows(root, change.source, change.source, root,
                                   change.qt_destination)
                self._rows.insert(change.destination, self._rows.pop(change.source))
                self.endMoveRows()
                shifted(min(change.source, change.destination))
            elif isinstance(change, Insert):
                self.beginInsertRows(root, change.at, change.at + len(change.rows) - 1)
                self._rows[change.at:change.at] = change.rows
                self.endInsertRows()
                shifted(change.at)
            else:
                self._rows[change.at] = change.row
                self._reindex()  # an upload may just have got its id
                index = self.index(change.at)
                self.dataChanged.emit(index, index, roles_for(change.fields))
        self._reindex()
        self._forget_finished_uploads()
        if first_shifted is not None and first_shifted < len(self._rows):
            # Positions ("Image 3 of 12") of the rows below a structural change moved.
            self.dataChanged.emit(self.index(first_shifted), self.index(len(self._rows) - 1),
                                  list(_POSITION_ROLES))

    def _reset(self, product_id: int | None, rows: list[ViewRow]) -> None:
        """Another product: its rows, and none of the previous product's pictures."""
        self.beginResetModel()
        self._pictures.clear()
        if self._loader is not None:
            self._loader.clear()
        self.product_id = product_id
        self._rows = rows
        self._errors.clear()
        self._upload_progress.clear()
        self._cancelling.clear()
        self._reindex()
        self.endResetModel()

    def _reindex(self) -> None:
        self._row_of = {row.image.id: n for n, row in enumerate(self._rows)
                        if row.image.id != NO_ID}

    def rows(self) -> list[ViewRow]:
        return list(self._rows)

    def images(self) -> list[ProductImage]:
        return [row.image for row in self._rows]

    def image_at(self, row: int) -> ProductImage:
        return self._rows[row].image

    def row_of(self, image_id: int) -> int | None:
        return self._row_of.get(image_id)

    def index_of(self, image_id: int) -> QModelIndex:
        row = self._row_of.get(image_id)
        return self.index(row) if row is not None else QModelIndex()

    def index_of_key(self, key: RowKey) -> QModelIndex:
        for n, row in enumerate(self._rows):
            if row.key == key:
                return self.index(n)
        return QModelIndex()

    # ---- Qt model API -------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        # Editable: the grid's delegate edits the alt text in place (app/ui/card_editor.py).
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemNeverHasChildren)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows) or index.column():
            return None
        row = self._rows[index.row()]
        image = row.image
        if role == Qt.ItemDataRole.DisplayRole:
            return image.description or image.image_file.rsplit("/", 1)[-1]
        if role == Qt.ItemDataRole.DecorationRole:
            picture = self._picture(image)
            if picture is None and self._previews is not None and row.key in self._previews:
                picture = self._previews.pixmap(row.key)
            return picture
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(self._describe(index.row(), row))  # store text, not markup
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self._describe(index.row(), row)
        if role == ImageRoles.Image:
            return image
        if role == ImageRoles.ImageId:
            return image.id
        if role == ImageRoles.Position:
            return index.row() + 1
        if role == ImageRoles.PictureState:
            state = self._state(image)
            if state is PictureState.NONE and self._previews is not None \
                    and row.key in self._previews:
                # Its own picture, dropped here: not "no picture".
                return (PictureState.LOADED if self._previews.ready(row.key)
                        else PictureState.LOADING)
            return state
        if role == ImageRoles.PictureError:
            return self._errors.get(image.id)
        if role == ImageRoles.RowKey:
            return row.key
        if role == ImageRoles.SyncBadge:
            return row.badge
        if role == ImageRoles.SyncReason:
            return row.reason
        if role == ImageRoles.UploadProgress:
            return self._upload_progress.get(row.key)
        if role == ImageRoles.UploadCancelling:
            return row.key in self._cancelling
        return None

    def _describe(self, position: int, row: ViewRow) -> str:
        image = row.image
        parts = [f"Image {position + 1} of {len(self._rows)}"]
        if image.is_thumbnail:
            parts.append("product thumbnail")
        parts.append(f"description: {image.description}" if image.description
                     else "no description")
        if image.id in self._errors:
            parts.append(f"picture failed: {self._errors[image.id]}")
        if row.badge is not Badge.NONE:
            parts.append(_BADGE_WORDS[row.badge])
            if row.reason:
                parts.append(row.reason)
        if row.key in self._cancelling:
            parts.append("upload being cancelled")
        elif row.key in self._upload_progress:
            parts.append(f"uploaded {int(self._upload_progress[row.key] * 100)} %")
        return ", ".join(parts)

    # ---- uploads ------------------------------------------------------------------------

    def set_upload_progress(self, key: RowKey, sent: int, total: int) -> None:
        """An upload's bytes sent (the write queue's `progress`): one dataChanged for that
        card and that role. Ignored for a card that is not an upload being sent."""
        index = self.index_of_key(key)
        if not index.isValid() or self._rows[index.row()].badge is not Badge.SENDING:
            return
        fraction = min(1.0, sent / total) if total > 0 else 0.0
        if self._upload_progress.get(key) == fraction:
            return
        self._upload_progress[key] = fraction
        self.dataChanged.emit(index, index, [ImageRoles.UploadProgress])

    def set_upload_cancelling(self, keys: list[RowKey]) -> None:
        """Cards whose upload the merchant cancelled: they say so until they go."""
        for key in keys:
            index = self.index_of_key(key)
            if index.isValid() and key not in self._cancelling:
                self._cancelling.add(key)
                self.dataChanged.emit(index, index, [ImageRoles.UploadCancelling])

    def _forget_finished_uploads(self) -> None:
        """Progress only of cards still being sent; cancelling only of cards still here."""
        if not self._upload_progress and not self._cancelling:
            return
        badges = {row.key: row.badge for row in self._rows}
        for key in [key for key in self._upload_progress if badges.get(key) is not Badge.SENDING]:
            del self._upload_progress[key]
        self._cancelling &= {key for key, badge in badges.items() if badge is not Badge.NONE}

    # ---- pictures -----------------------------------------------------------------------

    def _preview_arrived(self, key: RowKey) -> None:
        index = self.index_of_key(key)
        if index.isValid():
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole,
                                                 ImageRoles.PictureState])

    def _wanted_url(self, image: ProductImage) -> str | None:
        return image.rendition_url(self.picture_size.width())

    def _state(self, image: ProductImage) -> PictureState:
        if image.id in self._errors:
            return PictureState.FAILED
        if self._wanted_url(image) is None:
            return PictureState.NONE
        return PictureState.LOADED if self._best_cached(image) else PictureState.LOADING

    @staticmethod
    def _rendition_urls(image: ProductImage) -> list[str]:
        return [url for url in (image.tiny_url, image.standard_url, image.thumbnail_url,
                                image.zoom_url) if url]

    def _best_cached(self, image: ProductImage) -> CachedPicture | None:
        """The biggest cached picture among the image's *current* renditions."""
        found = [entry for url in self._rendition_urls(image)
                 if (entry := self._pictures.peek(url)) is not None]
        return max(found, key=lambda entry: entry.box_width, default=None)

    def _picture(self, image: ProductImage) -> QPixmap | None:
        url = self._wanted_url(image)
        if url is None or image.id in self._errors:
            return None
        cached = self._pictures.get(url)
        if cached is not None and cached.box_width >= self.picture_size.width():
            return cached.pixmap  # big enough (the delegate scales it down to fit)
        # Missing, or too small for the current cell: ask, and meanwhile show what we have
        # of this version of the image (scaled by the delegate) so zooming never blanks it.
        if self._loader is not None:
            self._loader.request(image.id, url, self.picture_size)
        fallback = cached or self._best_cached(image)
        return fallback.pixmap if fallback is not None else None

    def _on_loaded(self, key: object, url: str, picture: QImage, box_width: int) -> None:
        if not isinstance(key, int) or key not in self._row_of:
            return  # another product's image, or a key of another model sharing the loader
        if url not in self._rendition_urls(self._rows[self._row_of[key]].image):
            return  # a picture of the image's previous version, asked for before a reload
        cached = self._pictures.peek(url)
        if cached is not None and cached.box_width > box_width:
            return  # a late, smaller answer (asked before a zoom): keep the better picture
        self._errors.pop(key, None)
        self._pictures.put(url, CachedPicture(QPixmap.fromImage(picture), url, box_width))
        self._announce_later(key)

    def _announce_later(self, image_id: int) -> None:
        self._arrived.add(image_id)
        if not self._arrival_timer.isActive():
            self._arrival_timer.start()

    def _announce_arrivals(self) -> None:
        """One dataChanged per run of consecutive rows whose picture (or failure) arrived."""
        rows = sorted(row for image_id in self._arrived
                      if (row := self._row_of.get(image_id)) is not None)
        self._arrived.clear()
        roles = [Qt.ItemDataRole.DecorationRole, ImageRoles.PictureState]
        start = 0
        for position in range(1, len(rows) + 1):
            if position == len(rows) or rows[position] != rows[position - 1] + 1:
                self.dataChanged.emit(self.index(rows[start]), self.index(rows[position - 1]),
                                      roles)
                start = position

    def _on_failed(self, key: object, url: str, message: str) -> None:
        if not isinstance(key, int) or key not in self._row_of:
            return
        self._errors[key] = message
        self._announce_later(key)

    def _emit_changed(self, image_id: int) -> None:
        row = self._row_of[image_id]
        index = self.index(row)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole,
                                             ImageRoles.PictureState])

    def retry_picture(self, image_id: int) -> None:
        """Forgets a failure so the next paint asks again."""
        if self._errors.pop(image_id, None) is not None:
            self._emit_changed(image_id)

    def retry_failed_pictures(self) -> int:
        failed = list(self._errors)
        for image_id in failed:
            self.retry_picture(image_id)
        return len(failed)

    def set_picture_size(self, size: QSize) -> None:
        """New cell size: bigger cells want a bigger rendition; cached ones stay on screen."""
        if size != self.picture_size:
            self.picture_size = QSize(size)
            if self._rows:
                self.dataChanged.emit(self.index(0), self.index(len(self._rows) - 1),
                                      [Qt.ItemDataRole.DecorationRole])

    def failed_count(self) -> int:
        return len(self._errors)
