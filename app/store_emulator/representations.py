"""The JSON the API sends back for products and images, field for field as the docs show."""

from __future__ import annotations

from typing import Any

from .cdn_urls import CdnUrls
from .records import ImageRecord, ProductRecord
from .timefmt import iso8601, rfc2822


def v2_image(image: ImageRecord, cdn: CdnUrls, include_urls: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {"id": image.id, "product_id": image.product_id,
                            "image_file": image.image_file}
    if include_urls:
        body.update({f"{name}_url": url for name, url in cdn.all(image).items()})
    body.update({"is_thumbnail": image.is_thumbnail, "sort_order": image.sort_order,
                 "description": image.description,
                 "date_created": rfc2822(image.date_created)})
    return body


def v2_primary_image(thumbnail: ImageRecord | None, cdn: CdnUrls) -> dict[str, Any] | None:
    # Choice (undocumented for imageless products): null rather than {} or false.
    if thumbnail is None:
        return None
    return {"id": thumbnail.id,
            **{f"{name}_url": url for name, url in cdn.all(thumbnail).items()}}


def v2_product(product: ProductRecord, thumbnail: ImageRecord | None, cdn: CdnUrls,
               api_base_url: str) -> dict[str, Any]:
    return {
        "id": product.id,
        "name": product.name,
        "sku": product.sku,
        "price": product.price,
        "is_visible": product.is_visible,
        "date_created": rfc2822(product.date_created),
        "date_modified": rfc2822(product.date_modified),
        "primary_image": v2_primary_image(thumbnail, cdn),
        "images": {"url": f"{api_base_url}/products/{product.id}/images.json",
                   "resource": f"/products/{product.id}/images"},
    }


def v3_image(image: ImageRecord, cdn: CdnUrls) -> dict[str, Any]:
    return {
        "id": image.id,
        "product_id": image.product_id,
        "is_thumbnail": image.is_thumbnail,
        "sort_order": image.sort_order,
        "description": image.description if image.description is not None else "",
        "image_file": image.image_file,
        **{f"url_{name}": url for name, url in cdn.all(image).items()},
        "date_modified": iso8601(image.version),
    }
