"""v2 products for a picker: list, filters, count, get (facts §5)."""

from __future__ import annotations

import re

from app.store_emulator import StoreEmulator
from tests.emulator.helpers import oauth_client, plain_client

PRODUCT_FIELDS = ["id", "name", "sku", "price", "is_visible", "date_created", "date_modified",
                  "primary_image", "images"]


def test_list_pages_and_fields(emulator: StoreEmulator) -> None:
    with oauth_client(emulator) as api:
        first = api.get("/products", params={"limit": 10}).json()
        third = api.get("/products", params={"limit": 10, "page": 3}).json()
        past = api.get("/products", params={"limit": 10, "page": 4})
        too_many = api.get("/products", params={"limit": 500})
    assert [p["id"] for p in first] == list(range(1, 11))
    assert [p["id"] for p in third] == [21, 22, 23, 24]
    assert past.status_code == 204
    assert too_many.status_code == 413
    product = first[0]
    assert list(product) == PRODUCT_FIELDS
    assert product["name"] == "Canvas Tote Bag" and product["sku"] == "TOTE-001"
    assert re.fullmatch(r"\d+\.\d{4}", product["price"])
    assert product["images"] == {
        "url": f"{emulator.oauth_api_base}/products/1/images.json",
        "resource": "/products/1/images"}
    assert set(product["primary_image"]) == {"id", "zoom_url", "thumbnail_url", "standard_url",
                                             "tiny_url"}


def test_primary_image_is_the_thumbnail_or_null(emulator: StoreEmulator) -> None:
    with oauth_client(emulator) as api:
        imageless = api.get("/products/2").json()
        single = api.get("/products/3").json()
        image = api.get("/products/3/images").json()[0]
    assert imageless["primary_image"] is None
    assert single["primary_image"] == {"id": image["id"], "zoom_url": image["zoom_url"],
                                       "thumbnail_url": image["thumbnail_url"],
                                       "standard_url": image["standard_url"],
                                       "tiny_url": image["tiny_url"]}
    with plain_client() as cdn:
        assert cdn.get(single["primary_image"]["tiny_url"]).status_code == 200


def test_filters(emulator: StoreEmulator) -> None:
    def ids(**params: object) -> list[int]:
        response = api.get("/products", params=params)
        return [] if response.status_code == 204 else [p["id"] for p in response.json()]

    with oauth_client(emulator) as api:
        assert ids(name="Canvas Tote Bag") == [1]
        assert ids(name="Canvas Tote") == []  # v2 name is an exact match
        assert ids(sku="MUG-001") == [2]
        assert ids(keyword_filter="mug") == [2, 6]
        assert ids(keyword_filter="TOTE-0") == [1]
        assert ids(min_id=5, max_id=7) == [5, 6, 7]
        visible = ids(is_visible="true", limit=250)
        hidden = ids(is_visible="false", limit=250)
        assert sorted(visible + hidden) == list(range(1, 25))
        assert api.get("/products/count", params={"keyword_filter": "mug"}).json() == {"count": 2}
        assert api.get("/products/count").json() == {"count": 24}
        unknown = api.get("/products", params={"colour": "red"})
        bad_id = api.get("/products", params={"min_id": "x"})
        bad_bool = api.get("/products/count", params={"is_visible": "maybe"})
    assert unknown.status_code == 400
    assert unknown.json()[0]["message"] == "The field 'colour' is not supported by this resource."
    assert bad_id.json() == [{"status": 400, "message": "The field 'min_id' is invalid."}]
    assert bad_bool.status_code == 400


def test_get_one_and_404(emulator: StoreEmulator) -> None:
    with oauth_client(emulator) as api:
        product = api.get("/products/5")
        missing = api.get("/products/99")
        listed = api.get("/products", params={"min_id": 5, "max_id": 5}).json()[0]
    assert product.json() == listed
    assert missing.status_code == 404


def test_added_products_are_listed(empty_emulator: StoreEmulator) -> None:
    with oauth_client(empty_emulator) as api:
        assert api.get("/products").status_code == 204
        pid = empty_emulator.add_product("Red Mug", "MUG-RED", image_count=2)
        product = api.get(f"/products/{pid}").json()
    assert product["name"] == "Red Mug" and product["sku"] == "MUG-RED"
    assert product["primary_image"] is not None
