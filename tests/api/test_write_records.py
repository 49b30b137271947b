"""What a write returns: a confirmed write is never reported as a failure, and an edit costs one
request when the caller passes the record it already has."""

from __future__ import annotations

import dataclasses

import pytest

from app.api import ImageChanges, ProductImage
from app.api import errors
from app.api.image_files import ImageUpload
from app.store_emulator import StoreEmulator
from tests.api.conftest import ClientFactory, fast_retry, picture_bytes

#: The v2 read of one image (the follow-up GET after a write), not the list or the count.
ONE_IMAGE_V2 = r"/v2/products/\d+/images/\d+$"
#: Ways the follow-up GET can fail: a 500, a dropped connection, a garbled body.
FOLLOW_UP_FAULTS = ["error_rate", "drop_rate", "garbage_rate"]


@pytest.fixture
def emu(empty_emulator: StoreEmulator) -> StoreEmulator:
    return empty_emulator


def fail_follow_up_reads(emu: StoreEmulator, fault: str) -> None:
    setattr(emu.faults, fault, 1.0)
    emu.faults.only_methods = frozenset({"GET"})
    emu.faults.only_paths = ONE_IMAGE_V2


def gets_of_one_image(emu: StoreEmulator) -> int:
    return sum(1 for r in emu.requests() if r.method == "GET" and "/images/" in r.path)


# ---- 1. a successful POST is a success, whatever the read after it does -----------------

@pytest.mark.parametrize("fault", FOLLOW_UP_FAULTS)
def test_a_created_image_is_returned_when_the_read_after_it_fails(
        emu: StoreEmulator, make_client: ClientFactory, auth_style: str, fault: str) -> None:
    pid = emu.add_product("Mug", "MUG-1", image_count=1)
    client = make_client(emu, auth_style, retry=fast_retry(max_attempts=2))
    source = client.list_images(pid)[0]
    assert source.zoom_url
    fail_follow_up_reads(emu, fault)
    emu.clear_requests()
    created = client.create_image_from_url(pid, source.zoom_url, description="Side view",
                                           sort_order=5)
    assert emu.image_count(pid) == 2  # exactly one new image
    assert [r.method for r in emu.requests()].count("POST") == 1
    assert gets_of_one_image(emu) >= 1  # the follow-up read was tried, and failed
    # The POST's record: what the store answered, nothing invented.
    assert created.id != source.id and created.product_id == pid
    assert (created.description, created.sort_order) == ("Side view", 5)
    assert created.image_file and created.date_created is not None
    assert not created.has_renditions  # not known yet: absent, not guessed
    emu.faults = type(emu.faults)()
    stored = client.get_image(pid, created.id)
    assert dataclasses.replace(stored, zoom_url=None, thumbnail_url=None, standard_url=None,
                               tiny_url=None) == created


@pytest.mark.parametrize("fault", FOLLOW_UP_FAULTS)
def test_an_uploaded_image_is_returned_when_the_read_after_it_fails(
        emu: StoreEmulator, make_client: ClientFactory, fault: str) -> None:
    pid = emu.add_product("Mug", "MUG-1")
    client = make_client(emu, "oauth", retry=fast_retry(max_attempts=2))
    fail_follow_up_reads(emu, fault)
    upload = ImageUpload("Red Mug.png", picture_bytes("png"), "png")
    created = client.upload_image(pid, upload, description="Red mug", is_thumbnail=True)
    assert emu.image_count(pid) == 1
    assert [r.method for r in emu.requests()].count("POST") == 1
    assert gets_of_one_image(emu) >= 1
    assert created.product_id == pid and created.is_thumbnail
    assert created.description == "Red mug"
    # The v3 answer carries the renditions; only date_created (v2 only) is still unknown.
    assert created.has_renditions and created.date_created is None
    emu.faults = type(emu.faults)()
    assert dataclasses.replace(client.get_image(pid, created.id), date_created=None) == created


def test_complete_false_skips_the_follow_up_read(emu: StoreEmulator,
                                                 make_client: ClientFactory) -> None:
    pid = emu.add_product("Mug", "MUG-1", image_count=1)
    client = make_client(emu, "oauth")
    source = client.list_images(pid)[0]
    assert source.zoom_url
    emu.clear_requests()
    by_url = client.create_image_from_url(pid, source.zoom_url, complete=False)
    uploaded = client.upload_image(pid, ImageUpload("a.png", picture_bytes("png"), "png"),
                                   complete=False)
    assert [r.method for r in emu.requests()] == ["POST", "POST"]
    assert by_url.id != uploaded.id and emu.image_count(pid) == 3


def test_an_update_whose_read_after_it_fails_is_still_a_success(
        emu: StoreEmulator, make_client: ClientFactory) -> None:
    pid = emu.add_product("Mug", "MUG-1", image_count=2)
    client = make_client(emu, retry=fast_retry(max_attempts=2))
    image = client.list_images(pid)[1]
    fail_follow_up_reads(emu, "error_rate")
    updated = client.update_image(pid, image.id, ImageChanges(description="Back"))
    assert updated.description == "Back" and updated.id == image.id
    assert not updated.has_renditions  # unknown: nobody passed the known record
    emu.faults = type(emu.faults)()
    assert client.get_image(pid, image.id).description == "Back"


# ---- 3. a PUT costs one request when the caller passes what it knows ---------------------

def test_250_alt_text_edits_cost_250_requests(emulator_factory,
                                              make_client: ClientFactory) -> None:
    # No pacing pauses: the quota is not what this test measures.
    emu = emulator_factory(catalog="empty", rate_limit_quota=100_000)
    assert emu.config.urls_in_write_responses is False  # answers leave the URLs out
    pid = emu.add_product("Poster", "POS-1", image_count=250)
    client = make_client(emu)
    images = client.all_images(pid)
    assert len(images) == 250 and all(image.has_renditions for image in images)
    emu.clear_requests()
    edited = [client.update_image(pid, image.id, ImageChanges(description=f"Poster, view {n}"),
                                  known=image)
              for n, image in enumerate(images)]
    recorded = emu.requests()
    assert len(recorded) == 250 and {r.method for r in recorded} == {"PUT"}
    # Each merged record is the store's record, URLs included.
    assert edited == client.all_images(pid)
    assert [image.description for image in edited] == [f"Poster, view {n}" for n in range(250)]


@pytest.mark.parametrize("urls_in_answers", [False, True])
def test_a_merged_update_keeps_what_the_answer_left_out(
        emulator_factory, make_client: ClientFactory, urls_in_answers: bool) -> None:
    emu = emulator_factory(catalog="empty", urls_in_write_responses=urls_in_answers)
    pid = emu.add_product("Lamp", "LAMP-1", image_count=3)
    client = make_client(emu)
    known = client.list_images(pid)[2]
    emu.clear_requests()
    updated = client.update_image(pid, known.id, ImageChanges(sort_order=9, description=""),
                                  known=known)
    assert [r.method for r in emu.requests()] == ["PUT"]
    assert updated == dataclasses.replace(known, sort_order=9, description="")
    assert updated == client.get_image(pid, known.id)


def test_a_new_picture_voids_the_known_urls(emu: StoreEmulator,
                                           make_client: ClientFactory) -> None:
    pid = emu.add_product("Mug", "MUG-1", image_count=2)
    client = make_client(emu)
    first, second = client.list_images(pid)
    assert second.zoom_url
    updated = client.update_image(pid, first.id, ImageChanges(image_file=second.zoom_url),
                                  known=first)
    assert updated.zoom_url != first.zoom_url and updated.image_file != first.image_file
    assert updated == client.get_image(pid, first.id)  # read back: the URLs are the new ones


def test_a_known_record_of_another_image_is_refused_before_sending(
        emu: StoreEmulator, make_client: ClientFactory) -> None:
    pid = emu.add_product("Mug", "MUG-1", image_count=2)
    client = make_client(emu)
    first, second = client.list_images(pid)
    emu.clear_requests()
    with pytest.raises(ValueError, match="not image"):
        client.update_image(pid, first.id, ImageChanges(description="x"), known=second)
    assert emu.requests() == []


# ---- an answer that cannot be read after a 2xx: applied, so never sent again -------------

def test_an_unreadable_answer_to_a_post_says_the_image_was_added_and_not_to_resend(
        emu: StoreEmulator, make_client: ClientFactory) -> None:
    pid = emu.add_product("Mug", "MUG-1", image_count=1)
    client = make_client(emu)
    source: ProductImage = client.list_images(pid)[0]
    assert source.zoom_url
    emu.faults.garbage_rate = 1.0
    emu.faults.only_methods = frozenset({"POST"})
    with pytest.raises(errors.MalformedResponse) as caught:
        client.create_image_from_url(pid, source.zoom_url)
    error = caught.value
    assert (error.method, error.applied) == ("POST", True)
    assert not error.safe_to_resend and not error.outcome_unknown
    assert "made the change" in error.message and "reload" in error.message
    assert emu.image_count(pid) == 2
