"""The product picker's calls: list (paging, keyword by name and SKU), get one, count."""

from __future__ import annotations

import pytest

from app.api import Product
from app.api import errors
from app.store_emulator import StoreEmulator
from tests.api.conftest import ClientFactory

CATALOG = [("Ceramic Coffee Mug", "MUG-001", 2), ("Enamel Camp Mug", "MUG-002", 0),
           ("Wool Beanie", "BEAN-001", 1), ("Canvas Tote Bag", "TOTE-001", 3),
           ("Brass Desk Lamp", "LAMP-001", 0)]


@pytest.fixture
def emu(empty_emulator: StoreEmulator) -> StoreEmulator:
    for name, sku, count in CATALOG:
        empty_emulator.add_product(name, sku, image_count=count)
    empty_emulator.clear_requests()
    return empty_emulator


def test_list_products_pages_in_id_order(emu: StoreEmulator, make_client: ClientFactory,
                                         auth_style: str) -> None:
    client = make_client(emu, auth_style)
    pages = [client.list_products(page=n, limit=2) for n in (1, 2, 3, 4)]
    assert [len(p) for p in pages] == [2, 2, 1, 0]
    products = [p for page in pages for p in page]
    assert [p.name for p in products] == [name for name, _, _ in CATALOG]
    assert [p.sku for p in products] == [sku for _, sku, _ in CATALOG]
    assert [p.id for p in products] == sorted(p.id for p in products)
    assert all(isinstance(p, Product) and p.image_count is None for p in products)
    assert [r.query for r in emu.requests()] == [f"page={n}&limit=2" for n in (1, 2, 3, 4)]


def test_primary_image_follows_the_thumbnail(emu: StoreEmulator, make_client: ClientFactory,
                                             auth_style: str) -> None:
    client = make_client(emu, auth_style)
    by_name = {p.name: p for p in client.list_products(limit=250)}
    mug = by_name["Ceramic Coffee Mug"]
    assert mug.primary_image is not None and mug.primary_image.tiny_url
    thumbnail = next(i for i in client.all_images(mug.id) if i.is_thumbnail)
    assert mug.primary_image.image_id == thumbnail.id
    assert mug.primary_image.tiny_url == thumbnail.tiny_url
    assert by_name["Enamel Camp Mug"].primary_image is None  # no images: null


@pytest.mark.parametrize(("keyword", "expected"), [
    ("mug", ["Ceramic Coffee Mug", "Enamel Camp Mug"]),     # name, case-insensitive
    ("Camp", ["Enamel Camp Mug"]),
    ("BEAN-001", ["Wool Beanie"]),                           # SKU
    ("tote-0", ["Canvas Tote Bag"]),                         # part of a SKU
    ("001", ["Ceramic Coffee Mug", "Wool Beanie", "Canvas Tote Bag", "Brass Desk Lamp"]),
    ("nothing like it", []),
])
def test_keyword_search_by_name_and_sku(emu: StoreEmulator, make_client: ClientFactory,
                                        auth_style: str, keyword: str,
                                        expected: list[str]) -> None:
    client = make_client(emu, auth_style)
    assert [p.name for p in client.list_products(keyword=keyword)] == expected
    assert client.count_products(keyword=keyword) == len(expected)
    listed, counted = emu.requests()
    assert "keyword_filter=" in listed.query and "keyword_filter=" in counted.query


def test_keyword_search_pages_too(emu: StoreEmulator, make_client: ClientFactory) -> None:
    client = make_client(emu)
    first = client.list_products(keyword="001", page=1, limit=3)
    second = client.list_products(keyword="001", page=2, limit=3)
    assert [p.name for p in first + second] == [
        "Ceramic Coffee Mug", "Wool Beanie", "Canvas Tote Bag", "Brass Desk Lamp"]


def test_get_product(emu: StoreEmulator, make_client: ClientFactory, auth_style: str) -> None:
    client = make_client(emu, auth_style)
    listed = client.list_products()[3]
    got = client.get_product(listed.id)
    assert got == listed
    assert (got.name, got.sku) == ("Canvas Tote Bag", "TOTE-001")
    assert got.date_modified is not None
    assert got.extra.get("price") is not None  # fields the app does not model are kept
    with_count = got.with_image_count(client.count_images(got.id))
    assert with_count.image_count == 3 and with_count.id == got.id


def test_get_missing_product_is_not_found(emu: StoreEmulator, make_client: ClientFactory,
                                          auth_style: str) -> None:
    with pytest.raises(errors.NotFound) as caught:
        make_client(emu, auth_style).get_product(999)
    assert caught.value.status == 404 and caught.value.path.endswith("/products/999")


def test_count_products(emu: StoreEmulator, make_client: ClientFactory, auth_style: str) -> None:
    client = make_client(emu, auth_style)
    assert client.count_products() == 5
    emu.add_product("Oak Wall Clock", "CLCK-001")
    assert client.count_products() == 6
    assert client.count_products(keyword="clock") == 1
    assert emu.requests()[0].query == ""  # no keyword: no filter sent


def test_empty_store_lists_no_products(empty_emulator: StoreEmulator,
                                       make_client: ClientFactory) -> None:
    client = make_client(empty_emulator)
    assert client.list_products() == []
    assert client.count_products() == 0


def test_page_limits_are_checked_before_sending(emu: StoreEmulator,
                                                make_client: ClientFactory) -> None:
    client = make_client(emu)
    for bad in (0, 251, -1):
        with pytest.raises(ValueError, match="limit must be 1..250"):
            client.list_products(limit=bad)
        with pytest.raises(ValueError, match="limit must be 1..250"):
            client.list_images(1, limit=bad)
    assert emu.requests() == []
    assert len(client.list_products(limit=250)) == 5  # the maximum itself is fine
