"""Every image operation of the client against the emulator, with both auth styles."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from app.api import ImageChanges, ProductImage
from app.api import errors
from app.api.models import READ_ONLY_IMAGE_FIELDS, RENDITION_URL_FIELDS
from app.store_emulator import StoreEmulator
from tests.api.conftest import ClientFactory, RecordingTransport, methods_and_paths, picture_bytes


@pytest.fixture
def emu(empty_emulator: StoreEmulator) -> StoreEmulator:
    return empty_emulator


def test_list_images_one_page(emu: StoreEmulator, make_client: ClientFactory,
                              auth_style: str) -> None:
    pid = emu.add_product("Canvas Tote", "TOTE-1", image_count=7)
    client = make_client(emu, auth_style)
    first = client.list_images(pid, page=1, limit=5)
    second = client.list_images(pid, page=2, limit=5)
    assert [len(first), len(second)] == [5, 2]
    ids = [image.id for image in first + second]
    assert ids == sorted(ids) and len(set(ids)) == 7  # id ascending, no overlap
    assert all(isinstance(image, ProductImage) and image.product_id == pid
               for image in first + second)
    assert all(image.has_renditions and image.date_created is not None for image in first)
    assert sum(image.is_thumbnail for image in first + second) == 1
    base = "/stores/pimdemo/v2" if auth_style == "oauth" else "/api/v2"
    recorded = emu.requests()
    assert [(r.method, r.path, r.query) for r in recorded] == [
        ("GET", f"{base}/products/{pid}/images", "page=1&limit=5"),
        ("GET", f"{base}/products/{pid}/images", "page=2&limit=5"),
    ]


@pytest.mark.parametrize("empty_status", [204, 200])
def test_list_images_of_an_imageless_product_is_empty(
        emulator_factory, make_client: ClientFactory, auth_style: str,
        empty_status: int) -> None:
    emu = emulator_factory(catalog="empty", empty_collection_status=empty_status)
    pid = emu.add_product("Bare", "BARE-1")
    client = make_client(emu, auth_style)
    assert client.list_images(pid) == []
    assert client.all_images(pid) == []
    assert list(client.iter_image_pages(pid)) == []
    # Past the end of a non-empty product too.
    pid2 = emu.add_product("Two", "TWO-1", image_count=2)
    assert client.list_images(pid2, page=2, limit=2) == []


def test_default_page_size_is_50(emu: StoreEmulator, make_client: ClientFactory) -> None:
    pid = emu.add_product("Many", "MANY-1", image_count=60)
    assert len(make_client(emu).list_images(pid)) == 50
    assert emu.requests()[-1].query == "page=1&limit=50"


def test_iter_image_pages_until_a_short_page(emu: StoreEmulator, make_client: ClientFactory,
                                             auth_style: str) -> None:
    pid = emu.add_product("Five", "FIVE-1", image_count=5)
    pages = list(make_client(emu, auth_style).iter_image_pages(pid, page_size=2))
    assert [len(page) for page in pages] == [2, 2, 1]
    assert len(emu.requests()) == 3  # the short page ends it: no 4th request


def test_iter_image_pages_on_an_exact_multiple_asks_once_more(
        emu: StoreEmulator, make_client: ClientFactory) -> None:
    pid = emu.add_product("Four", "FOUR-1", image_count=4)
    pages = list(make_client(emu).iter_image_pages(pid, page_size=2))
    assert [len(page) for page in pages] == [2, 2]
    assert [r.query for r in emu.requests()] == [
        "page=1&limit=2", "page=2&limit=2", "page=3&limit=2"]


def test_all_images_in_id_order(emu: StoreEmulator, make_client: ClientFactory,
                                auth_style: str) -> None:
    pid = emu.add_product("Bag", "BAG-1", image_count=12)
    images = make_client(emu, auth_style).all_images(pid)
    assert len(images) == 12 == emu.image_count(pid)
    assert [i.id for i in images] == sorted(i.id for i in images)
    assert len(emu.requests()) == 1  # 12 < 250: one page


@pytest.mark.parametrize("style", ["oauth", "basic"])
def test_all_300_images_of_the_largest_demo_product_in_3_requests(
        emulator: StoreEmulator, make_client: ClientFactory, style: str) -> None:
    from app.store_emulator.seed import LARGEST_PRODUCT_ID

    assert emulator.image_count(LARGEST_PRODUCT_ID) == 300
    emulator.clear_requests()
    images = make_client(emulator, style).all_images(LARGEST_PRODUCT_ID)
    assert len(images) == 300
    assert len({image.id for image in images}) == 300
    recorded = emulator.requests()
    # Two pages, then one check that the boundary between them held (the image last on
    # page 1, asked for alone).
    assert [r.query for r in recorded] == ["page=1&limit=250", "page=2&limit=250",
                                           "page=250&limit=1"]


def test_get_image(emu: StoreEmulator, make_client: ClientFactory, auth_style: str) -> None:
    pid = emu.add_product("Mug", "MUG-1", image_count=3)
    client = make_client(emu, auth_style)
    listed = client.list_images(pid)
    got = client.get_image(pid, listed[1].id)
    assert got == listed[1]
    assert got.zoom_url and got.tiny_url and got.zoom_url.startswith(emu.cdn_origin)


def test_count_images_store_wide_and_per_product(emu: StoreEmulator, make_client: ClientFactory,
                                                 auth_style: str) -> None:
    a = emu.add_product("A", "A-1", image_count=3)
    b = emu.add_product("B", "B-1", image_count=4)
    c = emu.add_product("C", "C-1")
    client = make_client(emu, auth_style)
    assert client.count_images() == 7
    assert [client.count_images(a), client.count_images(b), client.count_images(c)] == [3, 4, 0]
    paths = [path for _, path in methods_and_paths(emu)]
    assert paths[0].endswith("/products/images/count")
    assert paths[1].endswith(f"/products/{a}/images/count")


def test_create_image_from_the_emulators_own_cdn_url(emu: StoreEmulator,
                                                     make_client: ClientFactory,
                                                     auth_style: str) -> None:
    source = emu.add_product("Source", "SRC-1", image_count=1)
    target = emu.add_product("Target", "TGT-1", image_count=2)
    client = make_client(emu, auth_style)
    original = client.list_images(source)[0]
    assert original.zoom_url
    emu.clear_requests()
    created = client.create_image_from_url(target, original.zoom_url,
                                           description="Copied front view", sort_order=9)
    assert emu.image_count(target) == 3
    assert emu.image_count(source) == 1
    assert created.product_id == target and created.id != original.id
    assert created.description == "Copied front view" and created.sort_order == 9
    # The write answer omits the rendition URLs (as the docs show); the client fetched them.
    assert created.has_renditions
    base = httpx.URL(client.credentials.v2_base).path
    assert methods_and_paths(emu) == [
        ("POST", f"{base}/products/{target}/images"),
        ("GET", f"{base}/products/{target}/images/{created.id}"),
    ]
    assert client.get_image(target, created.id) == created


def test_create_image_as_thumbnail_moves_the_flag(emu: StoreEmulator,
                                                  make_client: ClientFactory) -> None:
    pid = emu.add_product("Thumb", "TH-1", image_count=2)
    client = make_client(emu)
    url = client.list_images(pid)[0].standard_url
    assert url
    created = client.create_image_from_url(pid, url, is_thumbnail=True)
    images = client.all_images(pid)
    assert [i.id for i in images if i.is_thumbnail] == [created.id]


def test_create_image_from_a_non_web_address_is_refused_before_sending(
        emu: StoreEmulator, make_client: ClientFactory) -> None:
    pid = emu.add_product("X", "X-1")
    with pytest.raises(errors.InvalidImageFile, match="not a web address"):
        make_client(emu).create_image_from_url(pid, "/home/me/picture.jpg")
    assert emu.requests() == []


@pytest.mark.parametrize("kind", ["jpeg", "png", "gif", "webp"])
def test_create_image_from_file_with_oauth_uses_v3_multipart(
        emu: StoreEmulator, make_client: ClientFactory, tmp_path: Path, kind: str) -> None:
    pid = emu.add_product("Upload", "UP-1", image_count=1)
    picture = tmp_path / f"Red Mug.{kind}"
    picture.write_bytes(picture_bytes(kind))
    client = make_client(emu, "oauth")
    created = client.create_image_from_file(pid, picture, description="Red mug",
                                            is_thumbnail=True, sort_order=4)
    assert emu.image_count(pid) == 2
    assert created.product_id == pid
    assert (created.description, created.is_thumbnail, created.sort_order) == ("Red mug", True, 4)
    assert created.has_renditions  # re-read through v2
    post, get = emu.requests()
    assert (post.method, post.path) == ("POST", f"/stores/pimdemo/v3/catalog/products/{pid}/images")
    assert post.headers["content-type"].startswith("multipart/form-data")
    assert (get.method, get.path) == (
        "GET", f"/stores/pimdemo/v2/products/{pid}/images/{created.id}")


def test_create_image_from_file_with_basic_auth_says_why_and_what_to_do(
        emu: StoreEmulator, make_client: ClientFactory, tmp_path: Path) -> None:
    pid = emu.add_product("Upload", "UP-1")
    picture = tmp_path / "mug.png"
    picture.write_bytes(picture_bytes("png"))
    with pytest.raises(errors.UploadNotSupported) as caught:
        make_client(emu, "basic").create_image_from_file(pid, picture)
    message = str(caught.value)
    assert "OAuth" in message                     # why: the legacy API cannot take files
    assert "access token" in message              # what to do: connect with a token...
    assert "web address" in message               # ...or add it by URL
    assert emu.requests() == [] and emu.image_count(pid) == 0


def test_create_image_from_an_invalid_local_file_sends_nothing(
        emu: StoreEmulator, make_client: ClientFactory, tmp_path: Path) -> None:
    pid = emu.add_product("Upload", "UP-1")
    fake = tmp_path / "photo.jpg"
    fake.write_text("<html>not a picture</html>")
    with pytest.raises(errors.InvalidImageFile, match="photo.jpg"):
        make_client(emu, "oauth").create_image_from_file(pid, fake)
    assert emu.requests() == []


def test_update_image_sends_only_writable_fields(emu: StoreEmulator, make_client: ClientFactory,
                                                 auth_style: str) -> None:
    pid = emu.add_product("Lamp", "LAMP-1", image_count=3)
    wire = RecordingTransport()
    client = make_client(emu, auth_style, wire=wire)
    before = client.list_images(pid)
    target = next(image for image in before if not image.is_thumbnail)
    updated = client.update_image(pid, target.id, ImageChanges(
        description="Lamp, side view", is_thumbnail=True))
    assert updated.id == target.id and updated.description == "Lamp, side view"
    assert updated.is_thumbnail and updated.has_renditions
    assert client.get_image(pid, target.id) == updated
    # Exactly one thumbnail: the flag moved.
    assert [i.id for i in client.all_images(pid) if i.is_thumbnail] == [target.id]
    (body,) = wire.json_bodies("PUT")
    assert body == {"description": "Lamp, side view", "is_thumbnail": True}
    forbidden = set(READ_ONLY_IMAGE_FIELDS) | set(RENDITION_URL_FIELDS)
    assert not forbidden & body.keys()
    puts = [r for r in emu.requests() if r.method == "PUT"]
    assert [r.path.rsplit("/", 1)[1] for r in puts] == [str(target.id)]
    assert puts[0].headers["content-type"] == "application/json"


def test_update_image_sort_order_and_clearing_nothing(emu: StoreEmulator,
                                                      make_client: ClientFactory) -> None:
    pid = emu.add_product("Board", "BRD-1", image_count=2)
    client = make_client(emu)
    image = client.list_images(pid)[0]
    updated = client.update_image(pid, image.id, ImageChanges(sort_order=7))
    assert updated.sort_order == 7
    assert updated.description == image.description  # untouched fields stay as they were
    with pytest.raises(ValueError):
        client.update_image(pid, image.id, ImageChanges())


def test_the_store_really_rejects_read_only_fields(emu: StoreEmulator,
                                                   make_client: ClientFactory) -> None:
    """What the client avoids: the store answers 400 "cannot be written to"."""
    pid = emu.add_product("Jar", "JAR-1", image_count=1)
    client = make_client(emu)
    image = client.list_images(pid)[0]
    url = f"{client.credentials.v2_base}/products/{pid}/images/{image.id}"
    with pytest.raises(errors.ValidationFailed, match="cannot be written to"):
        client.transport.request_json("PUT", url, json_body={**ImageChanges(
            description="x").to_json(), "date_created": "Mon, 24 Sep 2012 01:14:30 +0000"})
    # ...and a whole image sent back (as from a cache) would be refused the same way.
    with pytest.raises(errors.ValidationFailed, match="cannot be written to"):
        client.transport.request_json("PUT", url, json_body=image.to_json())


def test_delete_image(emu: StoreEmulator, make_client: ClientFactory, auth_style: str) -> None:
    pid = emu.add_product("Sock", "SOCK-1", image_count=3)
    client = make_client(emu, auth_style)
    victim = client.list_images(pid)[1]
    assert client.delete_image(pid, victim.id) is None
    assert emu.image_count(pid) == 2
    with pytest.raises(errors.NotFound):
        client.get_image(pid, victim.id)
    # A second delete finds it gone: done already (as after a retried DELETE)...
    assert client.delete_image(pid, victim.id) is None
    # ...unless the caller wants to know.
    with pytest.raises(errors.NotFound):
        client.delete_image(pid, victim.id, missing_ok=False)
    assert emu.image_count(pid) == 2


def test_delete_all_images(emu: StoreEmulator, make_client: ClientFactory,
                           auth_style: str) -> None:
    pid = emu.add_product("Skillet", "SKIL-1", image_count=60)
    other = emu.add_product("Other", "OTH-1", image_count=2)
    client = make_client(emu, auth_style)
    client.delete_all_images(pid)
    assert emu.image_count(pid) == 0
    assert emu.image_count(other) == 2
    assert client.all_images(pid) == []
    delete = [r for r in emu.requests() if r.method == "DELETE"]
    assert len(delete) == 1 and delete[0].query == ""  # no paging: everything goes


def test_write_answers_with_urls_need_no_second_request(emulator_factory,
                                                        make_client: ClientFactory) -> None:
    emu = emulator_factory(catalog="empty", urls_in_write_responses=True)
    pid = emu.add_product("Mug", "MUG-1", image_count=1)
    client = make_client(emu)
    image = client.list_images(pid)[0]
    assert image.zoom_url
    emu.clear_requests()
    created = client.create_image_from_url(pid, image.zoom_url)
    updated = client.update_image(pid, image.id, ImageChanges(description="Front"))
    assert created.has_renditions and updated.has_renditions
    assert [r.method for r in emu.requests()] == ["POST", "PUT"]


def test_upload_refusals_from_the_v3_endpoint(emu: StoreEmulator, make_client: ClientFactory,
                                              tmp_path: Path) -> None:
    """What the store says when the client's own checks are bypassed (upload_image)."""
    from app.api.image_files import ImageUpload

    pid = emu.add_product("Mug", "MUG-1")
    client = make_client(emu, "oauth")
    not_a_picture = ImageUpload("fake.png", b"<html>hello</html>", "png")
    with pytest.raises(errors.ValidationFailed) as caught:
        client.upload_image(pid, not_a_picture)
    assert caught.value.status == 422 and "image_file" in caught.value.details
    real = ImageUpload("mug.png", picture_bytes("png"), "png")
    with pytest.raises(errors.NotFound):
        client.upload_image(999, real)
    read_only = make_client(emu, "oauth", token=emu.config.read_only_tokens[0])
    with pytest.raises(errors.PermissionDenied):
        read_only.upload_image(pid, real)
    assert emu.image_count(pid) == 0


def test_upload_dropped_after_commit_is_outcome_unknown(emu: StoreEmulator,
                                                        make_client: ClientFactory,
                                                        tmp_path: Path) -> None:
    pid = emu.add_product("Mug", "MUG-1")
    picture = tmp_path / "mug.webp"
    picture.write_bytes(picture_bytes("webp"))
    emu.faults.drop_after_commit_rate = 1.0
    emu.faults.only_methods = frozenset({"POST"})
    with pytest.raises(errors.OutcomeUnknown):
        make_client(emu, "oauth").create_image_from_file(pid, picture)
    assert [r.method for r in emu.requests()] == ["POST"]
    assert emu.image_count(pid) == 1


def test_update_image_file_replaces_the_picture(emu: StoreEmulator,
                                                make_client: ClientFactory) -> None:
    pid = emu.add_product("Mug", "MUG-1", image_count=2)
    client = make_client(emu)
    first, second = client.list_images(pid)
    assert second.zoom_url
    updated = client.update_image(pid, first.id, ImageChanges(image_file=second.zoom_url))
    assert updated.id == first.id and emu.image_count(pid) == 2
    assert updated.image_file != first.image_file  # a new stored picture...
    assert updated.zoom_url != first.zoom_url      # ...so new CDN URLs
