"""The store's v2 Product Images API (plus the v3 upload and the product picker), as methods.

Reads like the reference: one method per documented operation. HTTP details (auth, pacing,
retries, errors) live in `transport.py`. Blocking by design: the app calls it from worker
threads, never from the GUI thread.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Iterator

from app.api import errors
from app.api.auth import StoreCredentials
from app.api.image_files import ImageUpload, read_image_upload
from app.api.models import ImageChanges, Product, ProductImage
from app.api.transport import UPLOAD_DEADLINE_S, ApiTransport

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 250
#: The store refuses a product's 1001st image, so paging past this many means a broken store.
MAX_IMAGES_PER_PRODUCT = 1000


def _check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValueError(f"limit must be 1..{MAX_PAGE_SIZE}, not {limit}")
    return limit


def _as_list(body: Any, what: str, limit: int) -> list[Any]:
    """A v2 collection page: a JSON array of at most `limit` items; 204/empty (None), [] or {}
    all mean "no items". A page longer than asked for is malformed, not a bonus."""
    if body is None or body == {} or body == []:
        return []
    if not isinstance(body, list):
        raise errors.MalformedResponse(f"The store sent {type(body).__name__} where a list of "
                                       f"{what} was expected.")
    if len(body) > limit:
        raise errors.MalformedResponse(
            f"The store sent {len(body)} {what} on a page of at most {limit}: it does not page "
            "properly, so the list was stopped. A proxy or cache may be rewriting the address; "
            "check the API address.")
    return body


def _as_count(body: Any) -> int:
    if isinstance(body, dict) and isinstance(body.get("count"), int):
        return body["count"]
    raise errors.MalformedResponse("The store's count answer has no whole-number 'count'.")


class StoreClient:
    def __init__(self, credentials: StoreCredentials, transport: ApiTransport | None = None,
                 **transport_options: Any) -> None:
        self.credentials = credentials
        self.transport = transport or ApiTransport(credentials, **transport_options)
        self._v2 = credentials.v2_base

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> "StoreClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _url(self, path: str) -> str:
        return f"{self._v2}{path}"

    # ---- images -------------------------------------------------------------------------

    def list_images(self, product_id: int, page: int = 1,
                    limit: int = DEFAULT_PAGE_SIZE) -> list[ProductImage]:
        """One page of a product's images, ordered by image id as the store sends them."""
        body = self.transport.request_json(
            "GET", self._url(f"/products/{product_id}/images"),
            params={"page": page, "limit": _check_limit(limit)})
        return [ProductImage.from_json(item) for item in _as_list(body, "images", limit)]

    def iter_image_pages(self, product_id: int,
                         page_size: int = MAX_PAGE_SIZE) -> Iterator[list[ProductImage]]:
        """Pages until the collection ends: a short page, an empty one, or a 204.

        A store (or proxy) that ignores `page` would send page 1 forever; the official client
        loops on it (bigcommerce-api-python#90). Here a page that starts like the previous
        one, or more images than a product can have, raise MalformedResponse instead.
        """
        max_pages = math.ceil(MAX_IMAGES_PER_PRODUCT / _check_limit(page_size)) + 1
        previous_first: int | None = None
        listed = 0
        for page in range(1, max_pages + 1):
            images = self.list_images(product_id, page=page, limit=page_size)
            listed += len(images)
            if listed > MAX_IMAGES_PER_PRODUCT:
                raise errors.MalformedResponse(
                    f"The store listed more images for product {product_id} than the "
                    f"{MAX_IMAGES_PER_PRODUCT} images a product can have: it does not page "
                    "properly, so the list was stopped. A proxy or cache may be rewriting the "
                    "address; check the API address.", path=f"/products/{product_id}/images")
            if images and images[0].id == previous_first:
                raise errors.MalformedResponse(
                    f"The store sent page {page - 1} of product {product_id}'s images again "
                    f"as page {page}: it ignores paging, so not every image can be listed. A "
                    "proxy or cache may be rewriting the address; check the API address.",
                    path=f"/products/{product_id}/images")
            if images:
                yield images
            if len(images) < page_size:
                return
            previous_first = images[0].id
        raise errors.MalformedResponse(
            f"The store sent {max_pages} full pages of product {product_id}'s images, more than "
            f"the {MAX_IMAGES_PER_PRODUCT} images a product can have: it does not page "
            "properly, so the list was stopped. A proxy or cache may be rewriting the "
            "address; check the API address.", path=f"/products/{product_id}/images")

    def all_images(self, product_id: int) -> list[ProductImage]:
        """Every image of a product: 300 images take 2 requests."""
        return [image for page in self.iter_image_pages(product_id) for image in page]

    def get_image(self, product_id: int, image_id: int) -> ProductImage:
        body = self.transport.request_json(
            "GET", self._url(f"/products/{product_id}/images/{image_id}"))
        return ProductImage.from_json(body)

    def count_images(self, product_id: int | None = None) -> int:
        """The store-wide image count, or one product's when `product_id` is given."""
        path = "/products/images/count" if product_id is None \
            else f"/products/{product_id}/images/count"
        return _as_count(self.transport.request_json("GET", self._url(path)))

    def create_image_from_url(self, product_id: int, image_url: str, *,
                              description: str | None = None, is_thumbnail: bool | None = None,
                              sort_order: int | None = None) -> ProductImage:
        """The store downloads `image_url` itself (http or https, at most 8 MB).

        Never retried after the request left: a second POST would add a duplicate image.
        """
        if not image_url.lower().startswith(("http://", "https://")):
            raise errors.InvalidImageFile(
                f"'{image_url}' is not a web address; the store can only fetch http(s) images.")
        body = {"image_file": image_url,
                **ImageChanges(description, is_thumbnail, sort_order).to_json()}
        created = self.transport.request_json(
            "POST", self._url(f"/products/{product_id}/images"), json_body=body)
        return self._complete(ProductImage.from_json(created))

    def create_image_from_file(self, product_id: int, path: Path, *,
                               description: str | None = None, is_thumbnail: bool | None = None,
                               sort_order: int | None = None) -> ProductImage:
        """Uploads a local picture through the v3 multipart endpoint (OAuth accounts only)."""
        if not self.credentials.supports_file_upload:
            raise errors.UploadNotSupported(
                "Uploading a picture from this computer needs an OAuth API account: the legacy "
                "API (user name + API key) only accepts image web addresses. Create an API "
                "account with the 'Products: modify' scope in the store's control panel "
                "(Settings › API › Store-level API accounts) and connect with its access "
                "token, or add the picture by its web address.")
        return self.upload_image(product_id, read_image_upload(path), description=description,
                                 is_thumbnail=is_thumbnail, sort_order=sort_order)

    def upload_image(self, product_id: int, upload: ImageUpload, *,
                     description: str | None = None, is_thumbnail: bool | None = None,
                     sort_order: int | None = None) -> ProductImage:
        fields = ImageChanges(description, is_thumbnail, sort_order).to_json()
        form = {key: (str(value).lower() if isinstance(value, bool) else str(value))
                for key, value in fields.items()}
        body = self.transport.request_json(
            "POST", f"{self.credentials.v3_base}/catalog/products/{product_id}/images",
            files={"image_file": (upload.file_name, upload.content, upload.mime_type)},
            data=form, deadline_s=UPLOAD_DEADLINE_S)
        if not isinstance(body, dict) or "data" not in body:
            raise errors.MalformedResponse("The store's upload answer has no 'data' object.")
        # Re-read through v2 so every image in the app has the same shape and fields.
        return self.get_image(product_id, ProductImage.from_v3_json(body["data"]).id)

    def update_image(self, product_id: int, image_id: int,
                     changes: ImageChanges) -> ProductImage:
        if not changes:
            raise ValueError("update_image needs at least one change")
        body = self.transport.request_json(
            "PUT", self._url(f"/products/{product_id}/images/{image_id}"),
            json_body=changes.to_json())
        return self._complete(ProductImage.from_json(body))

    def delete_image(self, product_id: int, image_id: int, missing_ok: bool = True) -> None:
        """Deletes one image. Already gone counts as done (`missing_ok`): a DELETE retried after
        a dropped connection meets a 404 precisely because the first attempt worked."""
        try:
            self.transport.request("DELETE",
                                   self._url(f"/products/{product_id}/images/{image_id}"))
        except errors.NotFound:
            if not missing_ok:
                raise

    def delete_all_images(self, product_id: int) -> None:
        self.transport.request("DELETE", self._url(f"/products/{product_id}/images"))

    def _complete(self, image: ProductImage) -> ProductImage:
        """Write answers may omit the rendition URLs (as the reference shows); fetch them."""
        return image if image.has_renditions else self.get_image(image.product_id, image.id)

    # ---- products -----------------------------------------------------------------------

    def list_products(self, page: int = 1, limit: int = DEFAULT_PAGE_SIZE,
                      keyword: str | None = None) -> list[Product]:
        """A page of products, id ascending; `keyword` matches name or SKU."""
        params: dict[str, Any] = {"page": page, "limit": _check_limit(limit)}
        if keyword:
            params["keyword_filter"] = keyword
        body = self.transport.request_json("GET", self._url("/products"), params=params)
        return [Product.from_json(item) for item in _as_list(body, "products", limit)]

    def get_product(self, product_id: int) -> Product:
        return Product.from_json(
            self.transport.request_json("GET", self._url(f"/products/{product_id}")))

    def count_products(self, keyword: str | None = None) -> int:
        params = {"keyword_filter": keyword} if keyword else None
        return _as_count(self.transport.request_json("GET", self._url("/products/count"),
                                                     params=params))
