"""all_images while writes run: a delete between two pages must not hide an image, and an id
that comes twice is listed once."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from app.api import StoreClient
from app.store_emulator import StoreEmulator
from tests.api.conftest import ClientFactory


class BetweenPages(httpx.HTTPTransport):
    """Real HTTP to the emulator; runs `before_page_2` just before each request for page 2 of
    a product's images (another app writing to the store while this one lists)."""

    def __init__(self, before_page_2: Callable[[], None]) -> None:
        super().__init__()
        self.before_page_2 = before_page_2
        self.queries: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/images"):
            self.queries.append(request.url.query.decode())
            if request.url.params.get("page") == "2":
                self.before_page_2()
        return super().handle_request(request)


@pytest.fixture
def emu(emulator_factory) -> StoreEmulator:
    return emulator_factory(catalog="empty", rate_limit_quota=10_000)


def ids(images: list) -> list[int]:
    return [image.id for image in images]


def test_a_delete_between_two_pages_hides_no_image(emu: StoreEmulator,
                                                   make_client: ClientFactory) -> None:
    pid = emu.add_product("Poster", "POS-1", image_count=300)
    other_app: StoreClient = make_client(emu)
    before = other_app.all_images(pid)
    victim = before[10]  # on page 1, which the lister has read by then
    deleted: list[int] = []

    def delete_once() -> None:
        if not deleted:
            other_app.delete_image(pid, victim.id)
            deleted.append(victim.id)

    wire = BetweenPages(delete_once)
    listed = make_client(emu, wire=wire).all_images(pid)
    assert deleted == [victim.id]
    expected = [image for image in before if image.id != victim.id]
    assert ids(listed) == ids(expected)  # image 251 (pushed onto page 1) is there, once
    assert listed == other_app.all_images(pid)
    # The first listing's boundary check failed, so it listed once more, and checked again.
    assert wire.queries == ["page=1&limit=250", "page=2&limit=250", "page=250&limit=1",
                            "page=1&limit=250", "page=2&limit=250", "page=250&limit=1"]


def test_a_store_that_keeps_changing_is_listed_at_most_twice(
        emu: StoreEmulator, make_client: ClientFactory) -> None:
    pid = emu.add_product("Poster", "POS-1", image_count=300)
    other_app = make_client(emu)
    doomed = [image.id for image in other_app.all_images(pid)[:5]]

    def delete_next() -> None:  # a delete before every page 2, however often it is asked
        other_app.delete_image(pid, doomed.pop(0))

    wire = BetweenPages(delete_next)
    listed = make_client(emu, wire=wire).all_images(pid)
    assert wire.queries.count("page=1&limit=250") == 2  # bounded: not a loop
    assert len(set(ids(listed))) == len(listed)
    assert len(doomed) == 3


class RepeatLastOfPage1(httpx.HTTPTransport):
    """A store (or cache) whose page 2 starts with page 1's last image again, as a store
    ordering by a field that changed between the two pages would send it."""

    def __init__(self) -> None:
        super().__init__()
        self.last_of_page_1: object = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        page = request.url.params.get("page")
        if not request.url.path.endswith("/images") or page not in ("1", "2") \
                or request.url.params.get("limit") != "250":
            return response
        body = json.loads(response.read())  # unpacked (the client asks for gzip)
        if page == "1":
            self.last_of_page_1 = body[-1]
        else:
            body = [self.last_of_page_1, *body]
        response.close()
        return httpx.Response(200, headers={"Content-Type": "application/json"},
                              stream=httpx.ByteStream(json.dumps(body).encode()))


def test_an_id_on_two_pages_is_listed_once(emu: StoreEmulator,
                                           make_client: ClientFactory) -> None:
    pid = emu.add_product("Poster", "POS-1", image_count=300)
    truth = make_client(emu).all_images(pid)
    listed = make_client(emu, wire=RepeatLastOfPage1()).all_images(pid)
    assert ids(listed) == ids(truth) and len(listed) == 300


def test_a_product_on_one_page_is_one_request(emu: StoreEmulator,
                                              make_client: ClientFactory) -> None:
    pid = emu.add_product("Mug", "MUG-1", image_count=249)
    emu.clear_requests()
    assert len(make_client(emu).all_images(pid)) == 249
    assert [r.query for r in emu.requests()] == ["page=1&limit=250"]


def test_a_long_listing_is_handed_over_before_its_boundary_check(
        emu: StoreEmulator, make_client: ClientFactory) -> None:
    pid = emu.add_product("Poster", "POS-1", image_count=300)
    wire = BetweenPages(lambda: None)
    handed: list[tuple[list[int], list[str]]] = []
    listed = make_client(emu, wire=wire).all_images(
        pid, on_unchecked=lambda images: handed.append((ids(images), list(wire.queries))))
    # Once, with every image, after both pages and before the check was sent.
    assert handed == [(ids(listed), ["page=1&limit=250", "page=2&limit=250"])]
    assert len(listed) == 300
    assert wire.queries[-1] == "page=250&limit=1"


def test_a_listing_corrected_by_its_check_was_handed_over_once_as_first_seen(
        emu: StoreEmulator, make_client: ClientFactory) -> None:
    pid = emu.add_product("Poster", "POS-1", image_count=300)
    other_app: StoreClient = make_client(emu)
    before = other_app.all_images(pid)
    deleted: list[int] = []

    def delete_once() -> None:
        if not deleted:
            other_app.delete_image(pid, before[10].id)
            deleted.append(before[10].id)

    handed: list[list[int]] = []
    listed = make_client(emu, wire=BetweenPages(delete_once)).all_images(
        pid, on_unchecked=lambda images: handed.append(ids(images)))
    assert len(handed) == 1  # the second pass is the answer itself
    missed = before[250].id  # pushed onto page 1 after it was read
    assert missed not in handed[0] and before[10].id in handed[0]
    assert ids(listed) == [image.id for image in before if image.id != before[10].id]


@pytest.mark.parametrize("count", [0, 1, 249])
def test_a_listing_without_a_boundary_is_not_handed_over_early(
        emu: StoreEmulator, make_client: ClientFactory, count: int) -> None:
    pid = emu.add_product("Poster", "POS-1", image_count=count)
    handed: list[object] = []
    listed = make_client(emu).all_images(pid, on_unchecked=handed.append)
    assert len(listed) == count
    assert handed == []  # one request, nothing to check: the answer is the first word


def test_a_full_single_page_is_handed_over_before_its_check(
        emu: StoreEmulator, make_client: ClientFactory) -> None:
    """250 images: page 2 comes back empty, and the boundary after page 1 is still checked."""
    pid = emu.add_product("Poster", "POS-1", image_count=250)
    handed: list[list[int]] = []
    wire = BetweenPages(lambda: None)
    listed = make_client(emu, wire=wire).all_images(
        pid, on_unchecked=lambda images: handed.append(ids(images)))
    assert handed == [ids(listed)] and len(listed) == 250
    assert wire.queries[-1] == "page=250&limit=1"
