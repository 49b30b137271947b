"""A page is never longer than asked for; flags mean what they say; big ids survive."""

from __future__ import annotations

import httpx
import pytest

from app.api import errors
from app.api.models import ProductImage
from app.store_emulator import StoreEmulator
from tests.api.conftest import ClientFactory


class WidenLimit(httpx.HTTPTransport):
    """Forwards to the emulator with `limit` doubled: a store (or proxy) that ignores it."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if "limit" in request.url.params:
            limit = int(request.url.params["limit"])
            request.url = request.url.copy_set_param("limit", min(2 * limit, 250))
        return super().handle_request(request)


def test_a_page_longer_than_its_limit_is_malformed(
        empty_emulator: StoreEmulator, make_client: ClientFactory) -> None:
    pid = empty_emulator.add_product("Mug", "MUG-1", image_count=10)
    for number in range(2, 11):
        empty_emulator.add_product(f"Mug {number}", f"MUG-{number}")
    client = make_client(empty_emulator, wire=WidenLimit())
    with pytest.raises(errors.MalformedResponse, match="10 images on a page of at most 5"):
        client.list_images(pid, limit=5)
    with pytest.raises(errors.MalformedResponse, match="on a page of at most 5"):
        client.list_products(limit=5)


def _image(**fields: object) -> ProductImage:
    return ProductImage.from_json({"id": 1, "product_id": 1, **fields})


@pytest.mark.parametrize(("sent", "read"), [
    (True, True), (False, False), ("true", True), ("false", False), ("TRUE", True),
    (" False ", False), ("1", True), ("0", False), (1, True), (0, False), (None, False),
    ("", False)])
def test_is_thumbnail_is_read_as_meant(sent: object, read: bool) -> None:
    assert _image(is_thumbnail=sent).is_thumbnail is read


@pytest.mark.parametrize("sent", ["maybe", "2", 2, -1, 0.5, [], {}, "true" * 100])
def test_an_unreadable_flag_is_malformed(sent: object) -> None:
    with pytest.raises(errors.MalformedResponse, match="is_thumbnail"):
        _image(is_thumbnail=sent)


@pytest.mark.parametrize("big", [2**31, 2**32 + 5, 2**53 + 1, 2**63 - 1])
def test_ids_beyond_32_bits_survive_the_models(big: int) -> None:
    for sent in (big, str(big)):
        image = ProductImage.from_json({"id": sent, "product_id": sent, "sort_order": 1})
        assert image.id == big and image.product_id == big
        assert ProductImage.from_json(image.to_json()) == image
