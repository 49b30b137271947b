"""The v2 surface: its routes, and the request checks v2 makes before any handler runs."""

from __future__ import annotations

from werkzeug.wrappers import Response

from . import v2_images, v2_products
from .api_call import Call
from .errors import V2Error
from .negotiation import require_json
from .routing import Router

ROUTER = Router([
    ("/products", "GET", v2_products.list_products),
    ("/products/count", "GET", v2_products.count_products),
    ("/products/<int:product_id>", "GET", v2_products.get_product),
    ("/products/images/count", "GET", v2_images.count_all_images),
    ("/products/<int:product_id>/images", "GET", v2_images.list_images),
    ("/products/<int:product_id>/images", "POST", v2_images.create_image),
    ("/products/<int:product_id>/images", "DELETE", v2_images.delete_images),
    ("/products/<int:product_id>/images/count", "GET", v2_images.count_product_images),
    ("/products/<int:product_id>/images/<int:image_id>", "GET", v2_images.get_image),
    ("/products/<int:product_id>/images/<int:image_id>", "PUT", v2_images.update_image),
    ("/products/<int:product_id>/images/<int:image_id>", "DELETE", v2_images.delete_image),
])


def handle_v2(call: Call) -> Response:
    request = call.request
    action = ROUTER.resolve(call)
    require_json(request, call.target)
    if request.method in ("POST", "PUT") and request.mimetype != "application/json":
        # The status-code page lists both 400 and 415 for a missing Content-Type: 415 is chosen.
        raise V2Error(415, "The request's Content-Type is not supported. Send application/json.")
    return action()
