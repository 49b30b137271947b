"""Products and images as rows of the metadata database, and back.

Lossless: every field of `ProductImage` and `Product` comes back as it went in, the unknown
server fields (`extra`) included. Decoding is strict: a row whose columns do not have the
types they were written with (a damaged page, a hand edit) raises `DamagedRow`, which the
store counts and skips.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from app.api.models import ImageUrls, Product, ProductImage

IMAGE_COLUMNS = ("id", "image_file", "zoom_url", "thumbnail_url", "standard_url", "tiny_url",
                 "is_thumbnail", "sort_order", "description", "date_created", "extra")
PRODUCT_COLUMNS = ("id", "name", "sku", "image_count", "date_modified", "primary_image",
                   "extra")


class DamagedRow(ValueError):
    """A row that cannot be decoded into the record it was written from."""


# ---- encoding ------------------------------------------------------------------------------

def _json(value: Mapping[str, Any]) -> str:
    return json.dumps(dict(value), ensure_ascii=False, separators=(",", ":"), sort_keys=True,
                      default=str)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def image_row(image: ProductImage) -> tuple[Any, ...]:
    """The values of IMAGE_COLUMNS for `image` (product id and store go beside them)."""
    return (image.id, image.image_file, image.zoom_url, image.thumbnail_url, image.standard_url,
            image.tiny_url, int(image.is_thumbnail), image.sort_order, image.description,
            _iso(image.date_created), _json(image.extra))


def product_row(product: Product) -> tuple[Any, ...]:
    """The values of PRODUCT_COLUMNS for `product`."""
    primary = product.primary_image
    primary_json = None if primary is None else _json({
        "id": primary.image_id, "zoom_url": primary.zoom_url,
        "thumbnail_url": primary.thumbnail_url, "standard_url": primary.standard_url,
        "tiny_url": primary.tiny_url})
    return (product.id, product.name, product.sku, product.image_count,
            _iso(product.date_modified), primary_json, _json(product.extra))


# ---- decoding ------------------------------------------------------------------------------

def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise DamagedRow(f"{str(value)[:40]!r} where a whole number belongs")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise DamagedRow(f"{str(value)[:40]!r} where text belongs")
    return value


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _date(value: Any) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(_text(value))
    except ValueError:
        raise DamagedRow(f"{str(value)[:40]!r} where a date belongs") from None


def _mapping(value: Any) -> dict[str, Any]:
    try:
        decoded = json.loads(_text(value))
    except ValueError:  # JSONDecodeError, or text that is not valid UTF-8 JSON
        raise DamagedRow("unreadable JSON") from None
    if not isinstance(decoded, dict):
        raise DamagedRow("JSON that is not an object")
    return decoded


def image_from_row(product_id: int, row: tuple[Any, ...]) -> ProductImage:
    """The image `image_row` was made from; DamagedRow if the row is not one."""
    if len(row) != len(IMAGE_COLUMNS):
        raise DamagedRow(f"{len(row)} columns")
    (image_id, image_file, zoom, thumbnail, standard, tiny, is_thumbnail, sort_order,
     description, date_created, extra) = row
    if is_thumbnail not in (0, 1) or isinstance(is_thumbnail, float):
        raise DamagedRow(f"is_thumbnail {is_thumbnail!r}")
    return ProductImage(
        id=_int(image_id), product_id=product_id, image_file=_text(image_file),
        zoom_url=_optional_text(zoom), thumbnail_url=_optional_text(thumbnail),
        standard_url=_optional_text(standard), tiny_url=_optional_text(tiny),
        is_thumbnail=bool(is_thumbnail), sort_order=_int(sort_order),
        description=_optional_text(description), date_created=_date(date_created),
        extra=_mapping(extra))


def product_from_row(row: tuple[Any, ...]) -> Product:
    """The product `product_row` was made from; DamagedRow if the row is not one. A product
    only known by id (its images were saved before its record) is named like the API names
    a product without a name."""
    if len(row) != len(PRODUCT_COLUMNS):
        raise DamagedRow(f"{len(row)} columns")
    product_id, name, sku, image_count, date_modified, primary_json, extra = row
    product_id = _int(product_id)
    primary = None
    if primary_json is not None:
        fields = _mapping(primary_json)
        primary = ImageUrls(
            image_id=None if fields.get("id") is None else _int(fields.get("id")),
            zoom_url=_optional_text(fields.get("zoom_url")),
            thumbnail_url=_optional_text(fields.get("thumbnail_url")),
            standard_url=_optional_text(fields.get("standard_url")),
            tiny_url=_optional_text(fields.get("tiny_url")))
    return Product(
        id=product_id, name=_text(name) or f"Product {product_id}", sku=_text(sku),
        primary_image=primary,
        image_count=None if image_count is None else _int(image_count),
        date_modified=_date(date_modified), extra=_mapping(extra))
