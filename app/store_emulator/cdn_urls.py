"""The CDN URL scheme, in both directions.

{origin}/bcapp/{store_hash}/products/{pid}/images/{iid}/{stem}.{version}.{W}.{H}.{ext}?c=1
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .records import ImageRecord

_PATH = re.compile(
    r"^/bcapp/(?P<store_hash>[^/]+)/products/(?P<product_id>\d+)/images/(?P<image_id>\d+)/"
    r"(?P<stem>[^/]+)\.(?P<version>\d+)\.(?P<width>\d+)\.(?P<height>\d+)\.(?P<extension>[a-z]+)$"
)


@dataclass(frozen=True)
class RenditionRequest:
    store_hash: str
    product_id: int
    image_id: int
    stem: str
    version: int
    size: tuple[int, int]
    extension: str


@dataclass(frozen=True)
class CdnUrls:
    origin: str
    store_hash: str
    sizes: dict[str, tuple[int, int]]  # rendition name ("zoom", "tiny", ...) -> box

    def url(self, image: ImageRecord, rendition: str) -> str:
        width, height = self.sizes[rendition]
        return (f"{self.origin}/bcapp/{self.store_hash}/products/{image.product_id}/images/"
                f"{image.id}/{image.stem}.{image.version}.{width}.{height}.{image.extension}?c=1")

    def all(self, image: ImageRecord) -> dict[str, str]:
        return {name: self.url(image, name) for name in self.sizes}


def parse_rendition_path(path: str) -> RenditionRequest | None:
    match = _PATH.match(path)
    if match is None:
        return None
    return RenditionRequest(
        store_hash=match["store_hash"], product_id=int(match["product_id"]),
        image_id=int(match["image_id"]), stem=match["stem"], version=int(match["version"]),
        size=(int(match["width"]), int(match["height"])), extension=match["extension"])
