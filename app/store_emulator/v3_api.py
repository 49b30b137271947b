"""The slice of v3 Catalog images a client needs for uploads: multipart (or by-URL) create, and
get one. OAuth only, `{"data": ...}` envelopes, object-shaped errors."""

from __future__ import annotations

import re

from pathlib import PurePosixPath
from typing import Any

from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from .api_call import Call
from .imagetypes import sniff_image
from .errors import V3Error
from .negotiation import require_json
from .picture_sources import PictureUnusable
from .records import NewPicture
from .representations import v3_image
from .responses import json_object_body, json_response
from .routing import Router
from .store import ImageLimitReached
from .v2_validation import INT32

_INVALID_INPUT = "The request payload is missing or invalid."
_MULTIPART_SLACK_BYTES = 1024 * 1024  # form fields and part headers around the file itself


def _not_found() -> V3Error:
    return V3Error(404, "The requested product was not found.")


def _invalid(field: str, reason: str) -> V3Error:
    return V3Error(422, _INVALID_INPUT, errors={field: reason})


def _bool(value: Any, field: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    raise _invalid(field, f"{field} must be a boolean.")


def _int32(value: Any, field: str) -> int | None:
    if value is None:
        return None
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,11}", value.strip()):
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and INT32[0] <= value <= INT32[1]:
        return value
    raise _invalid(field, f"{field} must be an integer.")


def _text(value: Any, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _invalid(field, f"{field} must be a string.")
    return value


def _picture_from_upload(upload: FileStorage, max_bytes: int) -> NewPicture:
    data = upload.stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise V3Error(413, "The image file is too large.",
                      errors={"image_file": f"Each image can be up to {max_bytes} bytes."})
    info = sniff_image(data)
    if info is None:
        raise _invalid("image_file", "The file is not a supported image: use GIF, JPEG, PNG or"
                                     " WEBP.")
    return NewPicture(data, info.extension, PurePosixPath(upload.filename or "image").stem)


def create_image(call: Call, product_id: int) -> Response:
    request = call.request
    services = call.services
    config = services.config
    if request.mimetype not in ("multipart/form-data", "application/json"):
        raise V3Error(415, "The Content-Type must be multipart/form-data (file) or"
                           " application/json (image_url).")
    if services.store.product(product_id) is None:
        raise _not_found()
    request.max_content_length = config.max_file_bytes + _MULTIPART_SLACK_BYTES
    try:
        fields: dict[str, Any] = (dict(request.form.items())
                                  if request.mimetype == "multipart/form-data"
                                  else json_object_body(request))
        upload = request.files.get("image_file")
    except RequestEntityTooLarge:
        raise V3Error(413, "The image file is too large.", errors={
            "image_file": f"Each image can be up to {config.max_file_bytes} bytes."}) from None
    is_thumbnail = _bool(fields.get("is_thumbnail"), "is_thumbnail")
    sort_order = _int32(fields.get("sort_order"), "sort_order")
    description = _text(fields.get("description"), "description")
    image_url = fields.get("image_url")
    if request.mimetype == "multipart/form-data" and image_url is not None:
        raise V3Error(422, "image_url must be present if uploading by url")
    if upload is None and image_url is None:
        raise _invalid("image_file", "Send an image_file part, or image_url as JSON.")
    if image_url is not None and not isinstance(image_url, str):
        raise _invalid("image_url", "image_url must be a string.")
    maximum = config.max_images_per_product
    if services.store.count_images(product_id) >= maximum:
        raise _invalid("image_file", f"A product can have at most {maximum} images.")
    if upload is not None:
        picture = _picture_from_upload(upload, config.max_file_bytes)
    else:
        assert isinstance(image_url, str)
        try:
            picture = services.sources.download(image_url)
        except PictureUnusable as unusable:
            # Shape quoted by BigCommerce staff for a URL the service could not fetch.
            raise V3Error(400, "The field 'image_file' is invalid.", extra={"code": 400},
                          errors={"invalid_reason": unusable.reason}) from None
    try:
        image = services.store.create_image(product_id, picture, is_thumbnail, sort_order,
                                            description, maximum)
    except ImageLimitReached:
        raise _invalid("image_file", f"A product can have at most {maximum} images.") from None
    return json_response({"data": v3_image(image, services.cdn), "meta": {}})


def get_image(call: Call, product_id: int, image_id: int) -> Response:
    image = call.services.store.image(product_id, image_id)
    if image is None:
        raise V3Error(404, "The requested image was not found.")
    return json_response({"data": v3_image(image, call.services.cdn), "meta": {}})


ROUTER = Router([
    ("/catalog/products/<int:product_id>/images", "POST", create_image),
    ("/catalog/products/<int:product_id>/images/<int:image_id>", "GET", get_image),
])


def handle_v3(call: Call) -> Response:
    action = ROUTER.resolve(call)
    require_json(call.request, call.target)
    return action()
