"""Plain rows of the emulated store, as the state layer hands them out."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProductRecord:
    id: int
    name: str
    sku: str
    price: str  # v2 prices are strings with four decimals, e.g. "12.0000"
    is_visible: bool
    date_created: int  # unix seconds, UTC
    date_modified: int


@dataclass(frozen=True)
class ImageRecord:
    id: int
    product_id: int
    image_file: str  # the stored relative path, e.g. "c/231/canvas-tote-bag-3__48213.jpg"
    is_thumbnail: bool
    sort_order: int
    description: str | None
    date_created: int
    version: int  # unix seconds of the current picture; part of every CDN URL
    picture_position: int | None  # demo images: the number drawn on the lazily made original

    @property
    def stem(self) -> str:
        return self.image_file.rsplit("/", 1)[-1].rsplit(".", 1)[0]

    @property
    def extension(self) -> str:
        return self.image_file.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class NewPicture:
    """A picture about to be stored: its bytes and the stem of the name it came with."""

    data: bytes
    extension: str  # sniffed from the bytes
    source_name: str  # e.g. "red-mug" from ".../Red Mug.jpg"; slugged when stored


@dataclass(frozen=True)
class ProductFilter:
    name: str | None = None  # exact
    keyword: str | None = None  # case-insensitive substring of name or sku
    sku: str | None = None  # exact
    min_id: int | None = None
    max_id: int | None = None
    is_visible: bool | None = None
