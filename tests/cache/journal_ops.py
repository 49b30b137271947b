"""Sample operations for the journal tests (also imported by the crash child process)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from app.api.models import ProductImage
from app.services.image_state import (
    CreateFromFile,
    CreateFromUrl,
    Delete,
    DeleteAll,
    FieldChanges,
    Operation,
    Reorder,
    UpdateFields,
)


def record(image_id: int, description: str | None = "alt") -> ProductImage:
    return ProductImage(
        id=image_id, product_id=7, image_file=f"r/{image_id}/mug__{image_id}.jpg",
        zoom_url=f"https://cdn.example/{image_id}.1280.jpg", standard_url=None,
        tiny_url=f"https://cdn.example/{image_id}.44.jpg", is_thumbnail=image_id == 1,
        sort_order=image_id * 10, description=description,
        date_created=datetime(2026, 3, 1, 12, 30, 5, tzinfo=UTC),
        extra={"image_url": "", "custom": {"nested": [1, "ü"]}})


def sample_op(op_id: int, files_dir: Path) -> Operation:
    """A deterministic operation for each op id, cycling through every kind."""
    kind = op_id % 6
    if kind == 0:
        return CreateFromFile(op_id=op_id, row_key=f"new:{op_id}",
                              path=files_dir / "ab" / ("ab" + "0" * 62), sha256="ab" + "0" * 62,
                              size=1234, name=f"Red Mug ({op_id}).PNG", position=op_id % 4,
                              description="Ein roter Becher — ☕")
    if kind == 1:
        return CreateFromUrl(op_id=op_id, row_key=f"new:{op_id}",
                             url=f"https://example.com/a/Red%20Mug.jpg?v={op_id}", position=0)
    if kind == 2:
        return UpdateFields(op_id=op_id, row_key=f"image:{op_id}",
                            changes=FieldChanges(description=f"alt {op_id}", is_thumbnail=None,
                                                 sort_order=op_id),
                            based_on=record(op_id, description=None))
    if kind == 3:
        return Delete(op_id=op_id, row_key=f"image:{op_id}", based_on=record(op_id, ""))
    if kind == 4:
        return DeleteAll(op_id=op_id, based_on=(record(1), record(2)))
    return Reorder(op_id=op_id, order=("image:2", f"new:{op_id}", "image:1"),
                   based_on=(record(1), record(2)))
