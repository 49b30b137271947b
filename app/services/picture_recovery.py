"""A picture for an image the store no longer has: the largest copy the app still holds.

When a change meets an image that was deleted on the store meanwhile, the merchant can add it
again. Its renditions' URLs usually die with it, so the picture comes from the app's own picture
cache first (largest rendition first), then from the image host if a URL still answers. The
store's credentials never go to the image host (the downloader has none). Worker thread only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from app.api import errors
from app.api.image_files import MAX_IMAGE_BYTES, sniff_image_type
from app.api.models import ProductImage
from app.api.upload_search import url_file_name
from app.services.upload_downscale import write_staged


class PictureSource(Protocol):
    def get(self, key: str) -> bytes | None: ...


class Fetcher(Protocol):
    def fetch(self, url: str, max_bytes: int = MAX_IMAGE_BYTES) -> bytes: ...


class NoCopyLeft(errors.ApiError):
    """Neither the app nor the image host has the picture any more."""


def _urls(image: ProductImage) -> list[str]:
    return [url for url in (image.zoom_url, image.standard_url, image.thumbnail_url,
                            image.tiny_url) if url]


def _usable(data: bytes | None) -> bool:
    return bool(data) and len(data or b"") <= MAX_IMAGE_BYTES and \
        sniff_image_type((data or b"")[:16]) is not None


def recover_picture(image: ProductImage, cache: PictureSource | None, fetcher: Fetcher | None,
                    folder: Path) -> Path:
    """Writes the largest picture still to be had into `folder` and returns its path."""
    data: bytes | None = None
    if cache is not None:
        data = next((found for url in _urls(image) if _usable(found := cache.get(url))), None)
    if data is None and fetcher is not None:
        for url in _urls(image):
            try:
                data = fetcher.fetch(url)
            except errors.ApiError:
                continue
            if _usable(data):
                break
            data = None
    if data is None:
        raise NoCopyLeft("No copy of this picture is left, on the store or in this app. Add it "
                         "again from your own files.")
    name = url_file_name(image.image_file) or f"image-{image.id}.jpg"
    return write_staged(data, Path(name).suffix or ".jpg", folder)
