"""Image paging ends even when the store (or a proxy in front of it) mishandles `page`."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from app.api import errors
from app.api.client import MAX_IMAGES_PER_PRODUCT
from app.store_emulator import StoreEmulator
from tests.api.conftest import ClientFactory


class RewritePage(httpx.HTTPTransport):
    """Forwards to the emulator with `page` rewritten (None: dropped); gives up after
    `give_up_after` sends so a client that never stops fails the test instead of hanging."""

    def __init__(self, rewrite: Callable[[int], int | None], give_up_after: int = 40) -> None:
        super().__init__()
        self.rewrite = rewrite
        self.give_up_after = give_up_after
        self.asked: list[int] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if "page" in request.url.params:
            page = int(request.url.params["page"])
            self.asked.append(page)
            if len(self.asked) > self.give_up_after:
                raise AssertionError(f"still paging after {self.give_up_after} requests")
            served = self.rewrite(page)
            request.url = (request.url.copy_remove_param("page") if served is None
                           else request.url.copy_set_param("page", served))
        return super().handle_request(request)


@pytest.fixture
def emu(empty_emulator: StoreEmulator) -> StoreEmulator:
    return empty_emulator


def test_a_store_that_ignores_page_raises_instead_of_looping(
        emu: StoreEmulator, make_client: ClientFactory, auth_style: str) -> None:
    pid = emu.add_product("Mug", "MUG-1", image_count=5)
    wire = RewritePage(lambda page: None)  # every page is page 1
    client = make_client(emu, auth_style, wire=wire)
    pages = client.iter_image_pages(pid, page_size=2)
    first = next(pages)
    with pytest.raises(errors.MalformedResponse) as caught:
        next(pages)
    assert "ignores paging" in caught.value.message
    assert wire.asked == [1, 2]
    assert [image.id for image in first] == [image.id for image in client.list_images(pid)[:2]]
    big = emu.add_product("Poster", "POS-1", image_count=300)  # more than one 250-page
    wire.asked.clear()
    with pytest.raises(errors.MalformedResponse, match="ignores paging"):
        client.all_images(big)
    assert wire.asked == [1, 2]


def test_a_store_that_cycles_pages_stops_at_the_most_a_product_can_hold(
        emu: StoreEmulator, make_client: ClientFactory) -> None:
    """Pages 1, 2, 1, 2, ...: no page repeats the one before it, yet it never ends."""
    pid = emu.add_product("Mug", "MUG-1", image_count=500)
    wire = RewritePage(lambda page: (page - 1) % 2 + 1)
    client = make_client(emu, wire=wire)
    yielded = 0
    with pytest.raises(errors.MalformedResponse) as caught:
        for page in client.iter_image_pages(pid, page_size=250):
            yielded += len(page)
    assert str(MAX_IMAGES_PER_PRODUCT) in caught.value.message
    assert wire.asked == [1, 2, 3, 4, 5]  # ceil(1000 / 250) + 1 pages at most
    # Images are counted, not pages: the page that would pass 1000 images is not yielded.
    assert yielded == 1000


@pytest.mark.parametrize(("page_size", "most_requests"), [(50, 21), (3, 334)])
def test_the_page_cap_follows_the_page_size(
        emulator_factory, make_client: ClientFactory, page_size: int,
        most_requests: int) -> None:
    emu = emulator_factory(catalog="empty", rate_limit_quota=10_000)  # no pacing pauses
    pid = emu.add_product("Mug", "MUG-1", image_count=2 * page_size)
    wire = RewritePage(lambda page: (page - 1) % 2 + 1, give_up_after=most_requests + 5)
    with pytest.raises(errors.MalformedResponse, match="than the 1000 images"):
        for _ in make_client(emu, wire=wire).iter_image_pages(pid, page_size=page_size):
            pass
    assert wire.asked == list(range(1, most_requests + 1))


def test_a_full_product_of_1000_images_still_lists_completely(
        emu: StoreEmulator, make_client: ClientFactory) -> None:
    pid = emu.add_product("Gallery", "GAL-1", image_count=MAX_IMAGES_PER_PRODUCT)
    wire = RewritePage(lambda page: page)
    images = make_client(emu, wire=wire).all_images(pid)
    assert len({image.id for image in images}) == MAX_IMAGES_PER_PRODUCT
    # Four full pages, then an empty one; then the last image of each full page, alone.
    assert wire.asked == [1, 2, 3, 4, 5, 250, 500, 750, 1000]
