"""One product's images as the grid shows them: the last server snapshot with the pending
operations applied. Qt-free and immutable, so the same code serves online, offline and after
a reload, and a test can check every rule without a window.

The pieces:

- `Snapshot`: the last records the store sent, each under a client-side **row key**. A key never
  changes for the life of a row: an upload's card gets a temporary key when it is dropped and
  keeps it when the store answers with the real id (`Snapshot.keys` maps server id -> row key).
- Operations (`CreateFromFile`, `CreateFromUrl`, `UpdateFields`, `Delete`, `DeleteAll`,
  `Reorder`): what the merchant asked for, each with an op id and the record(s) it was based on
  (for the conflict checks of the offline replay). They name rows by row key, never by server id,
  so an edit of an upload that has no id yet is an ordinary edit.
- `Pending`: an operation with its sync state (waiting, sending, failed with a reason).
- `view(snapshot, pending)`: THE pure function from the above to the rows of the grid.
- `diff(old_rows, new_rows)`: the fewest row changes (remove, move, insert, changed fields)
  that turn one view into the next, for a Qt model to replay as begin/end* calls and dataChanged.
- `ImageState`: the three together, with the transitions the write lane drives
  (`add`, `sending`, `failed`, `reconcile`, `discard`, `with_server_images`).

How a Qt list model applies a `diff` (the model holds `rows: list[ViewRow]`), in list order:

    for change in diff(model.rows, state.view()):
        Remove(at, count):   beginRemoveRows(QModelIndex(), at, at + count - 1)
                             del rows[at:at + count]; endRemoveRows()
        Move(source, destination):   # "rows.insert(destination, rows.pop(source))"
                             qt_dest = destination + 1 if destination > source else destination
                             beginMoveRows(QModelIndex(), source, source, QModelIndex(), qt_dest)
                             rows.insert(destination, rows.pop(source)); endMoveRows()
        Insert(at, rows_):   beginInsertRows(QModelIndex(), at, at + len(rows_) - 1)
                             rows[at:at] = rows_; endInsertRows()
        Changed(at, row, fields):   rows[at] = row
                             dataChanged(index(at), index(at), roles_for(fields))

Each change's indexes are valid in the list as the changes before it left it (exactly what
`apply_changes` does), so the adapter never recomputes positions; persistent indexes (selection,
current card, an open editor) follow the rows through Qt's own bookkeeping.
"""

from __future__ import annotations

import bisect
import enum
import itertools
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from dataclasses import fields as dataclass_fields
from pathlib import Path

from app.api.models import ProductImage

# The operations live below the journal that stores them; they are part of this module's API.
from app.cache.operations import (  # noqa: F401  (re-exported)
    Create,
    CreateFromFile,
    CreateFromUrl,
    Delete,
    DeleteAll,
    FieldChanges,
    Operation,
    Phase,
    Reorder,
    RowKey,
    UpdateFields,
    image_row_key,
)


def display_order(images: Iterable[ProductImage]) -> list[ProductImage]:
    """The storefront order: sort_order, then id (the store's tie-break)."""
    return sorted(images, key=lambda image: (image.sort_order, image.id))


# ---- the server snapshot -------------------------------------------------------------------

@dataclass(frozen=True)
class Snapshot:
    """The last records the store sent for one product, and the row key of each."""

    product_id: int
    images: tuple[ProductImage, ...] = ()
    #: server id -> row key, for ids whose key is not `image_row_key(id)` (finished uploads).
    keys: Mapping[int, RowKey] = field(default_factory=dict)

    def key_of(self, image_id: int) -> RowKey:
        return self.keys.get(image_id, image_row_key(image_id))

    def rows(self) -> list[tuple[RowKey, ProductImage]]:
        """(row key, record) in storefront order."""
        return [(self.key_of(image.id), image) for image in display_order(self.images)]

    def record(self, key: RowKey) -> ProductImage | None:
        for image in self.images:
            if self.key_of(image.id) == key:
                return image
        return None

    def with_images(self, images: Iterable[ProductImage]) -> Snapshot:
        """A fresh list from the store. Duplicate ids (a page that shifted while it was read)
        keep their first record; keys of ids that are gone are forgotten."""
        unique: dict[int, ProductImage] = {}
        for image in images:
            unique.setdefault(image.id, image)
        keys = {image_id: key for image_id, key in self.keys.items() if image_id in unique}
        return Snapshot(self.product_id, tuple(unique.values()), keys)

    def merged(self, records: Iterable[ProductImage], key_for_new: RowKey | None = None
               ) -> Snapshot:
        """Records from a write's answer replace the ones with their id, or join the list
        (under `key_for_new`, for an upload's card). The store keeps a single thumbnail, so
        a record that is the thumbnail now takes the star from every other. An upload's
        record takes its card's key even when a reload listed it first (under its id)."""
        by_id = {image.id: image for image in self.images}
        keys = dict(self.keys)
        for record in records:
            if key_for_new is not None:
                keys[record.id] = key_for_new
            by_id[record.id] = record
            if record.is_thumbnail:
                for other_id, other in by_id.items():
                    if other_id != record.id and other.is_thumbnail:
                        by_id[other_id] = replace(other, is_thumbnail=False)
        return Snapshot(self.product_id, tuple(by_id.values()), keys)

    def without(self, image_ids: Iterable[int]) -> Snapshot:
        """The images deleted. Deleting the thumbnail, the store gives the star to the first
        image left (lowest sort_order, then id), and so does the snapshot."""
        gone = set(image_ids)
        left = [image for image in self.images if image.id not in gone]
        if left and not any(image.is_thumbnail for image in left) and \
                any(image.is_thumbnail for image in self.images if image.id in gone):
            heir = min(left, key=lambda image: (image.sort_order, image.id))
            left = [replace(image, is_thumbnail=True) if image is heir else image
                    for image in left]
        return Snapshot(self.product_id, tuple(left),
                        {k: v for k, v in self.keys.items() if k not in gone})


@dataclass(frozen=True)
class SyncState:
    phase: Phase = Phase.WAITING
    reason: str = ""      # why it failed, in the merchant's words

    @classmethod
    def failed(cls, reason: str) -> SyncState:
        return cls(Phase.FAILED, reason)


WAITING = SyncState(Phase.WAITING)
SENDING = SyncState(Phase.SENDING)
DONE = SyncState(Phase.DONE)


@dataclass(frozen=True)
class Pending:
    op: Operation
    sync: SyncState = WAITING


# ---- the view ------------------------------------------------------------------------------

class Badge(enum.Enum):
    """What a card says about its changes; a failure outranks sending, sending waiting."""

    NONE = 0
    WAITING = 1
    SENDING = 2
    FAILED = 3


_BADGE_OF_PHASE = {Phase.WAITING: Badge.WAITING, Phase.SENDING: Badge.SENDING,
                   Phase.FAILED: Badge.FAILED, Phase.DONE: Badge.NONE}

#: The id a card carries until the store gave it one.
NO_ID = 0


@dataclass(frozen=True)
class ViewRow:
    key: RowKey
    #: The image as the merchant should see it now. An upload not yet done has id NO_ID and
    #: no rendition URLs; `local_file` / `source_url` say where its picture comes from.
    image: ProductImage
    badge: Badge = Badge.NONE
    #: Why a change of this card failed (empty unless the badge is FAILED).
    reason: str = ""
    local_file: Path | None = None
    source_url: str | None = None

    @property
    def server_id(self) -> int | None:
        return None if self.image.id == NO_ID else self.image.id


def _with_badge(row: ViewRow, sync: SyncState) -> ViewRow:
    badge = _BADGE_OF_PHASE[sync.phase]
    if badge.value <= row.badge.value:
        return row
    return replace(row, badge=badge, reason=sync.reason if badge is Badge.FAILED else "")


def _new_card(op: Create, product_id: int) -> ViewRow:
    if isinstance(op, CreateFromFile):
        image = ProductImage(id=NO_ID, product_id=product_id, image_file=op.name,
                             description=op.description)
        return ViewRow(op.row_key, image, local_file=op.path)
    image = ProductImage(id=NO_ID, product_id=product_id, image_file=op.url.rsplit("/", 1)[-1],
                         description=op.description)
    return ViewRow(op.row_key, image, source_url=op.url)


def _set_thumbnail(rows: list[ViewRow], index: int) -> None:
    """Exactly one star: the new thumbnail takes it from every other card at once."""
    for other, row in enumerate(rows):
        if other != index and row.image.is_thumbnail:
            rows[other] = replace(row, image=replace(row.image, is_thumbnail=False))


def _reordered(rows: list[ViewRow], order: Sequence[RowKey]) -> list[ViewRow]:
    """The listed rows, in the listed order, in the places the listed rows hold."""
    rank = {key: n for n, key in enumerate(order)}
    slots = [n for n, row in enumerate(rows) if row.key in rank]
    moving = sorted((rows[n] for n in slots), key=lambda row: rank[row.key])
    result = list(rows)
    for slot, row in zip(slots, moving):
        result[slot] = row
    return result


def view(snapshot: Snapshot, pending: Sequence[Pending]) -> list[ViewRow]:
    """The rows of the grid: the snapshot in storefront order, then each pending operation in
    the order it was made. A waiting or sending change shows as if done (with its badge); a
    failed one too, except a failed delete, whose card stays to show the reason."""
    rows = [ViewRow(key, image) for key, image in snapshot.rows()]
    where: dict[RowKey, int] | None = None  # row key -> index, rebuilt after rows shift
    moving: list[SyncState] = []  # the states of the reorders on their way

    def index_of(key: RowKey) -> int | None:
        nonlocal where
        if where is None:
            where = {row.key: n for n, row in enumerate(rows)}
        return where.get(key)

    for item in pending:
        op, sync = item.op, item.sync
        if sync.phase is Phase.DONE:
            continue  # its answer is in the snapshot already (see `ImageState.reconcile`)
        failed = sync.phase is Phase.FAILED
        if isinstance(op, (CreateFromFile, CreateFromUrl)):
            at = max(0, min(op.position, len(rows)))
            rows.insert(at, _with_badge(_new_card(op, snapshot.product_id), sync))
            where = None
        elif isinstance(op, UpdateFields):
            index = index_of(op.row_key)
            if index is None:
                continue  # deleted meanwhile: nothing to show the edit on
            row = rows[index]
            rows[index] = _with_badge(replace(row, image=op.changes.applied_to(row.image)), sync)
            if op.changes.is_thumbnail:
                _set_thumbnail(rows, index)
        elif isinstance(op, Delete):
            index = index_of(op.row_key)
            if index is not None:
                if failed:
                    rows[index] = _with_badge(rows[index], sync)
                else:
                    starred = rows[index].image.is_thumbnail
                    del rows[index]
                    where = None
                    if starred:
                        _pass_the_star_on(rows)
        elif isinstance(op, DeleteAll):
            rows = [_with_badge(row, sync) for row in rows] if failed else []
            where = None
        elif isinstance(op, Reorder):
            rows = _reordered(rows, op.order)
            if failed:  # a failure shows on every card it lists
                listed = set(op.order)
                rows = [_with_badge(row, sync) if row.key in listed else row for row in rows]
            else:
                moving.append(sync)
            where = None
    if moving:
        rows = _mark_moved(rows, snapshot, moving)
    return rows


def _pass_the_star_on(rows: list[ViewRow]) -> None:
    """The thumbnail was deleted: the store gives the star to the first image left (lowest
    sort_order), so the grid does at once: exactly one star, never none for the seconds a
    delete waits. A card not on the store yet cannot take it."""
    if any(row.image.is_thumbnail for row in rows):
        return
    heir = next((n for n, row in enumerate(rows) if row.image.id != NO_ID), None)
    if heir is not None:
        rows[heir] = replace(rows[heir], image=replace(rows[heir].image, is_thumbnail=True))


def _mark_moved(rows: list[ViewRow], snapshot: Snapshot,
                syncs: Sequence[SyncState]) -> list[ViewRow]:
    """Reorders on their way mark only the cards that moved against the store's order (the
    fewest that explain the new one), not every card they list: a drop amid 300 cards marks
    the dropped ones. Judged on the end result, so merged reorders look like the ones made."""
    stored = {key: n for n, (key, _) in enumerate(snapshot.rows())}
    kept = [n for n, row in enumerate(rows) if row.key in stored]
    stay = _longest_increasing([stored[rows[n].key] for n in kept])
    moved = {rows[n].key for position, n in enumerate(kept) if position not in stay}
    result = []
    for row in rows:
        if row.key in moved:
            for sync in syncs:
                row = _with_badge(row, sync)
        result.append(row)
    return result


# ---- row changes ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Remove:
    at: int
    count: int = 1


@dataclass(frozen=True)
class Move:
    """`rows.insert(destination, rows.pop(source))`: one row, indexes as Python's list has them
    (Qt's beginMoveRows wants `destination + 1` when moving down)."""

    source: int
    destination: int

    @property
    def qt_destination(self) -> int:
        return self.destination + 1 if self.destination > self.source else self.destination


@dataclass(frozen=True)
class Insert:
    at: int
    rows: tuple[ViewRow, ...]


@dataclass(frozen=True)
class Changed:
    """The row at `at` (same key) looks different: `fields` names what, for the roles."""

    at: int
    row: ViewRow
    fields: frozenset[str]


RowChange = Remove | Move | Insert | Changed

_IMAGE_FIELDS = tuple(f.name for f in dataclass_fields(ProductImage) if f.name != "extra")


def changed_fields(old: ViewRow, new: ViewRow) -> frozenset[str]:
    """Names of what differs: image fields ("description", "is_thumbnail", "id", …) and the
    row's own ("badge", "reason", "local_file", "source_url")."""
    names = {name for name in _IMAGE_FIELDS
             if getattr(old.image, name) != getattr(new.image, name)}
    names.update(name for name in ("badge", "reason", "local_file", "source_url")
                 if getattr(old, name) != getattr(new, name))
    return frozenset(names)


def _longest_increasing(values: Sequence[int]) -> set[int]:
    """The indexes into `values` of one longest strictly increasing subsequence (O(n log n))."""
    tails: list[int] = []      # values[tails[k]]: the smallest tail of a run of length k + 1
    tail_values: list[int] = []
    previous = [-1] * len(values)
    for index, value in enumerate(values):
        length = bisect.bisect_left(tail_values, value)
        if length > 0:
            previous[index] = tails[length - 1]
        if length == len(tails):
            tails.append(index)
            tail_values.append(value)
        else:
            tails[length] = index
            tail_values[length] = value
    chain: set[int] = set()
    index = tails[-1] if tails else -1
    while index != -1:
        chain.add(index)
        index = previous[index]
    return chain


def diff(old_rows: Sequence[ViewRow], new_rows: Sequence[ViewRow]) -> list[RowChange]:
    """The changes that turn `old_rows` into `new_rows`, each valid after the ones before it:
    removes (bottom up, contiguous runs as one), then the fewest single-row moves (rows on a
    longest run that kept its relative order stay put), then inserts (top down, contiguous
    runs as one), then a `Changed` for each kept row that looks different. Rows are matched by
    key, so an edit is never a remove plus an insert. Keys must be unique in each list."""
    new_keys = {row.key for row in new_rows}
    old_keys = {row.key for row in old_rows}
    changes: list[RowChange] = []

    # Removes, from the bottom so the indexes above stay valid; runs become one change.
    gone = [n for n, row in enumerate(old_rows) if row.key not in new_keys]
    while gone:
        end = gone.pop()
        start = end
        while gone and gone[-1] == start - 1:
            start = gone.pop()
        changes.append(Remove(start, end - start + 1))
    working = [row.key for row in old_rows if row.key in new_keys]

    # Moves: the kept rows in their new order; those on a longest increasing run of old
    # positions stay, each other row goes right after the row that precedes it in the new
    # order (taken in new order, that row is already where it belongs).
    target = [row.key for row in new_rows if row.key in old_keys]
    old_place = {key: n for n, key in enumerate(working)}
    staying = {target[n] for n in _longest_increasing([old_place[key] for key in target])}
    for n, key in enumerate(target):
        if key in staying:
            continue
        source = working.index(key)
        working.pop(source)
        destination = 0 if n == 0 else working.index(target[n - 1]) + 1
        working.insert(destination, key)
        if destination != source:
            changes.append(Move(source, destination))

    # Inserts, from the top: everything before each new row is then already in place.
    n = 0
    while n < len(new_rows):
        if new_rows[n].key in old_keys:
            n += 1
            continue
        start = n
        while n < len(new_rows) and new_rows[n].key not in old_keys:
            n += 1
        changes.append(Insert(start, tuple(new_rows[start:n])))

    old_by_key = {row.key: row for row in old_rows}
    for at, row in enumerate(new_rows):
        before = old_by_key.get(row.key)
        if before is not None and before != row:
            changes.append(Changed(at, row, changed_fields(before, row)))
    return changes


def apply_changes(rows: Sequence[ViewRow], changes: Iterable[RowChange]) -> list[ViewRow]:
    """What a model adapter does with `diff`'s changes, as plain list operations."""
    result = list(rows)
    for change in changes:
        if isinstance(change, Remove):
            del result[change.at:change.at + change.count]
        elif isinstance(change, Move):
            result.insert(change.destination, result.pop(change.source))
        elif isinstance(change, Insert):
            result[change.at:change.at] = change.rows
        else:
            result[change.at] = change.row
    return result


# ---- the state the write lane drives -------------------------------------------------------

#: What the store answered for a finished operation: the created or updated record, the
#: records a reorder rewrote, or None for a delete.
Answer = ProductImage | Sequence[ProductImage] | None

_op_ids = itertools.count(1)
_new_keys = itertools.count(1)
_op_ids_lock = threading.Lock()


def next_op_id() -> int:
    """A process-wide op id, unique across restarts once `seed_op_ids` was called with the
    journal's highest (ops reloaded from the journal keep theirs)."""
    with _op_ids_lock:
        return next(_op_ids)


def seed_op_ids(highest_used: int) -> None:
    """New op ids start above `highest_used` (the journal's `highest_op_id()` at start-up)."""
    global _op_ids
    with _op_ids_lock:
        current = next(_op_ids)
        _op_ids = itertools.count(max(current, highest_used + 1))


#: Keys of new cards carry their run's start (ms, hex): an upload resumed from the journal
#: keeps the key it got in an earlier run, and a new one must never take it.
_RUN = f"{time.time_ns() // 1_000_000:x}"


def new_row_key() -> RowKey:
    """A key for a card the store has not seen yet (an upload), unique across runs."""
    return f"new:{_RUN}.{next(_new_keys)}"


@dataclass(frozen=True)
class ImageState:
    """One product: the last snapshot, the operations not yet in it, and their sync state.
    Every transition returns a new state; `diff(old.view(), new.view())` is what changed."""

    snapshot: Snapshot
    pending: tuple[Pending, ...] = ()

    @classmethod
    def from_server(cls, product_id: int, images: Iterable[ProductImage]) -> ImageState:
        return cls(Snapshot(product_id).with_images(images))

    @property
    def product_id(self) -> int:
        return self.snapshot.product_id

    def view(self) -> list[ViewRow]:
        return view(self.snapshot, self.pending)

    def op(self, op_id: int) -> Pending | None:
        return next((item for item in self.pending if item.op.op_id == op_id), None)

    def server_id(self, key: RowKey) -> int | None:
        """The store's id of a row, once it has one (what a PUT or DELETE is sent to)."""
        record = self.snapshot.record(key)
        return record.id if record is not None else None

    def with_server_images(self, images: Iterable[ProductImage]) -> ImageState:
        """A fresh list from the store (a reload): pending operations stay on top of it."""
        return replace(self, snapshot=self.snapshot.with_images(images))

    def add(self, op: Operation) -> ImageState:
        return replace(self, pending=self.pending + (Pending(op),))

    def replace_pending(self, pending: Iterable[Pending]) -> ImageState:
        """After coalescing (see `op_coalescing`)."""
        return replace(self, pending=tuple(pending))

    def _with_sync(self, op_id: int, sync: SyncState) -> ImageState:
        if self.op(op_id) is None:
            raise KeyError(f"no pending operation {op_id}")
        return replace(self, pending=tuple(
            replace(item, sync=sync) if item.op.op_id == op_id else item
            for item in self.pending))

    def sending(self, op_id: int) -> ImageState:
        return self._with_sync(op_id, SENDING)

    def failed(self, op_id: int, reason: str) -> ImageState:
        return self._with_sync(op_id, SyncState.failed(reason))

    def retry(self, op_id: int) -> ImageState:
        return self._with_sync(op_id, WAITING)

    def discard(self, op_id: int) -> ImageState:
        """Revert: the operation leaves without reaching the store."""
        return replace(self, pending=tuple(i for i in self.pending if i.op.op_id != op_id))

    def reconcile(self, op_id: int, answer: Answer) -> ImageState:
        """The store did `op_id` and answered `answer`: merge it into the snapshot (no extra
        GET) and drop the operation. An upload's record joins under its card's row key."""
        return reconcile(self, op_id, answer)


def reconcile(state: ImageState, op_id: int, answer: Answer) -> ImageState:
    item = state.op(op_id)
    if item is None:
        raise KeyError(f"no pending operation {op_id}")
    op, snapshot = item.op, state.snapshot
    if isinstance(op, (CreateFromFile, CreateFromUrl)):
        if not isinstance(answer, ProductImage):
            raise TypeError("a create is answered with the new record")
        snapshot = snapshot.merged([answer], key_for_new=op.row_key)
    elif isinstance(op, UpdateFields):
        if not isinstance(answer, ProductImage):
            raise TypeError("an update is answered with the updated record")
        snapshot = snapshot.merged([answer])
    elif isinstance(op, Delete):
        record = snapshot.record(op.row_key)
        if record is not None:
            snapshot = snapshot.without([record.id])
    elif isinstance(op, DeleteAll):
        snapshot = snapshot.without(image.id for image in snapshot.images)
    elif isinstance(op, Reorder):
        records = [answer] if isinstance(answer, ProductImage) else list(answer or ())
        snapshot = snapshot.merged(records)
    return ImageState(snapshot, tuple(i for i in state.pending if i.op.op_id != op_id))
