"""ImageListModel as an adapter of ImageState: each state change reaches the views as the
fewest row signals (inserted, moved, removed, dataChanged), never a reset, so selection and
the current card follow the images."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPersistentModelIndex, Qt

from app.api.models import ProductImage
from app.services.image_state import (Badge, CreateFromFile, FieldChanges, ImageState, Reorder,
                                      UpdateFields, image_row_key, new_row_key, next_op_id)
from app.ui.image_model import ImageListModel, ImageRoles

PRODUCT = 7


def _images(count: int) -> list[ProductImage]:
    return [ProductImage(id=100 + n, product_id=PRODUCT, sort_order=n, description=f"alt {n}",
                         is_thumbnail=n == 0, tiny_url=f"https://cdn.example/{n}.jpg")
            for n in range(count)]


@dataclass
class Spy:
    """What the model told its views."""

    inserted: list[tuple[int, int]] = field(default_factory=list)
    moved: list[tuple[int, int, int]] = field(default_factory=list)
    removed: list[tuple[int, int]] = field(default_factory=list)
    resets: int = 0
    changed: list[tuple[int, int, list[int]]] = field(default_factory=list)

    @classmethod
    def on(cls, model: ImageListModel) -> Spy:
        spy = cls()
        model.rowsInserted.connect(lambda _p, first, last: spy.inserted.append((first, last)))
        model.rowsMoved.connect(
            lambda _p, start, end, _d, dest: spy.moved.append((start, end, dest)))
        model.rowsRemoved.connect(lambda _p, first, last: spy.removed.append((first, last)))
        model.modelReset.connect(lambda: setattr(spy, "resets", spy.resets + 1))
        model.dataChanged.connect(lambda top, bottom, roles: spy.changed.append(
            (top.row(), bottom.row(), list(roles))))
        return spy

    def structural(self) -> bool:
        return bool(self.inserted or self.moved or self.removed or self.resets)


def _model(qtmodeltester, count: int = 6) -> tuple[ImageListModel, ImageState]:
    model = ImageListModel()
    state = ImageState.from_server(PRODUCT, _images(count))
    model.apply_state(state)
    # The tester stays connected: every later change is checked for consistency too.
    qtmodeltester.check(model, force_py=True)
    return model, state


def _ids(model: ImageListModel) -> list[int]:
    return [model.image_at(row).id for row in range(model.rowCount())]


def test_an_alt_text_change_is_only_data_changed_on_its_row(qtmodeltester) -> None:
    model, state = _model(qtmodeltester)
    spy = Spy.on(model)
    record = state.snapshot.images[2]
    edited = state.add(UpdateFields(op_id=next_op_id(), row_key=image_row_key(record.id),
                                    changes=FieldChanges(description="Red mug, side"),
                                    based_on=record))
    model.apply_state(edited)

    assert not spy.structural()
    assert [(top, bottom) for top, bottom, _roles in spy.changed] == [(2, 2)]
    roles = spy.changed[0][2]
    assert Qt.ItemDataRole.DisplayRole in roles and ImageRoles.SyncBadge in roles
    index = model.index(2)
    assert index.data(ImageRoles.Image).description == "Red mug, side"
    assert index.data(Qt.ItemDataRole.DisplayRole) == "Red mug, side"
    assert index.data(ImageRoles.SyncBadge) is Badge.WAITING
    assert index.data(ImageRoles.SyncReason) == ""
    assert "waiting" in index.data(Qt.ItemDataRole.AccessibleTextRole)

    failed = edited.failed(edited.pending[0].op.op_id, "The store refused the alt text.")
    model.apply_state(failed)
    assert not spy.structural()
    assert index.data(ImageRoles.SyncBadge) is Badge.FAILED
    assert index.data(ImageRoles.SyncReason) == "The store refused the alt text."


def test_a_reorder_moves_rows_and_selection_and_current_follow_the_image(qtmodeltester
                                                                        ) -> None:
    model, state = _model(qtmodeltester)
    selection = QItemSelectionModel(model)
    selection.select(model.index(1), QItemSelectionModel.SelectionFlag.ClearAndSelect)
    selection.setCurrentIndex(model.index(4), QItemSelectionModel.SelectionFlag.NoUpdate)
    selected_id, current_id = model.image_at(1).id, model.image_at(4).id
    spy = Spy.on(model)

    keys = [image_row_key(image_id) for image_id in _ids(model)]
    order = keys[4:] + keys[:4]  # the last two cards to the front
    model.apply_state(state.add(Reorder(op_id=next_op_id(), order=tuple(order),
                                        based_on=state.snapshot.images)))

    assert spy.moved and not (spy.inserted or spy.removed or spy.resets)
    assert [model.index(row).data(ImageRoles.RowKey) for row in range(6)] == order
    assert [index.data(ImageRoles.ImageId) for index in selection.selectedIndexes()] == [
        selected_id]
    assert selection.currentIndex().data(ImageRoles.ImageId) == current_id
    # Positions below the first moved row were announced (the pill and "Image n of m").
    assert any(ImageRoles.Position in roles for _t, _b, roles in spy.changed)
    assert model.index(0).data(ImageRoles.Position) == 1
    assert model.row_of(current_id) == 0


def test_an_upload_trades_its_new_key_for_the_server_id_in_place(qtmodeltester,
                                                                  tmp_path: Path) -> None:
    model, state = _model(qtmodeltester, count=3)
    key = new_row_key()
    upload = CreateFromFile(op_id=next_op_id(), row_key=key, path=tmp_path / "mug.jpg",
                            sha256="0" * 64, size=10, name="mug.jpg", position=1)
    spy = Spy.on(model)
    waiting = state.add(upload)
    model.apply_state(waiting)
    assert spy.inserted == [(1, 1)] and not (spy.moved or spy.removed or spy.resets)
    card = QPersistentModelIndex(model.index(1))
    assert card.data(ImageRoles.RowKey) == key
    assert card.data(ImageRoles.SyncBadge) is Badge.WAITING
    assert model.row_of(0) is None  # no server id yet: not findable by id

    sending = waiting.sending(upload.op_id)
    model.apply_state(sending)
    assert card.data(ImageRoles.SyncBadge) is Badge.SENDING
    # The store sorts it where the card was dropped (sort_order 0, after id 100).
    record = ProductImage(id=555, product_id=PRODUCT, image_file="mug__1.jpg", sort_order=0,
                          tiny_url="https://cdn.example/mug.jpg")
    model.apply_state(sending.reconcile(upload.op_id, record))

    assert spy.inserted == [(1, 1)] and not (spy.moved or spy.removed or spy.resets)
    assert card.isValid() and card.row() == 1
    assert card.data(ImageRoles.RowKey) == key
    assert card.data(ImageRoles.ImageId) == 555
    assert card.data(ImageRoles.SyncBadge) is Badge.NONE
    assert model.row_of(555) == 1 and model.index_of(555) == QModelIndex(card)
    assert any(top == 1 and ImageRoles.ImageId in roles and
               Qt.ItemDataRole.DecorationRole in roles for top, _b, roles in spy.changed)


def test_set_images_resets_only_for_another_product(qtmodeltester) -> None:
    model, _state = _model(qtmodeltester, count=4)
    selection = QItemSelectionModel(model)
    selection.select(model.index(3), QItemSelectionModel.SelectionFlag.ClearAndSelect)
    spy = Spy.on(model)

    fresh = _images(5)
    fresh[3] = ProductImage(id=103, product_id=PRODUCT, sort_order=3, description="new alt",
                            tiny_url="https://cdn.example/3.jpg")
    model.set_images(PRODUCT, fresh)  # a reload of the same product
    assert spy.resets == 0 and spy.inserted == [(4, 4)] and not spy.removed
    assert [index.data(ImageRoles.ImageId) for index in selection.selectedIndexes()] == [103]
    assert model.index(3).data(Qt.ItemDataRole.DisplayRole) == "new alt"

    model.set_images(PRODUCT + 1, [])
    assert spy.resets == 1 and model.rowCount() == 0 and model.product_id == PRODUCT + 1
