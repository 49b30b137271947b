"""The merchant's verbs as operations, and how to take each one back (issue 9 §3–§6).

Qt-free and pure: each function reads the grid's rows as the merchant saw them when they acted
(`ViewRow`s from `image_state.view`) and returns an `Edit`: a label for the Edit menu ("Move 3
images"), the operations to queue, and for each operation what undoes it once it reached the
store (`Step.inverse`). Undoing a step whose operation is still waiting in the queue simply
withdraws it; only a step that was sent needs its inverse (see `WriteQueue.undo`).

Row keys are the currency, never server ids, so an edit of an upload that has no id yet works
like any other. A key can be replaced: undoing a delete that was sent brings the image back as a
new upload under a new key; `KeyAliases` maps the old key to the new one so that redoing the
delete, or undoing an older edit of that image, reaches the copy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from app.api.models import ProductImage
from app.cache.operations import (
    CreateFromFile,
    CreateFromUrl,
    Delete,
    DeleteAll,
    FieldChanges,
    Operation,
    Reorder,
    RowKey,
    UpdateFields,
)
from app.services.image_state import NO_ID, ViewRow, new_row_key, next_op_id


def _images(count: int) -> str:
    return f"{count} image{'s' if count != 1 else ''}"


@dataclass(frozen=True)
class Step:
    """One operation of an edit, and what takes it back once it is on the store (computed
    when the edit is made, from the rows the merchant saw)."""

    op: Operation
    inverse: tuple[Operation, ...] = ()
    #: Said when the inverse is not quite the original (a deleted image comes back as a copy).
    inverse_note: str = ""
    #: (old row key, the key of the row the inverse brings back in its place).
    restores: tuple[tuple[RowKey, RowKey], ...] = ()


@dataclass(frozen=True)
class Edit:
    label: str                      # for "Undo …" / "Redo …" and the history
    steps: tuple[Step, ...]

    @property
    def ops(self) -> tuple[Operation, ...]:
        return tuple(step.op for step in self.steps)


@dataclass
class KeyAliases:
    """Old row key -> the key of the row that stands for it now (a re-created image)."""

    _to: dict[RowKey, RowKey] = field(default_factory=dict)

    def add(self, old: RowKey, new: RowKey) -> None:
        if old != new:
            self._to[old] = new

    def resolve(self, key: RowKey) -> RowKey:
        seen: set[RowKey] = set()
        while key in self._to and key not in seen:
            seen.add(key)
            key = self._to[key]
        return key

    def op(self, op: Operation) -> Operation:
        """The same operation, naming the rows that stand for its rows now."""
        if isinstance(op, (UpdateFields, Delete, CreateFromFile, CreateFromUrl)):
            return replace(op, row_key=self.resolve(op.row_key))
        if isinstance(op, Reorder):
            # dict.fromkeys: an order naming a row and its copy names the copy once.
            return replace(op, order=tuple(dict.fromkeys(self.resolve(key)
                                                         for key in op.order)))
        return op


def rekeyed(ops: Sequence[Operation]) -> tuple[tuple[Operation, ...], dict[RowKey, RowKey]]:
    """The ops with a new row key for each card they create, and for every mention of it.
    A card made a second time (a redo of an upload, an undo that brings an image back) must
    not share its key with the first one, which may still be there (a delete of it failed,
    or waits). Returns the ops and old key -> new key."""
    renamed = {op.row_key: new_row_key() for op in ops
               if isinstance(op, (CreateFromFile, CreateFromUrl))}
    local = KeyAliases(dict(renamed))
    return tuple(local.op(op) for op in ops), renamed


def fresh(op: Operation) -> Operation:
    """The operation again under a new op id (a redo, an inverse sent a second time)."""
    return replace(op, op_id=next_op_id())


def _based_on(row: ViewRow) -> ProductImage | None:
    return row.image if row.image.id != NO_ID else None


def _row(rows: Sequence[ViewRow], key: RowKey) -> ViewRow | None:
    return next((row for row in rows if row.key == key), None)


# ---- alt text and thumbnail ----------------------------------------------------------------

def alt_text_edit(rows: Sequence[ViewRow], texts: Mapping[RowKey, str]) -> Edit | None:
    """New alt texts (descriptions); rows whose text is already that are left out."""
    steps = []
    for row in rows:
        text = texts.get(row.key)
        if text is None or text == (row.image.description or ""):
            continue
        op = UpdateFields(op_id=next_op_id(), row_key=row.key,
                          changes=FieldChanges(description=text), based_on=_based_on(row))
        undo = UpdateFields(op_id=0, row_key=row.key,
                            changes=FieldChanges(description=row.image.description or ""),
                            based_on=None)
        steps.append(Step(op, (undo,)))
    if not steps:
        return None
    label = "Change alt text" if len(steps) == 1 else f"Change alt text of {_images(len(steps))}"
    return Edit(label, tuple(steps))


def thumbnail_edit(rows: Sequence[ViewRow], key: RowKey) -> Edit | None:
    """Make one image the product's thumbnail; the store takes the star from the old one."""
    row = _row(rows, key)
    if row is None or row.image.is_thumbnail:
        return None
    previous = next((other for other in rows if other.image.is_thumbnail), None)
    op = UpdateFields(op_id=next_op_id(), row_key=key, changes=FieldChanges(is_thumbnail=True),
                      based_on=_based_on(row))
    if previous is not None:
        undo = UpdateFields(op_id=0, row_key=previous.key,
                            changes=FieldChanges(is_thumbnail=True), based_on=None)
    else:
        undo = UpdateFields(op_id=0, row_key=key, changes=FieldChanges(is_thumbnail=False),
                            based_on=None)
    return Edit("Set as thumbnail", (Step(op, (undo,)),))


# ---- order ---------------------------------------------------------------------------------

def reorder_edit(rows: Sequence[ViewRow], order: Sequence[RowKey], label: str) -> Edit | None:
    """The grid in `order` (every row's key, first to last)."""
    before = tuple(row.key for row in rows)
    order = tuple(order)
    if order == before or sorted(order) != sorted(before):
        return None
    based_on = tuple(row.image for row in rows if row.image.id != NO_ID)
    op = Reorder(op_id=next_op_id(), order=order, based_on=based_on)
    undo = Reorder(op_id=0, order=before, based_on=())
    return Edit(label, (Step(op, (undo,)),))


def order_with_moved(keys: Sequence[RowKey], moving: Iterable[RowKey], to: int
                     ) -> list[RowKey]:
    """`keys` with the `moving` rows (in their present order) taken out and put back as one
    block before the row that was at index `to` (`len(keys)`: at the end). Drop semantics."""
    moving_set = set(moving)
    block = [key for key in keys if key in moving_set]
    to = max(0, min(to, len(keys)))
    # The block goes before the first row at or after `to` that is not moving.
    anchor = next((key for key in keys[to:] if key not in moving_set), None)
    rest = [key for key in keys if key not in moving_set]
    at = rest.index(anchor) if anchor is not None else len(rest)
    return rest[:at] + block + rest[at:]


def move_edit(rows: Sequence[ViewRow], moving: Sequence[RowKey], to: int) -> Edit | None:
    """A drop of the selection before the row at index `to`."""
    keys = [row.key for row in rows]
    order = order_with_moved(keys, moving, to)
    return reorder_edit(rows, order, _move_label(len(set(moving) & set(keys))))


def step_edit(rows: Sequence[ViewRow], moving: Sequence[RowKey], step: int) -> Edit | None:
    """Move the selection one place left (-1) or right (+1), as a block around its ends:
    each selected row swaps with its unselected neighbour on that side."""
    keys = [row.key for row in rows]
    selected = set(moving)
    order = list(keys)
    indexes = range(len(order)) if step < 0 else range(len(order) - 1, -1, -1)
    for index in indexes:
        other = index + step
        if order[index] in selected and 0 <= other < len(order) and order[other] not in selected:
            order[index], order[other] = order[other], order[index]
    return reorder_edit(rows, order, _move_label(len(selected & set(keys))))


def to_front_edit(rows: Sequence[ViewRow], moving: Sequence[RowKey]) -> Edit | None:
    edit = move_edit(rows, moving, 0)
    if edit is not None and len(set(moving)) == 1:
        edit = replace(edit, label="Make first")
    return edit


def to_back_edit(rows: Sequence[ViewRow], moving: Sequence[RowKey]) -> Edit | None:
    return move_edit(rows, moving, len(rows))


def _move_label(count: int) -> str:
    return "Move image" if count == 1 else f"Move {_images(count)}"


# ---- delete --------------------------------------------------------------------------------

COPY_NOTE = ("An image that was already deleted on the store came back as a copy of its "
             "largest picture.")


def _restore_steps(row: ViewRow, position: int) -> tuple[tuple[Operation, ...], RowKey]:
    """Operations that bring a deleted image back: an upload of its best picture (the store
    gives it a new id: a copy), its alt text, its star. An upload that never reached the
    store comes back from the same file."""
    key = new_row_key()
    if row.local_file is not None:
        create: Operation = CreateFromFile(op_id=0, row_key=key, path=row.local_file,
                                           sha256="", size=0, name=row.image.image_file,
                                           position=position,
                                           description=row.image.description or "")
    else:
        url = row.source_url or row.image.zoom_url or row.image.standard_url
        if not url:
            return (), key
        create = CreateFromUrl(op_id=0, row_key=key, url=url, position=position,
                               description=row.image.description or "")
    ops: list[Operation] = [create]
    if row.image.is_thumbnail:
        ops.append(UpdateFields(op_id=0, row_key=key, changes=FieldChanges(is_thumbnail=True),
                                based_on=None))
    return tuple(ops), key


def _restore_order(rows: Sequence[ViewRow], restores: Sequence[tuple[RowKey, RowKey]]
                   ) -> Reorder:
    """The grid's order with each brought-back copy in the place of its image. The store
    puts an upload last, so without it an Undo would move the image to the end. Both keys of
    each deleted row are listed: the order applies to whichever is there when it is sent."""
    copy_of = dict(restores)
    order: list[RowKey] = []
    for row in rows:
        order.append(row.key)
        if row.key in copy_of:
            order.append(copy_of[row.key])
    return Reorder(op_id=0, order=tuple(order), based_on=())


def delete_edit(rows: Sequence[ViewRow], keys: Iterable[RowKey]) -> Edit | None:
    """Delete these rows: every row of the product is one bulk request, any other selection
    one request per image."""
    chosen = set(keys)
    doomed = [(index, row) for index, row in enumerate(rows) if row.key in chosen]
    if not doomed:
        return None
    label = "Delete image" if len(doomed) == 1 else f"Delete {_images(len(doomed))}"
    if len(doomed) == len(rows) and len(rows) > 1:
        op: Operation = DeleteAll(op_id=next_op_id(),
                                  based_on=tuple(_based_on(row) for _, row in doomed
                                                 if _based_on(row) is not None))
        inverse: list[Operation] = []
        restores = []
        for index, row in doomed:
            restore, key = _restore_steps(row, index)
            inverse.extend(restore)
            restores.append((row.key, key))
        inverse.append(_restore_order(rows, restores))
        return Edit(label, (Step(op, tuple(inverse), COPY_NOTE, tuple(restores)),))
    restored = [(index, row, *_restore_steps(row, index)) for index, row in doomed]
    # Every step puts the copies back in order: the steps may be undone one by one (one
    # withdrawn because it failed, the next taken back by its inverse).
    order = _restore_order(rows, [(row.key, key) for _, row, _, key in restored])
    steps = [Step(Delete(op_id=next_op_id(), row_key=row.key, based_on=_based_on(row)),
                  (*restore, order), COPY_NOTE, ((row.key, key),))
             for index, row, restore, key in restored]
    return Edit(label, tuple(steps))


# ---- add -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class NewFile:
    """A checked file to upload: where its bytes are, and the name the merchant knows."""

    path: Path
    name: str
    sha256: str = ""
    size: int = 0
    description: str = ""


#: The position of an upload that goes after the product's images, whatever they are by the
#: time the grid shows it: a product dropped on in the product list is not on screen, so its
#: rows are not known (the grid clamps a position to the rows it has).
AT_END = 2**31 - 1


def add_edit(rows: Sequence[ViewRow], files: Sequence[NewFile] = (),
             urls: Sequence[str] = (), position: int | None = None) -> Edit | None:
    """New images at `position` (None: at the end, also of rows that are not known yet).
    The store puts a new image last, so a drop anywhere else also queues one reorder that puts
    the new cards where they were dropped (sent after the uploads, in the same ordered queue)."""
    at = len(rows) if position is None else max(0, min(position, len(rows)))
    steps: list[Step] = []
    new_keys: list[RowKey] = []
    for offset, item in enumerate([*files, *urls]):
        key = new_row_key()
        new_keys.append(key)
        # Rows not known (a drop on a product in the list): at the end, each after the ones
        # before it, however many rows there are then. Known rows: a fixed place, so that a
        # later drop at the end goes after this one even while this one waits or failed.
        place = AT_END if position is None and not rows else at + offset
        if isinstance(item, NewFile):
            op: Operation = CreateFromFile(op_id=next_op_id(), row_key=key, path=item.path,
                                           sha256=item.sha256, size=item.size, name=item.name,
                                           position=place, description=item.description)
        else:
            op = CreateFromUrl(op_id=next_op_id(), row_key=key, url=item, position=place)
        undo = Delete(op_id=0, row_key=key, based_on=None)
        steps.append(Step(op, (undo,)))
    if not steps:
        return None
    if at < len(rows):
        keys = [row.key for row in rows]
        order = tuple(keys[:at] + new_keys + keys[at:])
        based_on = tuple(row.image for row in rows if row.image.id != NO_ID)
        # Undoing the uploads takes their cards away; the others keep their order.
        steps.append(Step(Reorder(op_id=next_op_id(), order=order, based_on=based_on)))
    count = len(new_keys)
    return Edit("Add image" if count == 1 else f"Add {_images(count)}", tuple(steps))


def readd_edit(rows: Sequence[ViewRow], key: RowKey, picture: Path) -> Edit | None:
    """An image deleted on the store (a change to it met 404) comes back from `picture` (see
    `picture_recovery`) in its place, with its alt text and star; its old card goes (the store
    answers the delete of a gone image with 404, which is what was asked)."""
    index = next((n for n, row in enumerate(rows) if row.key == key), None)
    if index is None:
        return None
    row = rows[index]
    new_key = new_row_key()
    create = CreateFromFile(op_id=next_op_id(), row_key=new_key, path=picture, sha256="",
                            size=0, name=Path(row.image.image_file).name or picture.name,
                            position=index, description=row.image.description or "")
    steps = [Step(create, (Delete(op_id=0, row_key=new_key, based_on=None),))]
    if row.image.is_thumbnail:
        steps.append(Step(UpdateFields(op_id=next_op_id(), row_key=new_key,
                                       changes=FieldChanges(is_thumbnail=True), based_on=None)))
    steps.append(Step(Delete(op_id=next_op_id(), row_key=key, based_on=_based_on(row))))
    if index < len(rows) - 1:  # the store puts a new image last: put it back in its place
        order = tuple(new_key if other.key == key else other.key for other in rows)
        based_on = tuple(other.image for other in rows
                         if other.image.id != NO_ID and other.key != key)
        steps.append(Step(Reorder(op_id=next_op_id(), order=order, based_on=based_on)))
    return Edit("Add image again", tuple(steps))


def restore_edit(rows: Sequence[ViewRow], image: ProductImage, picture: Path,
                 position: int | None) -> Edit:
    """An image the store deleted while the merchant changed it offline ("keep mine" of that
    conflict): it comes back from `picture` as the merchant wanted it (`image`: its alt text
    and star), at `position` (a 0-based place in the grid; None or past the end: last)."""
    new_key = new_row_key()
    at = len(rows) if position is None else max(0, min(position, len(rows)))
    create = CreateFromFile(op_id=next_op_id(), row_key=new_key, path=picture, sha256="",
                            size=0, name=Path(image.image_file).name or picture.name,
                            position=at if position is not None else AT_END,
                            description=image.description or "")
    steps = [Step(create, (Delete(op_id=0, row_key=new_key, based_on=None),))]
    if image.is_thumbnail:
        steps.append(Step(UpdateFields(op_id=next_op_id(), row_key=new_key,
                                       changes=FieldChanges(is_thumbnail=True), based_on=None)))
    if at < len(rows):  # the store puts a new image last: put it back in its place
        order = [row.key for row in rows]
        order.insert(at, new_key)
        based_on = tuple(row.image for row in rows if row.image.id != NO_ID)
        steps.append(Step(Reorder(op_id=next_op_id(), order=tuple(order), based_on=based_on)))
    return Edit("Add image again", tuple(steps))
