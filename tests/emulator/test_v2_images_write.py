"""Writing v2 product images: create by URL or import path, update, delete (facts §1.3, §4.1)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.store_emulator import StoreEmulator
from tests.emulator.conftest import PictureServer
from tests.emulator.helpers import (JSON_HEADERS, basic_client, decode, oauth_client, picture_bytes,
                                    plain_client)
from tests.support.emulator_fixtures import EmulatorFactory

URL_FIELDS = ("zoom_url", "thumbnail_url", "standard_url", "tiny_url")


def _invalid_image_file(reason: str) -> list[dict[str, object]]:
    return [{"status": 400, "message": "The field 'image_file' is invalid.",
             "details": {"invalid_reason": reason}}]


def test_create_by_url_returns_201_location_and_the_docs_fields(
        empty_emulator: StoreEmulator, picture_server: PictureServer) -> None:
    pid = empty_emulator.add_product("Red Mug", "MUG-9")
    url = picture_server.add("/photos/Red Mug.jpg", picture_bytes("JPEG"))
    with oauth_client(empty_emulator) as api:
        response = api.post(f"/products/{pid}/images", json={"image_file": url})
    assert response.status_code == 201
    body = response.json()
    assert list(body) == ["id", "product_id", "image_file", "is_thumbnail", "sort_order",
                          "description", "date_created"]
    assert response.headers["Location"] == (
        f"/stores/{empty_emulator.config.store_hash}/v2/products/{pid}/images/{body['id']}")
    assert body["product_id"] == pid and body["description"] == ""
    assert re.fullmatch(r"r/\d{3}/red-mug__\d{5}\.jpg", body["image_file"])
    assert body["image_file"] != url
    assert empty_emulator.image_count(pid) == 1


def test_basic_auth_create_has_a_basic_style_location(
        empty_emulator: StoreEmulator, picture_server: PictureServer) -> None:
    pid = empty_emulator.add_product("Red Mug")
    url = picture_server.add("/a.png", picture_bytes("PNG"))
    with basic_client(empty_emulator) as api:
        response = api.post(f"/products/{pid}/images", json={"image_file": url})
    assert response.status_code == 201
    assert response.headers["Location"] == f"/api/v2/products/{pid}/images/{response.json()['id']}"


def test_write_responses_can_include_urls(emulator_factory: EmulatorFactory,
                                          picture_server: PictureServer) -> None:
    emulator = emulator_factory(catalog="empty", urls_in_write_responses=True)
    pid = emulator.add_product("Red Mug")
    url = picture_server.add("/a.jpg", picture_bytes())
    with oauth_client(emulator) as api:
        created = api.post(f"/products/{pid}/images", json={"image_file": url}).json()
        updated = api.put(f"/products/{pid}/images/{created['id']}", json={"description": "x"})
    assert all(field in created for field in URL_FIELDS)
    assert all(field in updated.json() for field in URL_FIELDS)


def test_create_from_the_emulators_own_cdn(emulator: StoreEmulator) -> None:
    with oauth_client(emulator) as api:
        source = api.get("/products/3/images").json()[0]
        response = api.post("/products/2/images", json={"image_file": source["zoom_url"],
                                                        "description": "Copied"})
        created = api.get(f"/products/2/images/{response.json()['id']}").json()
    assert response.status_code == 201
    assert created["is_thumbnail"] is True and created["description"] == "Copied"
    with plain_client() as cdn:
        assert cdn.get(created["tiny_url"]).status_code == 200


def test_image_type_comes_from_the_bytes_not_the_name(
        empty_emulator: StoreEmulator, picture_server: PictureServer) -> None:
    pid = empty_emulator.add_product("Mug")
    png_named_jpg = picture_server.add("/really-a-png.jpg", picture_bytes("PNG"))
    text_named_jpg = picture_server.add("/notes.jpg", b"these are not pixels" * 10)
    with oauth_client(empty_emulator) as api:
        created = api.post(f"/products/{pid}/images", json={"image_file": png_named_jpg})
        refused = api.post(f"/products/{pid}/images", json={"image_file": text_named_jpg})
    assert created.json()["image_file"].endswith(".png")
    assert refused.status_code == 400
    assert refused.json() == _invalid_image_file(
        f"The resource at '{text_named_jpg}' could not be downloaded and may be invalid.")


@pytest.mark.parametrize("fmt, extension", [("GIF", "gif"), ("WEBP", "webp"), ("JPEG", "jpg")])
def test_supported_formats(empty_emulator: StoreEmulator, picture_server: PictureServer,
                           fmt: str, extension: str) -> None:
    pid = empty_emulator.add_product("Mug")
    url = picture_server.add(f"/x.{extension}", picture_bytes(fmt))
    with oauth_client(empty_emulator) as api:
        response = api.post(f"/products/{pid}/images", json={"image_file": url})
    assert response.status_code == 201
    assert response.json()["image_file"].endswith(f".{extension}")


def test_bmp_and_truncated_images_are_refused(empty_emulator: StoreEmulator,
                                              picture_server: PictureServer) -> None:
    pid = empty_emulator.add_product("Mug")
    jpeg = picture_bytes("JPEG", (400, 400))
    bad = [picture_server.add("/x.bmp", picture_bytes("BMP")),
           picture_server.add("/cut.jpg", jpeg[: len(jpeg) // 3])]
    with oauth_client(empty_emulator) as api:
        for url in bad:
            assert api.post(f"/products/{pid}/images", json={"image_file": url}).status_code == 400
    assert empty_emulator.image_count(pid) == 0


def test_download_failures_are_400_could_not_be_downloaded(
        empty_emulator: StoreEmulator, picture_server: PictureServer) -> None:
    pid = empty_emulator.add_product("Mug")
    missing = picture_server.origin + "/nothing-here.jpg"
    failing = picture_server.add("/boom.jpg", picture_bytes(), status=500)
    long_url = picture_server.add("/" + "a" * 250 + ".jpg", picture_bytes())
    for url in (missing, failing, long_url, "ftp://example.com/a.jpg", "file:///etc/hostname",
                "http://[bad/a.jpg"):
        with oauth_client(empty_emulator) as api:
            response = api.post(f"/products/{pid}/images", json={"image_file": url})
        assert response.status_code == 400, url
        assert response.json() == _invalid_image_file(
            f"The resource at '{url}' could not be downloaded and may be invalid.")


def test_redirects_are_followed(empty_emulator: StoreEmulator,
                                picture_server: PictureServer) -> None:
    pid = empty_emulator.add_product("Mug")
    target = picture_server.add("/final.jpg", picture_bytes())
    url = picture_server.redirect("/moved.jpg", target)
    with oauth_client(empty_emulator) as api:
        assert api.post(f"/products/{pid}/images", json={"image_file": url}).status_code == 201


def test_files_over_8_mb_are_refused(empty_emulator: StoreEmulator,
                                     picture_server: PictureServer) -> None:
    pid = empty_emulator.add_product("Mug")
    jpeg = picture_bytes("JPEG")
    limit = 8 * 1024 * 1024
    # Bytes after a JPEG's end marker are ignored by decoders: a valid picture of any size.
    just_fits = picture_server.add("/fits.jpg", jpeg + b"\0" * (limit - len(jpeg)))
    too_big = picture_server.add("/big.jpg", jpeg + b"\0" * (limit - len(jpeg) + 1))
    with oauth_client(empty_emulator) as api:
        assert api.post(f"/products/{pid}/images", json={"image_file": just_fits}).status_code == 201
        refused = api.post(f"/products/{pid}/images", json={"image_file": too_big})
    assert refused.status_code == 400
    assert refused.json()[0]["details"]["invalid_reason"].startswith("The resource at")


def test_import_dir_paths(emulator_factory: EmulatorFactory, tmp_path: Path) -> None:
    (tmp_path / "shots").mkdir()
    (tmp_path / "shots" / "Blue Jug.png").write_bytes(picture_bytes("PNG"))
    (tmp_path / "readme.jpg").write_bytes(b"not a picture")
    emulator = emulator_factory(catalog="empty", import_dir=str(tmp_path))
    pid = emulator.add_product("Jug")
    with oauth_client(emulator) as api:
        created = api.post(f"/products/{pid}/images", json={"image_file": "shots/Blue Jug.png"})
        for path in ("shots/missing.jpg", "readme.jpg", "../outside.jpg", "/Users/user/dl.jpeg",
                     "shots", "bad\u0000name.jpg"):
            refused = api.post(f"/products/{pid}/images", json={"image_file": path})
            assert refused.status_code == 400, path
            assert refused.json() == _invalid_image_file(
                f"The file '{path}' is missing or is not usable by this resource.")
    assert created.status_code == 201
    assert re.fullmatch(r"b/\d{3}/blue-jug__\d{5}\.png", created.json()["image_file"])


def test_write_body_rules(emulator: StoreEmulator) -> None:
    cases = [
        ({"image_file": "x.jpg", "id": 1}, "The field 'id' cannot be written to. Please remove"
                                           " it from your request before trying again."),
        ({"image_file": "x.jpg", "product_id": 3}, "The field 'product_id' cannot be written to."
                                                   " Please remove it from your request before"
                                                   " trying again."),
        ({"date_created": "x"}, "The field 'date_created' cannot be written to. Please remove it"
                                " from your request before trying again."),
        ({"tiny_url": "x"}, "The field 'tiny_url' cannot be written to. Please remove it from"
                            " your request before trying again."),
        ({"image_url": "http://x/a.jpg"}, "The field 'image_url' is not supported by this"
                                          " resource."),
        ({"image_file": "x.jpg", "sort_order": "abc"}, "The field 'sort_order' is invalid."),
        ({"image_file": "x.jpg", "sort_order": 2**31}, "The field 'sort_order' is invalid."),
        ({"image_file": "x.jpg", "sort_order": True}, "The field 'sort_order' is invalid."),
        ({"image_file": "x.jpg", "is_thumbnail": "yes"}, "The field 'is_thumbnail' is invalid."),
        ({"image_file": "x.jpg", "description": 5}, "The field 'description' is invalid."),
        ({"image_file": 12}, "The field 'image_file' is invalid."),
        ({"description": "no file"}, "The required field 'image_file' was not supplied."),
    ]
    with oauth_client(emulator) as api:
        for body, message in cases:
            response = api.post("/products/3/images", json=body)
            assert response.status_code == 400, body
            assert response.json() == [{"status": 400, "message": message}], body
        assert api.put("/products/3/images/301", json={"product_id": 3}).status_code == 400
    assert emulator.image_count(3) == 1


def test_malformed_json_bodies_are_400(emulator: StoreEmulator) -> None:
    with oauth_client(emulator) as api:
        for raw in (b"{not json", b"[1, 2]", b'"text"', b"\xff\xfe"):
            response = api.post("/products/3/images", content=raw, headers=JSON_HEADERS)
            assert response.status_code == 400, raw
            assert response.json()[0]["status"] == 400


def test_image_limit_per_product(emulator_factory: EmulatorFactory,
                                 picture_server: PictureServer) -> None:
    emulator = emulator_factory(catalog="empty", max_images_per_product=3)
    pid = emulator.add_product("Mug", image_count=3)
    url = picture_server.add("/a.jpg", picture_bytes())
    with oauth_client(emulator) as api:
        response = api.post(f"/products/{pid}/images", json={"image_file": url})
        assert response.status_code == 400
        assert "at most 3 images" in response.json()[0]["message"]
        first = api.get(f"/products/{pid}/images").json()[0]
        assert api.delete(f"/products/{pid}/images/{first['id']}").status_code == 204
        assert api.post(f"/products/{pid}/images", json={"image_file": url}).status_code == 201
    assert emulator.image_count(pid) == 3


def test_update_changes_fields_and_keeps_the_rest(emulator: StoreEmulator) -> None:
    with oauth_client(emulator) as api:
        before = api.get("/products/1/images/5").json()
        response = api.put("/products/1/images/5", json={"description": "Alt text"})
        after = api.get("/products/1/images/5").json()
        cleared = api.put("/products/1/images/5", json={"description": None}).json()
        unchanged = api.put("/products/1/images/5", json={})
    assert response.status_code == 200
    assert response.json()["description"] == "Alt text"
    assert "zoom_url" not in response.json()
    assert after == {**before, "description": "Alt text"}
    assert cleared["description"] is None
    assert unchanged.status_code == 200


def test_update_with_image_file_replaces_the_picture(
        empty_emulator: StoreEmulator, picture_server: PictureServer) -> None:
    pid = empty_emulator.add_product("Mug", image_count=1)
    new_picture = picture_server.add("/Green Mug.png", picture_bytes("PNG", colour=(0, 200, 0)))
    with oauth_client(empty_emulator) as api, plain_client() as cdn:
        before = api.get(f"/products/{pid}/images").json()[0]
        assert cdn.get(before["standard_url"]).status_code == 200
        response = api.put(f"/products/{pid}/images/{before['id']}",
                           json={"image_file": new_picture})
        after = api.get(f"/products/{pid}/images/{before['id']}").json()
        old_url = cdn.get(before["standard_url"])
        new_url = cdn.get(after["standard_url"])
    assert response.status_code == 200
    assert re.fullmatch(r"g/\d{3}/green-mug__\d{5}\.png", after["image_file"])
    assert after["standard_url"] != before["standard_url"]
    assert old_url.status_code == 404
    assert new_url.status_code == 200
    assert decode(new_url.content).convert("RGB").getpixel((5, 5)) == (0, 200, 0)


def test_update_with_a_bad_image_file_changes_nothing(emulator: StoreEmulator) -> None:
    with oauth_client(emulator) as api:
        before = api.get("/products/1/images/7").json()
        response = api.put("/products/1/images/7",
                           json={"description": "new", "image_file": "ftp://x/y.jpg"})
        after = api.get("/products/1/images/7").json()
    assert response.status_code == 400
    assert after == before


def test_delete_one_image(emulator: StoreEmulator) -> None:
    with oauth_client(emulator) as api:
        response = api.delete("/products/1/images/10")
        again = api.delete("/products/1/images/10")
        gone = api.get("/products/1/images/10")
    assert response.status_code == 204 and response.content == b""
    assert again.status_code == 404 and gone.status_code == 404
    assert emulator.image_count(1) == 299


def test_delete_all_images(emulator: StoreEmulator) -> None:
    with oauth_client(emulator) as api:
        response = api.delete("/products/1/images")
        listed = api.get("/products/1/images")
        product = api.get("/products/1").json()
    assert response.status_code == 204
    assert listed.status_code == 204
    assert emulator.image_count(1) == 0
    assert emulator.image_count(3) == 1
    assert product["primary_image"] is None


def test_delete_all_with_paging_deletes_that_page_only(emulator: StoreEmulator) -> None:
    with oauth_client(emulator) as api:
        ids = [image["id"] for image in api.get("/products/1/images", params={"limit": 10}).json()]
        response = api.delete("/products/1/images", params={"page": 2, "limit": 5})
        remaining = [image["id"]
                     for image in api.get("/products/1/images", params={"limit": 10}).json()]
    assert response.status_code == 204
    assert emulator.image_count(1) == 295
    assert remaining[:5] == ids[:5] and not set(ids[5:10]) & set(remaining)


def test_delete_all_can_ignore_paging(emulator_factory: EmulatorFactory) -> None:
    emulator = emulator_factory(delete_all_honours_paging=False)
    with oauth_client(emulator) as api:
        assert api.delete("/products/1/images", params={"page": 2, "limit": 5}).status_code == 204
    assert emulator.image_count(1) == 0
