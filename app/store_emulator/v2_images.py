"""v2 Product Images: list, get, count, create, update, delete one, delete many."""

from __future__ import annotations

from werkzeug.wrappers import Response

from .api_call import Call
from .errors import V2Error, field_invalid, not_found
from .picture_sources import PictureUnusable
from .records import NewPicture
from .representations import v2_image
from .responses import empty_collection, json_object_body, json_response, no_content
from .store import ImageChanges, ImageLimitReached
from .v2_query import PAGING, parse_page, reject_unknown
from .v2_validation import validate_image_write


def _require_product(call: Call, product_id: int) -> None:
    if call.services.store.product(product_id) is None:
        raise not_found()


def _load_picture(call: Call, image_file: str) -> NewPicture:
    try:
        return call.services.sources.load(image_file)
    except PictureUnusable as unusable:
        raise field_invalid("image_file", {"invalid_reason": unusable.reason}) from None


def _limit_reached(maximum: int) -> V2Error:
    return V2Error(400, f"A product can have at most {maximum} images. Delete an image before"
                        " adding another.", {"max_images": maximum})


def _url_fields(call: Call) -> tuple[str, ...]:
    return tuple(f"{name}_url" for name in call.services.config.rendition_sizes)


def list_images(call: Call, product_id: int) -> Response:
    reject_unknown(call.request.args, PAGING)
    page = parse_page(call.request.args)
    _require_product(call, product_id)
    services = call.services
    images = services.store.images(product_id, page.offset, page.limit)
    if not images:
        return empty_collection(services.config.empty_collection_status)
    return json_response([v2_image(image, services.cdn) for image in images])


def get_image(call: Call, product_id: int, image_id: int) -> Response:
    image = call.services.store.image(product_id, image_id)
    if image is None:
        raise not_found()
    return json_response(v2_image(image, call.services.cdn))


def count_all_images(call: Call) -> Response:
    reject_unknown(call.request.args, ())
    return json_response({"count": call.services.store.count_images()})


def count_product_images(call: Call, product_id: int) -> Response:
    reject_unknown(call.request.args, ())
    _require_product(call, product_id)
    return json_response({"count": call.services.store.count_images(product_id)})


def create_image(call: Call, product_id: int) -> Response:
    services = call.services
    config = services.config
    _require_product(call, product_id)
    write = validate_image_write(json_object_body(call.request), creating=True,
                                 url_fields=_url_fields(call))
    # Refuse before downloading anything; the store re-checks atomically when inserting.
    if services.store.count_images(product_id) >= config.max_images_per_product:
        raise _limit_reached(config.max_images_per_product)
    assert write.image_file is not None
    picture = _load_picture(call, write.image_file)
    try:
        image = services.store.create_image(
            product_id, picture, is_thumbnail=write.is_thumbnail, sort_order=write.sort_order,
            description=write.description if isinstance(write.description, str) else "",
            max_images=config.max_images_per_product)
    except ImageLimitReached:
        raise _limit_reached(config.max_images_per_product) from None
    location = f"{call.target.base_path}/products/{product_id}/images/{image.id}"
    return json_response(v2_image(image, services.cdn, config.urls_in_write_responses), 201,
                         {"Location": location})


def update_image(call: Call, product_id: int, image_id: int) -> Response:
    services = call.services
    if services.store.image(product_id, image_id) is None:
        raise not_found()
    write = validate_image_write(json_object_body(call.request), creating=False,
                                 url_fields=_url_fields(call))
    picture = _load_picture(call, write.image_file) if write.image_file is not None else None
    changes = ImageChanges(is_thumbnail=write.is_thumbnail, sort_order=write.sort_order,
                           description=write.description, picture=picture)
    image = services.store.update_image(product_id, image_id, changes,
                                        shift_siblings=services.config.sort_order_shift)
    if image is None:  # deleted by someone else while the picture downloaded
        raise not_found()
    return json_response(v2_image(image, services.cdn, services.config.urls_in_write_responses))


def delete_image(call: Call, product_id: int, image_id: int) -> Response:
    if not call.services.store.delete_image(product_id, image_id):
        raise not_found()
    return no_content()


def delete_images(call: Call, product_id: int) -> Response:
    args = call.request.args
    reject_unknown(args, PAGING)
    _require_product(call, product_id)
    store = call.services.store
    # UNCONFIRMED what page/limit do here; by default they select the page that is deleted.
    if call.services.config.delete_all_honours_paging and any(key in args for key in PAGING):
        page = parse_page(args)
        store.delete_images(product_id, page.offset, page.limit)
    else:
        store.delete_images(product_id)
    return no_content()
