"""v3 Catalog image create (multipart or by URL) and get one (facts §4.2)."""

from __future__ import annotations

import re

from app.store_emulator import StoreEmulator
from tests.emulator.conftest import PictureServer
from tests.emulator.helpers import decode, oauth_client, picture_bytes, plain_client
from tests.support.emulator_fixtures import EmulatorFactory

V3_FIELDS = ["id", "product_id", "is_thumbnail", "sort_order", "description", "image_file",
             "url_zoom", "url_thumbnail", "url_standard", "url_tiny", "date_modified"]
ERROR_TYPE = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"


def test_multipart_upload_creates_an_image(empty_emulator: StoreEmulator) -> None:
    pid = empty_emulator.add_product("Mug", image_count=2)
    with oauth_client(empty_emulator, version="v3") as v3:
        response = v3.post(f"/catalog/products/{pid}/images",
                           files={"image_file": ("Front Shot.png", picture_bytes("PNG"),
                                                 "image/png")},
                           data={"is_thumbnail": "true", "sort_order": "7",
                                 "description": "Front"})
        fetched = v3.get(f"/catalog/products/{pid}/images/{response.json()['data']['id']}")
    assert response.status_code == 200
    body = response.json()
    assert body["meta"] == {}
    data = body["data"]
    assert list(data) == V3_FIELDS
    assert data["is_thumbnail"] is True and data["sort_order"] == 7
    assert data["description"] == "Front"
    assert re.fullmatch(r"f/\d{3}/front-shot__\d{5}\.png", data["image_file"])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00", data["date_modified"])
    assert fetched.json()["data"] == data
    with oauth_client(empty_emulator) as v2:
        thumbnails = [i["id"] for i in v2.get(f"/products/{pid}/images").json()
                      if i["is_thumbnail"]]
    assert thumbnails == [data["id"]]
    with plain_client() as cdn:
        assert decode(cdn.get(data["url_tiny"]).content).format == "PNG"


def test_multipart_defaults_go_last_and_not_thumbnail(empty_emulator: StoreEmulator) -> None:
    pid = empty_emulator.add_product("Mug", image_count=2)
    with oauth_client(empty_emulator, version="v3") as v3:
        data = v3.post(f"/catalog/products/{pid}/images",
                       files={"image_file": ("a.jpg", picture_bytes(), "image/jpeg")}
                       ).json()["data"]
    assert data["sort_order"] == 2 and data["is_thumbnail"] is False


def test_wrong_file_type_is_422(empty_emulator: StoreEmulator) -> None:
    pid = empty_emulator.add_product("Mug")
    with oauth_client(empty_emulator, version="v3") as v3:
        response = v3.post(f"/catalog/products/{pid}/images",
                           files={"image_file": ("a.jpg", b"%PDF-1.4 not a picture", "image/jpeg")})
    assert response.status_code == 422
    body = response.json()
    assert body["status"] == 422 and body["type"] == ERROR_TYPE and body["title"]
    assert "image_file" in body["errors"]
    assert empty_emulator.image_count(pid) == 0


def test_file_over_the_limit_is_413(emulator_factory: EmulatorFactory) -> None:
    emulator = emulator_factory(catalog="empty", max_file_bytes=50_000)
    pid = emulator.add_product("Mug")
    jpeg = picture_bytes()
    with oauth_client(emulator, version="v3") as v3:
        too_big = v3.post(f"/catalog/products/{pid}/images", files={
            "image_file": ("a.jpg", jpeg + b"\0" * (50_001 - len(jpeg)), "image/jpeg")})
        far_too_big = v3.post(f"/catalog/products/{pid}/images", files={
            "image_file": ("a.jpg", jpeg + b"\0" * 3_000_000, "image/jpeg")})
        fits = v3.post(f"/catalog/products/{pid}/images", files={
            "image_file": ("a.jpg", jpeg + b"\0" * (50_000 - len(jpeg)), "image/jpeg")})
    for response in (too_big, far_too_big):
        assert response.status_code == 413
        assert response.json()["status"] == 413 and response.json()["type"] == ERROR_TYPE
    assert fits.status_code == 200


def test_bad_form_fields_are_422(empty_emulator: StoreEmulator) -> None:
    pid = empty_emulator.add_product("Mug")
    with oauth_client(empty_emulator, version="v3") as v3:
        for data in ({"sort_order": "first"}, {"is_thumbnail": "maybe"},
                     {"sort_order": "²"}, {"sort_order": "--5"}, {"sort_order": "9" * 5000}):
            response = v3.post(f"/catalog/products/{pid}/images", data=data,
                               files={"image_file": ("a.jpg", picture_bytes(), "image/jpeg")})
            assert response.status_code == 422, data
            assert list(response.json()["errors"]) == list(data)
        missing_file = v3.post(f"/catalog/products/{pid}/images", data={"description": "x"},
                               files={"other": ("a.jpg", picture_bytes(), "image/jpeg")})
        assert missing_file.status_code == 422


def test_create_by_image_url_as_json(empty_emulator: StoreEmulator,
                                     picture_server: PictureServer) -> None:
    pid = empty_emulator.add_product("Mug")
    url = picture_server.add("/Blue Bowl.gif", picture_bytes("GIF"))
    bad = picture_server.add("/bad.jpg", b"nope")
    with oauth_client(empty_emulator, version="v3") as v3:
        created = v3.post(f"/catalog/products/{pid}/images", json={"image_url": url})
        refused = v3.post(f"/catalog/products/{pid}/images", json={"image_url": bad})
    assert created.status_code == 200
    assert created.json()["data"]["image_file"].endswith(".gif")
    assert refused.status_code == 400
    assert refused.json() == {
        "status": 400, "code": 400, "title": "The field 'image_file' is invalid.",
        "type": ERROR_TYPE,
        "errors": {"invalid_reason": f"The resource at '{bad}' could not be downloaded and may"
                                     " be invalid."}}


def test_v3_errors_are_objects(emulator: StoreEmulator) -> None:
    with oauth_client(emulator, version="v3") as v3, \
            oauth_client(emulator, token="bad", version="v3") as intruder, \
            oauth_client(emulator, token="demo-read-only-token", version="v3") as reader:
        responses = [
            (401, intruder.get("/catalog/products/1/images/1")),
            (403, reader.post("/catalog/products/1/images", json={"image_url": "http://x/a.jpg"})),
            (404, v3.post("/catalog/products/999/images", json={"image_url": "http://x/a.jpg"})),
            (404, v3.get("/catalog/products/1/images/999999")),
            (415, v3.post("/catalog/products/1/images", content=b"raw")),
        ]
    for status, response in responses:
        assert response.status_code == status
        body = response.json()
        assert isinstance(body, dict) and body["status"] == status and body["type"] == ERROR_TYPE


def test_v3_image_limit(emulator_factory: EmulatorFactory) -> None:
    emulator = emulator_factory(catalog="empty", max_images_per_product=2)
    pid = emulator.add_product("Mug", image_count=2)
    with oauth_client(emulator, version="v3") as v3:
        response = v3.post(f"/catalog/products/{pid}/images",
                           files={"image_file": ("a.jpg", picture_bytes(), "image/jpeg")})
    assert response.status_code == 422
    assert emulator.image_count(pid) == 2
