"""What a merchant's change is, as the journal keeps it and the write queue sends it.

Plain frozen dataclasses, no Qt and no I/O, in the lowest layer that needs them (the journal
stores them; `app.services.image_state` shows them; the write queue sends them). Operations
name rows by row key, never by server id, so an edit of an upload that has no id yet is an
ordinary edit (see `image_state` for the keys).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from pathlib import Path

from app.api.models import ProductImage

RowKey = str


def image_row_key(image_id: int) -> RowKey:
    """The row key of an image first seen in a server answer."""
    return f"image:{image_id}"


# ---- operations ----------------------------------------------------------------------------

@dataclass(frozen=True)
class FieldChanges:
    """The fields of an image an edit sets; None leaves a field as it is."""

    description: str | None = None
    is_thumbnail: bool | None = None
    sort_order: int | None = None

    def over(self, earlier: FieldChanges) -> FieldChanges:
        """These changes made after `earlier`: one set with the later value of each field."""
        return FieldChanges(*(mine if mine is not None else theirs for mine, theirs in zip(
            (self.description, self.is_thumbnail, self.sort_order),
            (earlier.description, earlier.is_thumbnail, earlier.sort_order))))

    def applied_to(self, image: ProductImage) -> ProductImage:
        values = {name: value for name in ("description", "is_thumbnail", "sort_order")
                  if (value := getattr(self, name)) is not None}
        return replace(image, **values) if values else image


@dataclass(frozen=True, kw_only=True)
class CreateFromFile:
    """Upload a local file (its bytes are in the journal's folder by the time it is queued)."""

    op_id: int
    row_key: RowKey          # the new card's key, kept after the store gives it an id
    path: Path
    sha256: str
    size: int
    name: str                # the file name the merchant knows it by
    position: int            # where it was dropped, as an index into the grid at that time
    description: str = ""


@dataclass(frozen=True, kw_only=True)
class CreateFromUrl:
    """Let the store fetch a picture from a URL (v2 `image_file`)."""

    op_id: int
    row_key: RowKey
    url: str
    position: int
    description: str = ""


@dataclass(frozen=True, kw_only=True)
class UpdateFields:
    op_id: int
    row_key: RowKey
    changes: FieldChanges
    based_on: ProductImage | None   # the record the merchant saw (None: an upload not yet done)


@dataclass(frozen=True, kw_only=True)
class Delete:
    op_id: int
    row_key: RowKey
    based_on: ProductImage | None


@dataclass(frozen=True, kw_only=True)
class DeleteAll:
    """Every image of the product, in one request (the bulk endpoint)."""

    op_id: int
    based_on: tuple[ProductImage, ...]


@dataclass(frozen=True, kw_only=True)
class Reorder:
    """The grid's whole order after a move, as row keys. Rows it lists take the places the
    listed rows held (a row it does not know, e.g. one that arrived since, keeps its place).
    Which sort_order PUTs realise it is the sender's business (see `op_coalescing`)."""

    op_id: int
    order: tuple[RowKey, ...]
    based_on: tuple[ProductImage, ...]   # the records of the listed rows the merchant saw


Create = CreateFromFile | CreateFromUrl
Operation = CreateFromFile | CreateFromUrl | UpdateFields | Delete | DeleteAll | Reorder


class Phase(enum.Enum):
    WAITING = "waiting"
    SENDING = "sending"
    FAILED = "failed"
    DONE = "done"
