"""v2 products, enough for a product picker: list with filters, count, get one."""

from __future__ import annotations

from werkzeug.wrappers import Response

from .api_call import Call
from .errors import not_found
from .records import ProductRecord
from .representations import v2_product
from .responses import empty_collection, json_response
from .v2_query import PAGING, PRODUCT_FILTERS, parse_page, parse_product_filter, reject_unknown


def _render(call: Call, products: list[ProductRecord]) -> list[dict[str, object]]:
    services = call.services
    thumbnails = services.store.thumbnails([product.id for product in products])
    return [v2_product(product, thumbnails.get(product.id), services.cdn, call.api_base_url)
            for product in products]


def list_products(call: Call) -> Response:
    args = call.request.args
    reject_unknown(args, (*PAGING, *PRODUCT_FILTERS))
    page = parse_page(args)
    products = call.services.store.products(parse_product_filter(args), page.offset, page.limit)
    if not products:
        return empty_collection(call.services.config.empty_collection_status)
    return json_response(_render(call, products))


def count_products(call: Call) -> Response:
    args = call.request.args
    reject_unknown(args, PRODUCT_FILTERS)
    return json_response({"count": call.services.store.count_products(parse_product_filter(args))})


def get_product(call: Call, product_id: int) -> Response:
    product = call.services.store.product(product_id)
    if product is None:
        raise not_found()
    return json_response(_render(call, [product])[0])
