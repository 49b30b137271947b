"""Typed models of the v2 product-image and product resources.

Fields follow `shared/reference/bigcommerce-v2-product-images.md`. Unknown fields from the
server are kept in `extra` (so a newer server loses nothing in our cache) but never sent back.
"""

from __future__ import annotations

import email.utils
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Mapping

from app.api.errors import MalformedResponse

#: Fields the store rejects in a write body ("cannot be written to").
READ_ONLY_IMAGE_FIELDS = frozenset({"id", "product_id", "date_created"})
#: Derived by the store from image_file; never written either.
RENDITION_URL_FIELDS = ("zoom_url", "thumbnail_url", "standard_url", "tiny_url")
KNOWN_IMAGE_FIELDS = frozenset({
    "id", "product_id", "image_file", *RENDITION_URL_FIELDS,
    "is_thumbnail", "sort_order", "description", "date_created",
})


def parse_rfc2822(value: Any) -> datetime | None:
    """v2 dates look like "Mon, 24 Sep 2012 01:14:30 +0000"; empty or junk gives None."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):  # Overflow: a 20-digit day
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def format_rfc2822(value: datetime | None) -> str | None:
    if value is None:
        return None
    return email.utils.format_datetime(value.astimezone(timezone.utc)).replace("-0000", "+0000")


def _int(data: Mapping[str, Any], key: str, default: int | None = None) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        # Only ASCII digits: "²".isdigit() is true but int("²") raises, as does "--5".
        if isinstance(value, str) and re.fullmatch(r"\s*-?[0-9]{1,19}\s*", value):
            return int(value)
        if value is None and default is not None:
            return default
        raise MalformedResponse(f"The store sent {key}={str(value)[:40]!r}; a whole number was "
                                "expected.")
    return value


_TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
_FALSE_WORDS = frozenset({"false", "0", "no", "off", ""})


def _bool(data: Mapping[str, Any], key: str, default: bool = False) -> bool:
    """A flag: JSON true/false, 0/1, or those as text ("false" is False, not a non-empty
    string); null or absent is the default; anything else is malformed."""
    value = data.get(key)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and len(value) <= 10:
        word = value.strip().lower()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    raise MalformedResponse(f"The store sent {key}={str(value)[:40]!r}; true or false was "
                            "expected.")


def _optional_str(value: Any) -> str | None:
    """A URL field: a non-empty string, else None."""
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True)
class ProductImage:
    id: int
    product_id: int
    image_file: str = ""
    zoom_url: str | None = None
    thumbnail_url: str | None = None
    standard_url: str | None = None
    tiny_url: str | None = None
    is_thumbnail: bool = False
    sort_order: int = 0
    #: The storefront alt text. Older images carry null, newer ones "" (kept as sent).
    description: str | None = None
    date_created: datetime | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_json(cls, data: Any) -> "ProductImage":
        if not isinstance(data, Mapping):
            raise MalformedResponse("The store sent an image that is not a JSON object.")
        description = data.get("description")
        return cls(
            id=_int(data, "id"),
            product_id=_int(data, "product_id"),
            image_file=data.get("image_file") if isinstance(data.get("image_file"), str) else "",
            zoom_url=_optional_str(data.get("zoom_url")),
            thumbnail_url=_optional_str(data.get("thumbnail_url")),
            standard_url=_optional_str(data.get("standard_url")),
            tiny_url=_optional_str(data.get("tiny_url")),
            is_thumbnail=_bool(data, "is_thumbnail"),
            sort_order=_int(data, "sort_order", 0),
            description=description if isinstance(description, str) else None,
            date_created=parse_rfc2822(data.get("date_created")),
            extra={k: v for k, v in data.items() if k not in KNOWN_IMAGE_FIELDS},
        )

    @classmethod
    def from_v3_json(cls, data: Any) -> "ProductImage":
        """The v3 image shape (url_zoom, date_modified…) mapped onto the v2 model."""
        return cls.from_json(v3_as_v2_fields(data))

    def to_json(self) -> dict[str, Any]:
        """The full server shape, for the offline cache (extra fields included)."""
        body: dict[str, Any] = dict(self.extra)
        body.update({
            "id": self.id, "product_id": self.product_id, "image_file": self.image_file,
            "zoom_url": self.zoom_url, "thumbnail_url": self.thumbnail_url,
            "standard_url": self.standard_url, "tiny_url": self.tiny_url,
            "is_thumbnail": self.is_thumbnail, "sort_order": self.sort_order,
            "description": self.description, "date_created": format_rfc2822(self.date_created),
        })
        return body

    @property
    def has_renditions(self) -> bool:
        return bool(self.tiny_url or self.thumbnail_url or self.standard_url or self.zoom_url)

    def rendition_url(self, min_width: int) -> str | None:
        """The smallest rendition at least `min_width` wide (see `smallest_rendition`)."""
        return smallest_rendition(self, min_width)


#: v3 image field -> v2 field; v3 has no date_created (only date_modified).
_V3_TO_V2 = {"id": "id", "product_id": "product_id", "image_file": "image_file",
             "is_thumbnail": "is_thumbnail", "sort_order": "sort_order",
             "description": "description", "url_zoom": "zoom_url",
             "url_thumbnail": "thumbnail_url", "url_standard": "standard_url",
             "url_tiny": "tiny_url"}


def v3_as_v2_fields(data: Any) -> dict[str, Any]:
    """The fields a v3 image object carries, under their v2 names (absent ones left out)."""
    if not isinstance(data, Mapping):
        raise MalformedResponse("The store sent an image that is not a JSON object.")
    return {v2: data[v3] for v3, v2 in _V3_TO_V2.items() if v3 in data}


def merged_image(answer: Mapping[str, Any], known: Mapping[str, Any]) -> ProductImage:
    """The record of a write: what the store answered, over what was already known of the
    image (e.g. the record the caller had, and the fields just sent) for what it left out.

    A rendition URL the answer leaves out or sends empty counts as not said (write answers
    usually omit them), so a known URL stays; a URL nobody knows stays absent (None)."""
    said = {key: value for key, value in answer.items()
            if not (key in RENDITION_URL_FIELDS and not value)}
    return ProductImage.from_json({**known, **said})


@dataclass(frozen=True)
class ImageChanges:
    """The writable fields of an update; None means "leave as it is"."""

    description: str | None = None
    is_thumbnail: bool | None = None
    sort_order: int | None = None
    image_file: str | None = None

    def to_json(self) -> dict[str, Any]:
        body = {
            "description": self.description, "is_thumbnail": self.is_thumbnail,
            "sort_order": self.sort_order, "image_file": self.image_file,
        }
        return {key: value for key, value in body.items() if value is not None}

    def __bool__(self) -> bool:
        return bool(self.to_json())


def smallest_rendition(urls: "ProductImage | ImageUrls", min_width: int) -> str | None:
    """The smallest rendition at least `min_width` wide (by the documented default sizes),
    else the largest there is.

    Store themes change the real sizes, so this only orders the four URLs; it never
    parses dimensions out of them.
    """
    ladder = [(44, urls.tiny_url), (220, urls.standard_url), (386, urls.thumbnail_url),
              (1280, urls.zoom_url)]
    available = [(w, url) for w, url in ladder if url]
    for width, url in available:
        if width >= min_width:
            return url
    return available[-1][1] if available else None


@dataclass(frozen=True)
class ImageUrls:
    """A product's primary_image: the renditions of its thumbnail image."""

    image_id: int | None
    zoom_url: str | None = None
    thumbnail_url: str | None = None
    standard_url: str | None = None
    tiny_url: str | None = None

    @classmethod
    def from_json(cls, data: Any) -> "ImageUrls | None":
        # v2 sends an object, or null / false / [] / {} when the product has no image.
        if not isinstance(data, Mapping) or not data:
            return None
        image_id = data.get("id")
        return cls(
            image_id=image_id if isinstance(image_id, int) and not isinstance(image_id, bool)
            else None,
            zoom_url=_optional_str(data.get("zoom_url")),
            thumbnail_url=_optional_str(data.get("thumbnail_url")),
            standard_url=_optional_str(data.get("standard_url")),
            tiny_url=_optional_str(data.get("tiny_url")),
        )

    def rendition_url(self, min_width: int) -> str | None:
        """The smallest rendition at least `min_width` wide (see `smallest_rendition`)."""
        return smallest_rendition(self, min_width)


@dataclass(frozen=True)
class Product:
    id: int
    name: str
    sku: str = ""
    primary_image: ImageUrls | None = None
    #: Only known once asked for (GET .../images/count); v2 products do not carry it.
    image_count: int | None = None
    date_modified: datetime | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    _KNOWN = frozenset({"id", "name", "sku", "primary_image", "date_modified"})

    @classmethod
    def from_json(cls, data: Any) -> "Product":
        if not isinstance(data, Mapping):
            raise MalformedResponse("The store sent a product that is not a JSON object.")
        name = data.get("name")
        sku = data.get("sku")
        return cls(
            id=_int(data, "id"),
            name=name if isinstance(name, str) else f"Product {data.get('id')}",
            sku=sku if isinstance(sku, str) else "",
            primary_image=ImageUrls.from_json(data.get("primary_image")),
            date_modified=parse_rfc2822(data.get("date_modified")),
            extra={k: v for k, v in data.items() if k not in cls._KNOWN},
        )

    def with_image_count(self, count: int) -> "Product":
        from dataclasses import replace

        return replace(self, image_count=count)
