"""The store's v2 Product Images API (plus the v3 upload and the product picker), as methods.

Reads like the reference: one method per documented operation. HTTP details (auth, pacing,
retries, errors) live in `transport.py`. Blocking by design: the app calls it from worker
threads, never from the GUI thread.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any, Iterator

import httpx

from app.api import errors
from app.api.auth import StoreCredentials
from app.api.errors import IDEMPOTENT_METHODS
from app.api.image_files import ImageUpload, read_image_upload
from app.api.models import (RENDITION_URL_FIELDS, ImageChanges, Product, ProductImage,
                            merged_image, v3_as_v2_fields)
from app.api.transport import UPLOAD_DEADLINE_S, ApiTransport
from app.api.upload_progress import ProgressReader, UploadProgress
from app.api.upload_search import UploadSearch, find_uploaded

log = logging.getLogger(__name__)

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 250
#: The store refuses a product's 1001st image, so paging past this many means a broken store.
MAX_IMAGES_PER_PRODUCT = 1000
#: The read that completes a write's record is a courtesy: it may not hold a worker long.
FOLLOW_UP_DEADLINE_S = 15.0
#: Listings of a product that spans pages, at most: the first, and one more when a write
#: shifted a page boundary during it.
MAX_LISTING_PASSES = 2


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


def _as_object(body: Any) -> Mapping[str, Any]:
    if not isinstance(body, Mapping):
        raise errors.MalformedResponse(f"The store answered with {type(body).__name__} where "
                                       "the image's record was expected.")
    return body


class _reading_answer:
    """Marks a MalformedResponse raised while reading a 2xx answer: the store applied the
    request (so a POST must not be sent again), only its answer is unusable."""

    def __init__(self, method: str, url: str) -> None:
        self.method = method
        self.path = httpx.URL(url).path

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> bool:
        if isinstance(exc, errors.MalformedResponse):
            exc.method, exc.applied = self.method, True
            exc.path = exc.path or self.path
            if self.method not in IDEMPOTENT_METHODS:
                exc.message += errors.APPLIED_BUT_UNREADABLE
                exc.args = (exc.message,)
        return False


def _first_of_each_id(pages: list[list[ProductImage]]) -> tuple[list[ProductImage], bool]:
    """The images of `pages` with each id once (its first), and whether an id came twice."""
    seen: set[int] = set()
    images: list[ProductImage] = []
    for image in (image for page in pages for image in page):
        if image.id not in seen:
            seen.add(image.id)
            images.append(image)
    return images, len(images) != sum(map(len, pages))


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

        The pages as the store sends them: while writes run, a delete can shift an image past
        a page boundary unseen. `all_images` is the checked listing.

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

    def all_images(self, product_id: int, *,
                   on_first_page: Callable[[list[ProductImage]], None] | None = None,
                   on_unchecked: Callable[[list[ProductImage]], None] | None = None
                   ) -> list[ProductImage]:
        """Every image of a product, each id once (the first seen), in the store's order.

        `on_first_page` is called (on the calling thread) with the first page as soon as it
        arrives, before the rest is listed and checked: a guess at the list, good enough to
        start loading the pictures the first screen will show (the grid's prefetch).
        `on_unchecked` is called with the whole first listing before its page boundaries are
        checked (only when there are any to check): almost always the answer, one round trip
        sooner, for a screen that then takes the checked answer as a correction.

        Pages are not a snapshot: a delete between two pages shifts the later ones left, so
        an image slips past the boundary unseen (writes may run while this lists). The store
        orders by id and new images get higher ids, so only a removal shifts a boundary; each
        boundary is checked after the last page by asking for the one image just before it
        again (`limit=1`): if another image stands there now, or an id came twice, the listing
        starts over from the first page, once. A product on one page takes one request; 300
        images take 3 (two pages and one check).
        """
        images: list[ProductImage] = []
        for listing in range(1, MAX_LISTING_PASSES + 1):
            pages = []
            for page in self.iter_image_pages(product_id):
                if not pages and listing == 1 and on_first_page is not None:
                    on_first_page(page)
                pages.append(page)
            images, repeated = _first_of_each_id(pages)
            if not repeated:  # (an id twice: it changed while listed; list it again)
                if not any(len(page) >= MAX_PAGE_SIZE for page in pages):
                    return images  # no page boundary to check
                if listing == 1 and on_unchecked is not None:
                    on_unchecked(images)
                if self._boundaries_held(product_id, pages):
                    return images
            log.info("Product %s changed while its %d pages were listed (pass %d)",
                     product_id, len(pages), listing)
        return images  # still changing: the last listing, each id once

    def _boundaries_held(self, product_id: int, pages: list[list[ProductImage]]) -> bool:
        """Whether the last image of every full page still stands last on it (a full page
        is followed by a boundary, even when the page after it came back empty)."""
        for number, page in enumerate(pages, start=1):
            if len(page) < MAX_PAGE_SIZE:
                continue
            # Page `number * MAX_PAGE_SIZE` of one-image pages is the page's last position.
            now = self.list_images(product_id, page=number * MAX_PAGE_SIZE, limit=1)
            if [image.id for image in now] != [page[-1].id]:
                return False
        return True

    def get_image(self, product_id: int, image_id: int, *,
                  deadline_s: float | None = None) -> ProductImage:
        url = self._url(f"/products/{product_id}/images/{image_id}")
        body = self.transport.request_json("GET", url, deadline_s=deadline_s)
        with _reading_answer("GET", url):
            return ProductImage.from_json(body)

    def count_images(self, product_id: int | None = None) -> int:
        """The store-wide image count, or one product's when `product_id` is given."""
        path = "/products/images/count" if product_id is None \
            else f"/products/{product_id}/images/count"
        return _as_count(self.transport.request_json("GET", self._url(path)))

    def create_image_from_url(self, product_id: int, image_url: str, *,
                              description: str | None = None, is_thumbnail: bool | None = None,
                              sort_order: int | None = None,
                              complete: bool = True) -> ProductImage:
        """The store downloads `image_url` itself (http or https, at most 8 MB).

        Never retried after the request left: a second POST would add a duplicate image.
        Once the store answered 201 the image exists, so this returns its record whatever
        happens next: the answer's fields over the ones just sent. Write answers usually leave
        out the rendition URLs; with `complete`, one follow-up GET fetches them, best effort
        (if it fails, the URLs are None and the caller reads them later).
        """
        if not image_url.lower().startswith(("http://", "https://")):
            raise errors.InvalidImageFile(
                f"'{image_url}' is not a web address; the store can only fetch http(s) images.")
        fields = ImageChanges(description, is_thumbnail, sort_order).to_json()
        url = self._url(f"/products/{product_id}/images")
        answer = self.transport.request_json("POST", url,
                                             json_body={"image_file": image_url, **fields})
        with _reading_answer("POST", url):
            created = merged_image(_as_object(answer), {"product_id": product_id, **fields})
        return self._completed(created) if complete else created

    def create_image_from_file(self, product_id: int, path: Path, *,
                               description: str | None = None, is_thumbnail: bool | None = None,
                               sort_order: int | None = None, complete: bool = True,
                               on_progress: UploadProgress | None = None) -> ProductImage:
        """Uploads a local picture through the v3 multipart endpoint (OAuth accounts only);
        `on_progress(sent, total)` as in `upload_image`."""
        if not self.credentials.supports_file_upload:
            raise errors.UploadNotSupported(
                "Uploading a picture from this computer needs an OAuth API account: the legacy "
                "API (user name + API key) only accepts image web addresses. Create an API "
                "account with the 'Products: modify' scope in the store's control panel "
                "(Settings › API › Store-level API accounts) and connect with its access "
                "token, or add the picture by its web address.")
        return self.upload_image(product_id, read_image_upload(path), description=description,
                                 is_thumbnail=is_thumbnail, sort_order=sort_order,
                                 complete=complete, on_progress=on_progress)

    def upload_image(self, product_id: int, upload: ImageUpload, *,
                     description: str | None = None, is_thumbnail: bool | None = None,
                     sort_order: int | None = None, complete: bool = True,
                     on_progress: UploadProgress | None = None) -> ProductImage:
        """Uploads through v3 multipart. Like `create_image_from_url`, an answered upload
        returns its record (from the v3 answer); with `complete`, a best-effort v2 GET gives
        it the v2 shape (date_created, which v3 does not send).

        `on_progress(sent, total)`: the file's bytes written to the connection so far, called
        on this thread as the body streams out (64 KB at a time; from 0 again if the request
        is sent again). The deadline, cancel scope and size caps are the transport's, as for any call."""
        fields = ImageChanges(description, is_thumbnail, sort_order).to_json()
        form = {key: (str(value).lower() if isinstance(value, bool) else str(value))
                for key, value in fields.items()}
        url = f"{self.credentials.v3_base}/catalog/products/{product_id}/images"
        content = upload.content if on_progress is None \
            else ProgressReader(upload.content, on_progress)
        answer = self.transport.request_json(
            "POST", url, files={"image_file": (upload.file_name, content, upload.mime_type)},
            data=form, deadline_s=UPLOAD_DEADLINE_S)
        with _reading_answer("POST", url):
            if not isinstance(answer, Mapping) or "data" not in answer:
                raise errors.MalformedResponse("The store's upload answer has no 'data' object.")
            created = merged_image(v3_as_v2_fields(answer["data"]),
                                   {"product_id": product_id, **fields})
        return self._completed(created) if complete else created

    def update_image(self, product_id: int, image_id: int, changes: ImageChanges, *,
                     known: ProductImage | None = None, complete: bool = True) -> ProductImage:
        """Changes an image with one PUT and returns its record.

        Write answers usually leave out the rendition URLs. Pass the record the caller
        already has as `known`: the answer is merged onto it (its URLs kept, unless the
        picture itself changed), so an edit costs one request. Without `known`, or after a
        new `image_file`, `complete` reads the image once more, best effort: a failed read
        never turns the applied PUT into a failure (the URLs are then None).

        Only this image's record is merged: a PUT that moves the thumbnail flag or shifts the
        siblings' sort_order changes other images too, which the caller applies or re-reads.
        """
        if not changes:
            raise ValueError("update_image needs at least one change")
        base: dict[str, Any] = {}
        if known is not None:
            if (known.id, known.product_id) != (image_id, product_id):
                raise ValueError(f"known is image {known.id} of product {known.product_id}, "
                                 f"not image {image_id} of product {product_id}")
            base = known.to_json()
            if changes.image_file is not None:  # a new picture: the old URLs and name are void
                for stale in ("image_file", *RENDITION_URL_FIELDS):
                    base.pop(stale, None)
        sent = changes.to_json()
        sent.pop("image_file", None)  # the store keeps its own name, never the URL sent
        url = self._url(f"/products/{product_id}/images/{image_id}")
        answer = self.transport.request_json("PUT", url, json_body=changes.to_json())
        with _reading_answer("PUT", url):
            updated = merged_image(_as_object(answer), {**base, **sent, "id": image_id,
                                                        "product_id": product_id})
        return self._completed(updated) if complete else updated

    def find_uploaded(self, product_id: int, *, file_name: str,
                      before_ids: Collection[int] | None = None,
                      same_picture: Callable[[ProductImage], bool] | None = None,
                      ) -> UploadSearch:
        """Whether an upload (or URL create) of `file_name` whose answer never came arrived:
        see `app.api.upload_search.find_uploaded`."""
        return find_uploaded(self, product_id, file_name=file_name, before_ids=before_ids,
                             same_picture=same_picture)

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

    def _completed(self, image: ProductImage) -> ProductImage:
        """A written image's record with what a listing shows (rendition URLs, date_created),
        read once more when the write's answer lacked it. Best effort: the write is done, so
        a failed read returns the record as it is."""
        if image.has_renditions and image.date_created is not None:
            return image
        try:
            read = self.get_image(image.product_id, image.id, deadline_s=FOLLOW_UP_DEADLINE_S)
        except errors.ApiError as failure:
            log.info("Image %s was written; reading it back failed (%s), so its record has no "
                     "rendition URLs yet", image.id, type(failure).__name__)
            return image
        return read if read.id == image.id else image

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
