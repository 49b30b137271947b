"""Reading v2 product images: list, paging, get one, counts (DD-IMG, facts §1.1, §1.4)."""

from __future__ import annotations

import re

from app.store_emulator import StoreEmulator
from tests.emulator.helpers import basic_client, oauth_client
from tests.support.emulator_fixtures import EmulatorFactory

IMAGE_FIELDS = ["id", "product_id", "image_file", "zoom_url", "thumbnail_url", "standard_url",
                "tiny_url", "is_thumbnail", "sort_order", "description", "date_created"]
RFC2822_GMT = re.compile(r"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$")


def test_300_images_come_in_two_requests_of_250_ordered_by_id(emulator: StoreEmulator) -> None:
    with oauth_client(emulator) as api:
        first = api.get("/products/1/images", params={"page": 1, "limit": 250})
        second = api.get("/products/1/images", params={"page": 2, "limit": 250})
        past_end = api.get("/products/1/images", params={"page": 3, "limit": 250})
    assert first.status_code == 200 and second.status_code == 200
    ids = [image["id"] for image in first.json() + second.json()]
    assert len(first.json()) == 250 and len(second.json()) == 50
    assert ids == sorted(ids) and len(set(ids)) == 300
    assert past_end.status_code == 204 and past_end.content == b""


def test_default_limit_is_50(emulator: StoreEmulator) -> None:
    with oauth_client(emulator) as api:
        assert len(api.get("/products/1/images").json()) == 50


def test_list_of_an_imageless_product_is_204_with_no_body(emulator: StoreEmulator) -> None:
    with oauth_client(emulator) as api:
        response = api.get("/products/2/images")
    assert response.status_code == 204
    assert response.content == b""


def test_empty_collection_can_be_200_with_an_empty_array(emulator_factory: EmulatorFactory,
                                                         ) -> None:
    emulator = emulator_factory(empty_collection_status=200)
    with oauth_client(emulator) as api:
        response = api.get("/products/2/images")
    assert response.status_code == 200
    assert response.json() == []


def test_limit_over_250_is_413_with_max_limit(emulator: StoreEmulator) -> None:
    with oauth_client(emulator) as api:
        response = api.get("/products/1/images", params={"limit": 251})
    assert response.status_code == 413
    assert response.json() == [{"status": 413,
                                "message": "The specified limit exceeds the maximum allowed.",
                                "details": {"max_limit": 250}}]


def test_bad_page_or_limit_is_400(emulator: StoreEmulator) -> None:
    with oauth_client(emulator) as api:
        for params, field in (({"limit": "abc"}, "limit"), ({"limit": 0}, "limit"),
                              ({"page": 0}, "page"), ({"page": "-1"}, "page"),
                              ({"page": "1.5"}, "page")):
            response = api.get("/products/1/images", params=params)
            assert response.status_code == 400, params
            assert response.json() == [{"status": 400,
                                        "message": f"The field '{field}' is invalid."}]


def test_unknown_query_parameter_is_not_supported(emulator: StoreEmulator) -> None:
    with oauth_client(emulator) as api:
        response = api.get("/products/1/images", params={"id": 5})
    assert response.status_code == 400
    assert response.json() == [{"status": 400,
                                "message": "The field 'id' is not supported by this resource."}]


def test_image_object_has_the_documented_fields_and_formats(emulator: StoreEmulator) -> None:
    with oauth_client(emulator) as api:
        images = api.get("/products/1/images", params={"limit": 250}).json()
    for image in images:
        assert list(image) == IMAGE_FIELDS
        assert image["product_id"] == 1
        assert re.fullmatch(r"[a-z]/\d{3}/[a-z0-9-]+__\d{5}\.(jpg|png)", image["image_file"])
        assert RFC2822_GMT.match(image["date_created"])
        assert isinstance(image["sort_order"], int)
        assert isinstance(image["is_thumbnail"], bool)
    assert sum(image["is_thumbnail"] for image in images) == 1


def test_demo_descriptions_mix_null_empty_and_text(emulator: StoreEmulator) -> None:
    with oauth_client(emulator) as api:
        descriptions = [image["description"]
                        for image in api.get("/products/1/images", params={"limit": 250}).json()]
    assert None in descriptions and "" in descriptions
    assert any(isinstance(text, str) and text for text in descriptions)


def test_get_one_image_matches_the_list(emulator: StoreEmulator) -> None:
    with oauth_client(emulator) as api:
        listed = api.get("/products/3/images").json()[0]
        fetched = api.get(f"/products/3/images/{listed['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == listed


def test_unknown_product_or_image_is_404(emulator: StoreEmulator) -> None:
    not_found = [{"status": 404, "message": "The requested resource was not found."}]
    with oauth_client(emulator) as api:
        image_of_product_3 = api.get("/products/3/images").json()[0]["id"]
        for path in ("/products/999/images", "/products/999/images/1", "/products/1/images/999999",
                     f"/products/1/images/{image_of_product_3}", "/products/999/images/count",
                     "/products/1/images/abc"):
            response = api.get(path)
            assert response.status_code == 404, path
            assert response.json() == not_found


def test_store_wide_and_per_product_counts(emulator: StoreEmulator) -> None:
    with oauth_client(emulator) as api:
        total = api.get("/products/images/count")
        per_product = api.get("/products/1/images/count")
        empty = api.get("/products/2/images/count")
        summed = sum(api.get(f"/products/{pid}/images/count").json()["count"]
                     for pid in range(1, 25))
    assert total.status_code == 200 and total.json() == {"count": summed}
    assert per_product.json() == {"count": 300}
    assert empty.json() == {"count": 0}


def test_json_suffix_is_accepted(emulator: StoreEmulator) -> None:
    with oauth_client(emulator) as api:
        plain = api.get("/products/3/images").json()
        suffixed = api.get("/products/3/images.json")
        one = api.get(f"/products/3/images/{plain[0]['id']}.json")
        count = api.get("/products/images/count.json")
    assert suffixed.status_code == 200 and suffixed.json() == plain
    assert one.json() == plain[0]
    assert count.status_code == 200


def test_basic_auth_path_style_serves_the_same_data(emulator: StoreEmulator) -> None:
    with oauth_client(emulator) as oauth, basic_client(emulator) as basic:
        assert basic.get("/products/1/images").json() == oauth.get("/products/1/images").json()


def test_demo_catalog_shape(emulator: StoreEmulator) -> None:
    counts = [emulator.image_count(pid) for pid in range(1, 25)]
    assert counts[0] == 300 and max(counts[1:]) < 300
    assert counts.count(0) == 1 and 1 in counts
    assert len(set(counts)) > 10
    with oauth_client(emulator) as api:
        assert api.get("/products/count").json() == {"count": 24}
