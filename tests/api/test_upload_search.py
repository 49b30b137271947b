"""find_uploaded: whether an upload whose answer never came is in the store, decided from the
product's images, with the emulator applying the request and then hanging up."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app.api import ImageDownloader, ProductImage
from app.api import errors
from app.api.image_files import ImageUpload
from app.api.upload_search import name_key, stored_name_key, url_file_name
from app.store_emulator import StoreEmulator
from tests.api.conftest import ClientFactory, picture_bytes


@pytest.fixture
def emu(empty_emulator: StoreEmulator) -> StoreEmulator:
    return empty_emulator


def answer_lost(emu: StoreEmulator, *, applied: bool) -> None:
    """The next POST gets no answer; `applied`: the store handled it first."""
    if applied:
        emu.faults.drop_after_commit_rate = 1.0
    else:
        emu.faults.drop_rate = 1.0
    emu.faults.only_methods = frozenset({"POST"})


def answers_again(emu: StoreEmulator) -> None:
    emu.faults.drop_rate = emu.faults.drop_after_commit_rate = 0.0


@pytest.mark.parametrize("applied", [True, False])
def test_an_upload_without_an_answer_is_found_or_known_absent(
        emu: StoreEmulator, make_client: ClientFactory, applied: bool) -> None:
    pid = emu.add_product("Mug", "MUG-1", image_count=3)
    client = make_client(emu, "oauth")
    before = {image.id for image in client.all_images(pid)}
    upload = ImageUpload("Red Mug (2).png", picture_bytes("png"), "png")
    answer_lost(emu, applied=applied)
    with pytest.raises(errors.OutcomeUnknown) as caught:
        client.upload_image(pid, upload, description="Red mug")
    assert not caught.value.safe_to_resend
    answers_again(emu)
    search = client.find_uploaded(pid, file_name=upload.file_name, before_ids=before)
    assert search.arrived is applied
    if applied:
        assert search.image is not None and search.image.id not in before
        assert search.image.description == "Red mug"
    else:  # safe to send again: and sending it adds exactly one image
        assert search.image is None and search.candidates == ()
        client.upload_image(pid, upload)
    assert emu.image_count(pid) == 4


def test_a_url_create_without_an_answer_is_found(emu: StoreEmulator,
                                                 make_client: ClientFactory) -> None:
    pid = emu.add_product("Lamp Shade", "LAMP-1", image_count=2)
    client = make_client(emu, "basic")
    images = client.all_images(pid)
    url = images[1].zoom_url
    assert url
    answer_lost(emu, applied=True)
    with pytest.raises(errors.OutcomeUnknown):
        client.create_image_from_url(pid, url)
    answers_again(emu)
    search = client.find_uploaded(pid, file_name=url_file_name(url),
                                  before_ids=[image.id for image in images])
    assert search.arrived is True and search.image is not None
    assert emu.image_count(pid) == 3


def test_an_older_image_of_the_same_name_is_not_taken_for_the_upload(
        emu: StoreEmulator, make_client: ClientFactory) -> None:
    pid = emu.add_product("Mug", "MUG-1")
    client = make_client(emu, "oauth")
    upload = ImageUpload("mug.png", picture_bytes("png"), "png")
    older = client.upload_image(pid, upload)
    before = {image.id for image in client.all_images(pid)}
    answer_lost(emu, applied=False)
    with pytest.raises(errors.OutcomeUnknown):
        client.upload_image(pid, upload)
    answers_again(emu)
    assert client.find_uploaded(pid, file_name="mug.png", before_ids=before).arrived is False
    # Without knowing what was there before, the older image is a candidate: be told so.
    assert client.find_uploaded(pid, file_name="mug.png").image == older


def test_two_candidates_are_told_apart_by_their_picture(
        emu: StoreEmulator, make_client: ClientFactory) -> None:
    pid = emu.add_product("Mug", "MUG-1")
    client = make_client(emu, "oauth")
    small = ImageUpload("mug.png", picture_bytes("png", (40, 30)), "png")
    large = ImageUpload("mug.png", picture_bytes("png", (90, 60)), "png")
    client.upload_image(pid, small)  # e.g. sent by another app meanwhile
    answer_lost(emu, applied=True)
    with pytest.raises(errors.OutcomeUnknown):
        client.upload_image(pid, large)
    answers_again(emu)
    undecided = client.find_uploaded(pid, file_name="mug.png", before_ids=[])
    assert undecided.arrived is None and len(undecided.candidates) == 2

    downloader = ImageDownloader()

    def same_size_as_large(image: ProductImage) -> bool:
        # The zoom rendition of a picture under 1280 px keeps its pixel size.
        assert image.zoom_url
        with Image.open(io.BytesIO(downloader.fetch(image.zoom_url))) as picture:
            return picture.size == (90, 60)

    try:
        found = client.find_uploaded(pid, file_name="mug.png", before_ids=[],
                                     same_picture=same_size_as_large)
    finally:
        downloader.close()
    assert found.arrived is True and found.image == undecided.candidates[1]
    assert emu.image_count(pid) == 2


@pytest.mark.parametrize(("file_name", "stored", "key"), [
    ("Red Mug (2).PNG", "r/123/red-mug-2__45678.png", "red-mug-2"),
    ("C:\\Photos\\front view.jpeg", "f/007/front-view__10000.jpg", "front-view"),
    ("archive.tar.gz.webp", "a/001/archive-tar-gz__99999.webp", "archive-tar-gz"),
])
def test_names_as_the_store_files_them(file_name: str, stored: str, key: str) -> None:
    assert name_key(file_name) == key == stored_name_key(stored)


def test_the_file_name_of_an_image_url() -> None:
    assert url_file_name("https://cdn.example.com/a/Red%20Mug.jpg?v=2") == "Red Mug.jpg"
