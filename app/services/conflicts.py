"""Changes that met a store which changed meanwhile (issue 10 §3): found, described, decided.

Before a change is sent, the store's current record of its image (the write queue lists the
product afresh after working offline and at every start) is compared with the record the
merchant saw when they made the change (`based_on`). A conflict is a field the change sets
that the store changed to something else meanwhile, or an image the change edits that the
store no longer has. The merchant then chooses (`Resolution`); until then the change waits,
unsent, and the product's other changes go on.

Pure functions and frozen records: no Qt, no I/O.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from app.api.models import ProductImage
from app.cache.operations import Operation, UpdateFields

#: Fields a change may set that another person may also change on the store. (sort_order is
#: not one: any reorder on the store shifts it, and a reorder keeps rows it does not list.)
COMPARED_FIELDS = ("description", "is_thumbnail")


class ConflictKind(enum.Enum):
    CHANGED = "changed"   # the store's record differs where the change sets it
    DELETED = "deleted"   # the store no longer has the image the change edits


class Resolution(enum.Enum):
    KEEP_MINE = "keep-mine"      # send the change as made, over the store's record
    KEEP_STORES = "keep-stores"  # drop the change; the store's record stands
    SKIP = "skip"                # decide later: the change waits, unsent


@dataclass(frozen=True)
class Conflict:
    product_id: int
    op_id: int
    kind: ConflictKind
    what: str                        # merchant words: "Alt text of image 3"
    base: ProductImage               # what the merchant saw when they made the change
    mine: ProductImage | None        # the image as the merchant wants it
    theirs: ProductImage | None      # the store's record now (None: deleted on the store)
    fields: tuple[str, ...] = ()     # the fields that clash (CHANGED)


def _field_words(fields: tuple[str, ...]) -> str:
    names = {"description": "alt text", "is_thumbnail": "thumbnail"}
    return " and ".join(names.get(name, name) for name in fields)


def find_conflict(product_id: int, op: Operation, position: int | None,
                  store_images: Mapping[int, ProductImage],
                  unsure_fields: Collection[str] = ()) -> Conflict | None:
    """The conflict `op` would meet on a store whose images are `store_images` (by id), or
    None. `position`: the image's place in the grid (1-based, for the words), if known.
    `unsure_fields`: fields whose value in `based_on` came from the merchant's own earlier
    changes not yet on the store (shown on screen before they were sent): a difference
    there is theirs, not the store's, so it is not compared.
    Uploads, reorders and deletes never conflict: they add, rearrange or remove whatever the
    store holds now (a delete of an image whose alt text changed meanwhile still removes the
    image the merchant chose; and the record a delete was made on may carry the merchant's own
    edits, some of them withdrawn since, so it cannot tell what the store changed)."""
    if not isinstance(op, UpdateFields) or op.based_on is None:
        return None
    base = op.based_on
    theirs = store_images.get(base.id)
    label = f"image {position}" if position is not None else "an image"
    mine = op.changes.applied_to(base)
    if not _set_fields(op):
        return None  # only its place changes: a reorder's business, never a clash
    if theirs is None:
        return Conflict(product_id, op.op_id, ConflictKind.DELETED,
                        f"{_field_words(_set_fields(op)).capitalize()} of {label}",
                        base, mine, None, _set_fields(op))
    clashes = tuple(name for name in _set_fields(op) if name not in unsure_fields
                    and _value(theirs, name) != _value(base, name)
                    and _value(theirs, name) != _value(mine, name))
    if not clashes:
        return None
    return Conflict(product_id, op.op_id, ConflictKind.CHANGED,
                    f"{_field_words(clashes).capitalize()} of {label}", base, mine, theirs,
                    clashes)


def _value(image: ProductImage, name: str) -> object:
    """A field as the storefront shows it: no alt text is no alt text, null or "" (an undo
    writes "" over a null)."""
    value = getattr(image, name)
    return "" if name == "description" and value is None else value


def _set_fields(op: UpdateFields) -> tuple[str, ...]:
    return tuple(name for name in COMPARED_FIELDS if getattr(op.changes, name) is not None)


def describe(conflict: Conflict) -> str:
    """One sentence for a list or a card: what happened on the store."""
    if conflict.kind is ConflictKind.DELETED:
        return f"{conflict.what}: the image was deleted on the store after you changed it."
    return f"{conflict.what}: changed on the store after you changed it."


def unsure_fields(op: Operation, earlier: Iterable[Operation]) -> frozenset[str]:
    """The fields of `op`'s `based_on` that the merchant's own earlier changes, still not on
    the store (waiting or failed), may have set on screen (see `find_conflict`)."""
    if not isinstance(op, UpdateFields):
        return frozenset()
    fields: set[str] = set()
    for other in earlier:
        if not isinstance(other, UpdateFields):
            continue
        if other.row_key == op.row_key and other.changes.description is not None:
            fields.add("description")
        if other.changes.is_thumbnail is not None:
            fields.add("is_thumbnail")  # one star per product: any image's change moves it
    return frozenset(fields)
