"""Checks on a v2 image body, in the order the service reports them: read-only fields, unknown
fields, types, then required fields."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from .errors import field_invalid, field_not_supported, field_read_only, field_required
from .store import UNSET

READ_ONLY_FIELDS = ("id", "product_id", "date_created")
WRITABLE_FIELDS = ("image_file", "is_thumbnail", "sort_order", "description")
INT32 = (-(2**31), 2**31 - 1)


@dataclass(frozen=True)
class ImageWrite:
    image_file: str | None = None
    is_thumbnail: bool | None = None
    sort_order: int | None = None
    description: Any = UNSET  # str, None (allowed: clears it) or UNSET (not sent)


def validate_image_write(body: dict[str, Any], creating: bool, url_fields: Collection[str],
                         ) -> ImageWrite:
    """`url_fields` are the read-only *_url names of the configured renditions."""
    for field in body:
        if field in READ_ONLY_FIELDS or field in url_fields:
            raise field_read_only(field)
        if field not in WRITABLE_FIELDS:
            raise field_not_supported(field)
    image_file = body.get("image_file")
    if "image_file" in body and not isinstance(image_file, str):
        raise field_invalid("image_file")
    is_thumbnail = body.get("is_thumbnail")
    if "is_thumbnail" in body and not isinstance(is_thumbnail, bool):
        raise field_invalid("is_thumbnail")
    sort_order = body.get("sort_order")
    if "sort_order" in body and not (
            isinstance(sort_order, int) and not isinstance(sort_order, bool)
            and INT32[0] <= sort_order <= INT32[1]):
        raise field_invalid("sort_order")
    description = body.get("description", UNSET)
    if description is not UNSET and description is not None and not isinstance(description, str):
        raise field_invalid("description")
    if creating and "image_file" not in body:
        raise field_required("image_file")
    return ImageWrite(image_file, is_thumbnail, sort_order, description)
