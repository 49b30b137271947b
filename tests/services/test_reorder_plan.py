"""The fewest-PUTs reorder plan: minimal against brute force, strict, and right whether or not
the store shifts siblings when a PUT lands on a taken sort_order."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.services.reorder_plan import INT32_MAX, INT32_MIN, ReorderPlan, plan_reorder


def apply(plan: ReorderPlan, sort_orders: dict, *, shift: bool) -> dict:
    """The store after the plan's PUTs, as the emulator applies them (`shift`: a PUT onto a
    taken sort_order moves the siblings at or above it up one)."""
    state = dict(sort_orders)
    for key, value in plan.puts:
        if shift and any(other != key and held == value for other, held in state.items()):
            state = {other: held + 1 if other != key and held >= value else held
                     for other, held in state.items()}
        state[key] = value
    return state


def landings_on_taken(plan: ReorderPlan, sort_orders: dict) -> int:
    """How many of the plan's PUTs would land on a value another image holds right then."""
    state, count = dict(sort_orders), 0
    for key, value in plan.puts:
        count += any(other != key and held == value for other, held in state.items())
        state[key] = value
    return count


def shown(state: dict) -> list:
    """The display order, and that it does not lean on the id tie-break."""
    ordered = sorted(state, key=lambda key: (state[key], key))
    values = [state[key] for key in ordered]
    assert all(a < b for a, b in itertools.pairwise(values)), "a tie decides the order"
    return ordered


def fits(kept: set[int], current: list[int | None], low: int, high: int) -> bool:
    """Whether the images at `kept` positions can keep their values: give every other image
    the smallest value above the previous one, and see that it stays below the next kept."""
    previous = low - 1
    for position, value in enumerate(current):
        if position in kept:
            if value is None or value <= previous:
                return False
            previous = value
        else:
            previous += 1
            if previous > high:
                return False
    return True


def brute_force_minimum(current: list[int | None], low: int, high: int) -> int:
    n = len(current)
    for keep in range(n, -1, -1):
        if any(fits(set(kept), current, low, high)
               for kept in itertools.combinations(range(n), keep)):
            return n - keep
    raise AssertionError("not even moving everything fits")


@settings(max_examples=400, deadline=None)
@given(data=st.data(), n=st.integers(1, 7), bounds=st.sampled_from(
    [(INT32_MIN, INT32_MAX), (0, 12), (0, 7), (-3, 9)]))
def test_the_plan_is_the_brute_force_minimum_and_lands_right(data: st.DataObject, n: int,
                                                             bounds: tuple[int, int]) -> None:
    low, high = bounds
    high = max(high, low + n - 1)
    values = data.draw(st.lists(st.integers(max(low, -4), min(high, 12)), min_size=n,
                                max_size=n))  # duplicates and gaps
    ids = list(range(1, n + 1))
    sort_orders = dict(zip(ids, values))
    wanted = data.draw(st.permutations(ids))
    plan = plan_reorder(wanted, sort_orders, low=low, high=high)
    minimum = brute_force_minimum([sort_orders[key] for key in wanted], low, high)
    assert len(plan.final) == minimum
    assert len(plan.puts) == minimum + plan.parked
    assert landings_on_taken(plan, sort_orders) == 0
    for shift in (True, False):
        after = apply(plan, sort_orders, shift=shift)
        assert shown(after) == list(wanted)
        assert all(low <= value <= high for value in after.values())


def sendable_with(need: int, current: list[int | None], low: int, high: int) -> bool:
    """Whether some `need` images can take new values, each PUT onto a value no other image
    holds right then, with no image PUT twice: a kept set of the minimum size, values for the
    others (near the current ones: farther values are free all the same), and no cycle of
    images each waiting for the next to leave the value it wants."""
    n = len(current)
    known = [value for value in current if value is not None] or [0]
    values = range(max(low, min(known) - need - 2), min(high, max(known) + need + 2) + 1)
    for kept in itertools.combinations(range(n), n - need):
        movers = [p for p in range(n) if p not in kept]
        for chosen in itertools.combinations(values, need):
            new = dict(zip(movers, chosen, strict=True))
            final = [new.get(p, current[p]) for p in range(n)]
            if any(v is None for v in final) or \
                    not all(a < b for a, b in itertools.pairwise(final)):
                continue
            waits = {p: {q for q in movers if q != p and current[q] == new[p]} for p in movers}
            gone: set[int] = set()
            while True:
                free = [p for p in movers if p not in gone and waits[p] <= gone]
                if not free:
                    break
                gone.update(free)
            if len(gone) == need:
                return True
    return False


@pytest.mark.parametrize("current", [
    [0, 1, 2, 4, 3, 5, 6],        # the tight swap: its two images wait for each other
    [0, 4, 3, 3, 1, 5],
    [6, 8, 4, 7, 6, 5, 8],
])
def test_a_parking_put_is_sent_only_when_no_plan_of_the_same_size_avoids_it(
        current: list[int]) -> None:
    wanted = list(range(len(current)))
    plan = plan_reorder(wanted, dict(enumerate(current)))
    assert plan.parked == 1
    assert not sendable_with(len(plan.final), current, INT32_MIN, INT32_MAX)


@pytest.mark.parametrize("current", [
    [1, 2, 4, 5, 3, 6, 7],  # keeping 1 2 _ _ _ 6 7 makes 4 5 3 a cycle; keeping 1 2 4 5 does not
    [-1, 0, 3, 3, 1, 4],
    [2, 8, 8, 5, 7, 6, 8],
])
def test_among_the_longest_chains_one_that_needs_no_parking_is_found(current: list[int]) -> None:
    wanted = list(range(len(current)))
    plan = plan_reorder(wanted, dict(enumerate(current)))
    assert plan.parked == 0
    assert len(plan) == brute_force_minimum(current, INT32_MIN, INT32_MAX)
    assert shown(apply(plan, dict(enumerate(current)), shift=True)) == wanted


@settings(max_examples=300, deadline=None)
@given(values=st.lists(st.integers(-2, 8), min_size=2, max_size=6), data=st.data())
def test_random_plans_park_only_when_they_must(values: list[int], data: st.DataObject) -> None:
    ids = list(range(len(values)))
    wanted = data.draw(st.permutations(ids))
    plan = plan_reorder(wanted, dict(zip(ids, values, strict=True)))
    if plan.parked:
        current = [values[key] for key in wanted]
        assert not sendable_with(len(plan.final), current, INT32_MIN, INT32_MAX)


def test_one_image_moved_among_250_spaced_images_is_one_put() -> None:
    ids = list(range(1, 251))
    sort_orders = {key: 10 * index for index, key in enumerate(ids)}
    wanted = ids[:]
    wanted.insert(17, wanted.pop(200))
    plan = plan_reorder(wanted, sort_orders)
    assert len(plan) == 1 and plan.final.keys() == {ids[200]}
    assert shown(apply(plan, sort_orders, shift=True)) == wanted


@pytest.mark.parametrize("to", [0, 249])
def test_one_image_moved_to_either_end_of_250_consecutive_is_one_put(to: int) -> None:
    ids = list(range(1, 251))
    sort_orders = {key: index for index, key in enumerate(ids)}  # as the store numbers them
    wanted = ids[:]
    wanted.insert(to, wanted.pop(120))
    plan = plan_reorder(wanted, sort_orders)
    assert len(plan) == 1
    assert shown(apply(plan, sort_orders, shift=True)) == wanted


def test_a_block_of_10_moved_is_at_most_10_puts() -> None:
    ids = list(range(1, 251))
    sort_orders = {key: 16 * index for index, key in enumerate(ids)}  # room for 15
    block = ids[100:110]
    rest = ids[:100] + ids[110:]
    wanted = rest[:30] + block + rest[30:]
    plan = plan_reorder(wanted, sort_orders)
    assert len(plan) <= 10
    assert shown(apply(plan, sort_orders, shift=True)) == wanted


def test_a_block_of_10_spread_over_a_consecutive_product_is_10_puts_to_the_front() -> None:
    ids = list(range(1, 251))
    sort_orders = {key: index for index, key in enumerate(ids)}
    block = ids[5::25]
    wanted = block + [key for key in ids if key not in block]
    plan = plan_reorder(wanted, sort_orders)
    assert len(plan) == 10
    assert shown(apply(plan, sort_orders, shift=True)) == wanted


@pytest.mark.parametrize("n", [2, 7, 250])
def test_the_reversed_order_is_n_minus_1_puts(n: int) -> None:
    ids = list(range(1, n + 1))
    sort_orders = {key: index for index, key in enumerate(ids)}
    wanted = ids[::-1]
    plan = plan_reorder(wanted, sort_orders)
    assert len(plan) == n - 1 and plan.parked == 0
    for shift in (True, False):
        assert shown(apply(plan, sort_orders, shift=shift)) == wanted


def test_an_order_the_store_already_shows_strictly_needs_nothing() -> None:
    assert len(plan_reorder([3, 1, 2], {3: -5, 1: 0, 2: 7})) == 0


def test_a_tie_is_never_left_to_the_id() -> None:
    plan = plan_reorder([1, 2, 3], {1: 0, 2: 0, 3: 0})  # shown 1, 2, 3 only by id
    assert len(plan) == 2
    assert shown(apply(plan, {1: 0, 2: 0, 3: 0}, shift=True)) == [1, 2, 3]


def test_a_swap_with_no_spare_integer_parks_one_image_and_still_lands_right() -> None:
    ids = list(range(1, 8))
    sort_orders = {key: index for index, key in enumerate(ids)}
    wanted = [1, 2, 3, 5, 4, 6, 7]  # 4 and 5 trade places between 2 and 5, both taken
    plan = plan_reorder(wanted, sort_orders)
    assert len(plan.final) == 2 and plan.parked == 1 and len(plan) == 3
    for shift in (True, False):
        assert shown(apply(plan, sort_orders, shift=shift)) == wanted


def test_an_image_without_a_sort_order_is_written() -> None:
    plan = plan_reorder(["new", "a"], {"a": 0})
    assert plan.final.keys() == {"new"} and plan.final["new"] < 0


def test_values_are_spread_so_the_next_move_finds_room() -> None:
    ids = list(range(1, 101))
    sort_orders = {key: index for index, key in enumerate(ids)}
    rng = random.Random(9)
    state = dict(sort_orders)
    order = ids[:]
    costs = []
    for _ in range(200):
        order.insert(rng.randrange(len(order)), order.pop(rng.randrange(len(order))))
        plan = plan_reorder(order, state)
        state = apply(plan, state, shift=True)
        assert shown(state) == order
        costs.append(len(plan))
    early, late = sum(costs[:100]) / 100, sum(costs[100:]) / 100
    assert late < early and late < 2  # once spread, a single move costs about one PUT


def test_a_wanted_order_must_name_every_image_once() -> None:
    with pytest.raises(ValueError):
        plan_reorder([1, 1], {1: 0})
    with pytest.raises(ValueError):
        plan_reorder([1], {1: 0, 2: 1})
