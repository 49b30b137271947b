"""Reorders against the emulator, whether or not it shifts siblings on a PUT onto a taken
sort_order: the store ends showing the wanted order, strictly, with exactly the planned PUTs."""

from __future__ import annotations

import random

import pytest

from app.api import ImageChanges, StoreClient
from app.services.reorder_plan import plan_reorder
from app.services.reorder_sync import send_reorder, shown_order, shows, verify_and_repair
from app.store_emulator import StoreEmulator
from tests.api.conftest import ClientFactory


def puts_sent(emu: StoreEmulator) -> int:
    return sum(1 for request in emu.requests() if request.method == "PUT")


def moved(order: list[int], rng: random.Random) -> list[int]:
    """One random move: a single image, or a block of up to 5 adjacent ones."""
    order = order[:]
    size = rng.choice([1, 1, 1, rng.randint(2, 5)])
    start = rng.randrange(len(order) - size + 1)
    block = order[start:start + size]
    del order[start:start + size]
    at = rng.randrange(len(order) + 1)
    return order[:at] + block + order[at:]


@pytest.mark.parametrize("shift", [True, False], ids=["shifting store", "plain store"])
def test_random_moves_on_40_images_land_exactly_with_the_planned_puts(
        emulator_factory, make_client: ClientFactory, shift: bool) -> None:
    emu: StoreEmulator = emulator_factory(catalog="empty", rate_limit_quota=10_000,
                                          sort_order_shift=shift)
    pid = emu.add_product("Poster", "POS-1", image_count=40)
    client: StoreClient = make_client(emu)
    rng = random.Random(40)
    order = shown_order(client.all_images(pid))
    for _ in range(15):
        order = moved(order, rng)
        images = client.all_images(pid)
        planned = plan_reorder(order, {image.id: image.sort_order for image in images})
        emu.clear_requests()
        sent = send_reorder(client, pid, order, images)
        assert sent == len(planned.puts) == puts_sent(emu)
        after = client.all_images(pid)
        assert shown_order(after) == order
        assert shows(after, order)  # strictly: no two images share a sort_order on the way
        check = verify_and_repair(client, pid, order)
        assert check.held and check.repair_puts == 0


@pytest.mark.parametrize("shift", [True, False], ids=["shifting store", "plain store"])
def test_a_swap_with_no_room_lands_on_either_store(emulator_factory, make_client: ClientFactory,
                                                   shift: bool) -> None:
    emu: StoreEmulator = emulator_factory(catalog="empty", rate_limit_quota=10_000,
                                          sort_order_shift=shift)
    pid = emu.add_product("Poster", "POS-1", image_count=7)  # sort_orders 0..6, no gap
    client: StoreClient = make_client(emu)
    order = shown_order(client.all_images(pid))
    order[3], order[4] = order[4], order[3]
    emu.clear_requests()
    sent = send_reorder(client, pid, order, client.all_images(pid))
    assert sent == puts_sent(emu) == 3  # two moves, one parked first: the values are all taken
    assert shows(client.all_images(pid), order)


def test_a_difference_found_on_read_back_is_repaired_once(emulator_factory,
                                                          make_client: ClientFactory) -> None:
    emu: StoreEmulator = emulator_factory(catalog="empty", rate_limit_quota=10_000)
    pid = emu.add_product("Poster", "POS-1", image_count=12)
    ours, other_app = make_client(emu), make_client(emu)
    order = shown_order(ours.all_images(pid))
    order.insert(0, order.pop(7))
    send_reorder(ours, pid, order, ours.all_images(pid))
    last = order[-1]
    other_app.update_image(pid, last, ImageChanges(sort_order=-10**6), complete=False)
    emu.clear_requests()
    check = verify_and_repair(ours, pid, order)
    assert check.held and check.repair_puts == 1 == puts_sent(emu)
    assert list(check.shown) == order
    assert shows(ours.all_images(pid), order)


def test_an_order_that_holds_costs_one_listing_and_no_put(emulator_factory,
                                                          make_client: ClientFactory) -> None:
    emu: StoreEmulator = emulator_factory(catalog="empty", rate_limit_quota=10_000)
    pid = emu.add_product("Poster", "POS-1", image_count=5)
    client = make_client(emu)
    order = shown_order(client.all_images(pid))
    emu.clear_requests()
    check = verify_and_repair(client, pid, order)
    assert check.held and check.repair_puts == 0
    assert [r.method for r in emu.requests()] == ["GET"]


def _block_of_10(order: list[int]) -> list[int]:
    block, rest = order[100:110], order[:100] + order[110:]
    return rest[:30] + block + rest[30:]


@pytest.mark.parametrize("shift", [True, False], ids=["shifting store", "plain store"])
@pytest.mark.parametrize("change, most_puts", [
    (lambda order: order[:17] + [order[200]] + order[17:200] + order[201:], 1),
    (_block_of_10, 10),
    (lambda order: order[::-1], 249),
], ids=["one of 250 moved", "a block of 10 moved", "250 reversed"])
def test_the_puts_on_the_wire_for_250_images(emulator_factory, make_client: ClientFactory,
                                            shift: bool, change, most_puts: int) -> None:
    """Issue 9 Done-when: the PUT counts the store receives, on a product whose sort_orders
    have room (as after the app's first spread) for the move and the block; the reversal
    from the store's own numbering 0..249."""
    emu: StoreEmulator = emulator_factory(catalog="empty", rate_limit_quota=100_000,
                                          sort_order_shift=shift)
    pid = emu.add_product("Poster", "POS-1", image_count=250)
    client: StoreClient = make_client(emu)
    order = shown_order(client.all_images(pid))
    if most_puts < 249:  # room between neighbours: 16 apart, written by another app
        for place, image_id in reversed(list(enumerate(order))):  # never onto a taken value
            client.update_image(pid, image_id, ImageChanges(sort_order=16 * place),
                                complete=False)
    wanted = change(order)
    emu.clear_requests()
    sent = send_reorder(client, pid, wanted, client.all_images(pid))
    assert sent == puts_sent(emu) == most_puts
    assert shows(client.all_images(pid), wanted)
