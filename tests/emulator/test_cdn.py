"""The CDN: public, versioned, immutable renditions (facts §4.6)."""

from __future__ import annotations

import pytest

from app.store_emulator import StoreEmulator
from tests.emulator.conftest import PictureServer
from tests.emulator.helpers import decode, oauth_client, picture_bytes, plain_client

SIZES = {"zoom_url": (1280, 1280), "thumbnail_url": (386, 513), "standard_url": (220, 290),
         "tiny_url": (44, 58)}
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png"}


def _image(emulator: StoreEmulator, pid: int, image_id: int | None = None) -> dict[str, object]:
    with oauth_client(emulator) as api:
        if image_id is None:
            return api.get(f"/products/{pid}/images").json()[0]
        return api.get(f"/products/{pid}/images/{image_id}").json()


@pytest.mark.parametrize("field", list(SIZES))
def test_renditions_fit_their_box_keep_the_type_and_never_upscale(
        emulator: StoreEmulator, field: str) -> None:
    image = _image(emulator, 1)
    extension = str(image["image_file"]).rsplit(".", 1)[-1]
    with plain_client() as cdn:
        response = cdn.get(str(image[field]))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == CONTENT_TYPES[extension]
    picture = decode(response.content)
    box_w, box_h = SIZES[field]
    assert picture.format == {"jpg": "JPEG", "png": "PNG"}[extension]
    assert picture.width <= box_w and picture.height <= box_h
    scale = min(box_w / 800, box_h / 1000, 1.0)  # demo originals are 800x1000
    assert abs(picture.width - 800 * scale) <= 1 and abs(picture.height - 1000 * scale) <= 1


def test_zoom_of_a_small_original_keeps_its_size(empty_emulator: StoreEmulator,
                                                 picture_server: PictureServer) -> None:
    pid = empty_emulator.add_product("Mug")
    url = picture_server.add("/small.png", picture_bytes("PNG", (300, 200)))
    with oauth_client(empty_emulator) as api:
        image = api.post(f"/products/{pid}/images", json={"image_file": url}).json()
        image = api.get(f"/products/{pid}/images/{image['id']}").json()
    with plain_client() as cdn:
        zoom = decode(cdn.get(image["zoom_url"]).content)
        tiny = decode(cdn.get(image["tiny_url"]).content)
    assert (zoom.width, zoom.height) == (300, 200) and zoom.format == "PNG"
    assert (tiny.width, tiny.height) == (44, 29)


def test_png_originals_are_served_as_png(emulator: StoreEmulator) -> None:
    with oauth_client(emulator) as api:
        images = api.get("/products/1/images", params={"limit": 250}).json()
    png = next(image for image in images if image["image_file"].endswith(".png"))
    with plain_client() as cdn:
        response = cdn.get(png["thumbnail_url"])
    assert response.headers["Content-Type"] == "image/png"
    assert decode(response.content).format == "PNG"


def test_cache_headers_etag_and_304(emulator: StoreEmulator) -> None:
    image = _image(emulator, 3)
    with plain_client() as cdn:
        first = cdn.get(str(image["standard_url"]))
        again = cdn.get(str(image["standard_url"]))
        revalidated = cdn.get(str(image["standard_url"]),
                              headers={"If-None-Match": first.headers["ETag"]})
    assert first.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert first.headers["ETag"].startswith('"')
    assert again.content == first.content and again.headers["ETag"] == first.headers["ETag"]
    assert revalidated.status_code == 304 and revalidated.content == b""


def test_no_credentials_needed_and_none_reach_the_cdn(emulator: StoreEmulator) -> None:
    image = _image(emulator, 3)
    with plain_client() as cdn:
        assert cdn.get(str(image["tiny_url"])).status_code == 200
    seen = emulator.cdn_requests()
    assert seen and all(request.path.startswith("/bcapp/") for request in seen)
    for request in seen:
        assert "authorization" not in request.headers and "x-auth-token" not in request.headers


def test_unknown_stale_or_odd_urls_are_404(emulator: StoreEmulator) -> None:
    image = _image(emulator, 3)
    tiny = str(image["tiny_url"]).split("?")[0]
    stem, version, width, height, extension = tiny.rsplit("/", 1)[1].rsplit(".", 4)
    prefix = tiny.rsplit("/", 1)[0]
    bad_urls = [
        f"{prefix}/{stem}.{int(version) - 1}.{width}.{height}.{extension}",  # stale version
        f"{prefix}/{stem}.{version}.45.58.{extension}",  # a size the store doesn't serve
        f"{prefix}/{stem}.{version}.{width}.{height}.png",  # wrong type
        f"{prefix}/other__12345.{version}.{width}.{height}.{extension}",  # wrong name
        tiny.replace("/images/", "/images/9").replace(f"/{image['product_id']}/", "/3/"),
        tiny.replace("/bcapp/pimdemo/", "/bcapp/otherstore/"),
        f"{emulator.cdn_origin}/favicon.ico",
    ]
    with plain_client() as cdn:
        for url in bad_urls:
            assert cdn.get(url).status_code == 404, url
        assert cdn.post(tiny).status_code == 405


def test_deleted_images_disappear_from_the_cdn(emulator: StoreEmulator) -> None:
    image = _image(emulator, 3)
    with plain_client() as cdn, oauth_client(emulator) as api:
        assert cdn.get(str(image["tiny_url"])).status_code == 200
        api.delete(f"/products/3/images/{image['id']}")
        assert cdn.get(str(image["standard_url"])).status_code == 404


def test_pictures_can_be_told_apart_even_at_tiny_size(emulator: StoreEmulator) -> None:
    """Products differ by background colour; images of one product differ in their pixels."""
    with oauth_client(emulator) as api:
        same_product = api.get("/products/1/images", params={"limit": 6}).json()
        thumbnails = [api.get(f"/products/{pid}").json()["primary_image"]
                      for pid in (1, 3, 4, 5, 6, 7)]
    with plain_client() as cdn:
        tinies = [cdn.get(image["tiny_url"]).content for image in same_product]
        backgrounds = [decode(cdn.get(thumb["tiny_url"]).content).convert("RGB").getpixel((1, 1))
                       for thumb in thumbnails]
    assert len({decode(t).convert("RGB").tobytes() for t in tinies}) == 6
    assert len(set(backgrounds)) == 6


def test_originals_are_portrait_800_by_1000(emulator: StoreEmulator) -> None:
    image = _image(emulator, 1)
    with plain_client() as cdn:
        zoom = decode(cdn.get(str(image["zoom_url"])).content)
    assert (zoom.width, zoom.height) == (800, 1000)
    colours = zoom.convert("RGB").getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 20  # a drawing, not a flat fill
