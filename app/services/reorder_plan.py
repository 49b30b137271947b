"""The fewest sort_order PUTs that make the store show a wanted order (issue 9 §3). Pure: no Qt,
no HTTP.

The store shows images by (sort_order, id). A plan never leans on the id tie-break: the
sort_orders it leaves behind are strictly increasing along the wanted order.

Which images keep their value: walking the wanted order, image i (at position i, value s_i)
and a later image j may both stay only if the j-i-1 images between them fit in the integers
between, s_j - s_i >= j - i, i.e. when t = s - position does not decrease from i to j. So the
largest set of images that can stay is a longest non-decreasing subsequence of t (O(n log n)),
among the images that also leave room for those before them (down to the lowest int32) and
after them (up to the highest). Every other image gets one PUT, to a value spread evenly in its
gap so that the next moves find room too.

Some stores shift siblings when a PUT lands on a taken sort_order (the reference says it may;
the emulator's `sort_order_shift` does both). A plan therefore only ever sends a value no other
image holds at that moment: values nobody holds are chosen first; where a gap is too tight, a
PUT waits until the image holding its value has moved away. Only when such waits form a cycle
(two images trading places in a gap with no spare integer) is one of them parked on a free
value first: one extra PUT, counted in `parked`; the longest chain found from the other end is
tried then, which often needs none.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Generic, TypeVar

Key = TypeVar("Key", bound=Hashable)

INT32_MIN = -2**31
INT32_MAX = 2**31 - 1
# Spacing of images placed before the first or after the last image that stays: room for
# later inserts between them without touching their neighbours.
END_STEP = 65536


@dataclass(frozen=True)
class ReorderPlan(Generic[Key]):
    """`puts`: (image, sort_order) in the order to send them, parking PUTs included; `final`:
    the sort_order each moved image ends with; `kept`: the images left as they are."""

    puts: tuple[tuple[Key, int], ...]
    final: dict[Key, int]
    kept: frozenset[Key]
    parked: int = 0  # PUTs to a temporary value, to break a cycle of waits

    def __len__(self) -> int:
        return len(self.puts)


def plan_reorder(order: Sequence[Key], sort_orders: Mapping[Key, int], *,
                 low: int = INT32_MIN, high: int = INT32_MAX) -> ReorderPlan[Key]:
    """The PUTs that make `order` (every image of the product, first to last) the store's
    display order, given each image's current sort_order (a missing one: not on the store
    with a value yet, it must be written). Values stay within [low, high]."""
    if len(set(order)) != len(order):
        raise ValueError("the wanted order names an image twice")
    strangers = set(sort_orders) - set(order)
    if strangers:
        raise ValueError(f"the wanted order leaves out {len(strangers)} image(s) of the product")
    n = len(order)
    if n and high - low + 1 < n:
        raise ValueError(f"{n} images do not fit in sort_orders {low}..{high}")
    current = [sort_orders.get(key) for key in order]
    best: ReorderPlan[Key] | None = None
    for kept_positions in _longest_chains(current, low, high):
        final = _assign(order, current, kept_positions, low, high)
        puts, parked = _send_order(order, sort_orders, final, low, high)
        plan = ReorderPlan(puts=puts, final=final,
                           kept=frozenset(order[p] for p in kept_positions), parked=parked)
        if best is None or len(plan.puts) < len(best.puts):
            best = plan
        if not parked:
            break
    assert best is not None
    return best


def _longest_chains(current: Sequence[int | None], low: int, high: int) -> list[list[int]]:
    """The earliest-ending longest chain and the latest-starting one (searched from the other
    end): when the first needs a parking PUT, the second often does not."""
    n = len(current)
    forward = _longest_chain_with_room(current, low, high)
    mirrored = [None if value is None else -value for value in reversed(current)]
    backward = sorted(n - 1 - p for p in _longest_chain_with_room(mirrored, -high, -low))
    return [forward] if backward == forward else [forward, backward]


def _longest_chain_with_room(current: Sequence[int | None], low: int, high: int) -> list[int]:
    """Positions of a largest set of images that can keep their value (see the module doc)."""
    n = len(current)
    tails: list[int] = []          # tails[k]: smallest t ending a chain of length k + 1
    tail_at: list[int] = []        # the position of that tail
    before: dict[int, int | None] = {}
    for position, value in enumerate(current):
        if value is None or value - low < position or high - value < n - 1 - position:
            continue
        t = value - position
        length = bisect_right(tails, t)
        before[position] = tail_at[length - 1] if length else None
        if length == len(tails):
            tails.append(t)
            tail_at.append(position)
        else:
            tails[length] = t
            tail_at[length] = position
    chain: list[int] = []
    at = tail_at[-1] if tail_at else None
    while at is not None:
        chain.append(at)
        at = before[at]
    chain.reverse()
    return chain


def _assign(order: Sequence[Key], current: Sequence[int | None], kept: Sequence[int],
            low: int, high: int) -> dict[Key, int]:
    """A value for each image not kept: each run between two kept images spread evenly over
    their gap, on values no image holds when there are enough of those."""
    held = sorted({value for value in current if value is not None})
    final: dict[Key, int] = {}
    bounds = [-1, *kept, len(order)]
    for left, right in pairwise(bounds):
        run = range(left + 1, right)
        if not run:
            continue
        a = current[left] if left >= 0 else None
        b = current[right] if right < len(order) else None
        if a is None and b is None:              # nothing stays: start at 0, END_STEP apart
            a = max(low - 1, -END_STEP)
            b = min(high + 1, a + END_STEP * (len(run) + 1))
        elif a is None:
            a = max(low - 1, b - END_STEP * (len(run) + 1))
        elif b is None:
            b = min(high + 1, a + END_STEP * (len(run) + 1))
        for position, value in zip(run, _spread(a, b, len(run), held)):
            final[order[position]] = value
    return final


def _spread(a: int, b: int, count: int, held: Sequence[int]) -> list[int]:
    """`count` increasing integers strictly between a and b, evenly spaced: among the free
    ones (not in the sorted `held`) when there are enough, else among all."""
    lo, hi = bisect_right(held, a), bisect_right(held, b - 1)
    taken = held[lo:hi]
    free = (b - a - 1) - len(taken)
    if free >= count:
        ranks = [(k + 1) * (free + 1) // (count + 1) - 1 for k in range(count)]
        values: list[int] = []
        skipped = 0
        for rank in ranks:
            value = a + 1 + rank + skipped
            while skipped < len(taken) and taken[skipped] <= value:
                skipped += 1
                value += 1
            values.append(value)
        return values
    assert b - a - 1 >= count, "the chain search leaves room for every run"
    return [a + (k + 1) * (b - a) // (count + 1) for k in range(count)]


def _send_order(order: Sequence[Key], sort_orders: Mapping[Key, int], final: dict[Key, int],
                low: int, high: int) -> tuple[tuple[tuple[Key, int], ...], int]:
    """Each PUT after every other image holding its value has moved away; a cycle of such
    waits is broken by parking one image on a value nobody holds or will hold."""
    position = {key: index for index, key in enumerate(order)}
    movers = {key for key, value in final.items() if sort_orders.get(key) != value}
    holders: dict[int, set[Key]] = defaultdict(set)
    for key in movers:
        if key in sort_orders:
            holders[sort_orders[key]].add(key)
    waits_for = {key: holders.get(final[key], set()) - {key} for key in movers}
    waiting_on_value: dict[int, set[Key]] = defaultdict(set)   # value -> movers wanting it
    for key in movers:
        waiting_on_value[final[key]].add(key)
    blocked = {key: len(waits_for[key]) for key in movers}
    ready = [(position[key], key) for key in movers if not blocked[key]]
    heapq.heapify(ready)
    puts: list[tuple[Key, int]] = []
    done: set[Key] = set()
    state = dict(sort_orders)                  # what the store holds as the PUTs go

    def leave(key: Key, value: int | None) -> None:
        """`key` no longer holds `value`: whoever waited only for it may go."""
        if value is None:
            return
        for waiter in waiting_on_value.get(value, ()):
            if waiter not in done and key in waits_for[waiter]:
                waits_for[waiter].discard(key)
                blocked[waiter] -= 1
                if not blocked[waiter]:
                    heapq.heappush(ready, (position[waiter], waiter))

    parks = 0
    while len(done) < len(movers):
        if not ready:                             # waits in a cycle: park one image of it
            if parks > 2 * len(movers):
                raise ValueError("no order of PUTs avoids a taken sort_order")
            key = _on_a_cycle(min((k for k in movers if k not in done), key=position.__getitem__),
                              waits_for)
            spot = _parking_spot(state, final, done, low, high)
            puts.append((key, spot))
            parks += 1
            was, state[key] = state.get(key), spot
            for waiter in waiting_on_value.get(spot, ()):   # a tiny range: someone's final
                if waiter not in done:
                    waits_for[waiter].add(key)
                    blocked[waiter] += 1
            leave(key, was)
            continue
        _, key = heapq.heappop(ready)
        if key in done:
            continue
        done.add(key)
        puts.append((key, final[key]))
        was, state[key] = state.get(key), final[key]
        leave(key, was)
    return tuple(puts), parks


def _on_a_cycle(start: Key, waits_for: Mapping[Key, set[Key]]) -> Key:
    """Following the waits from a blocked image until one repeats: that one is on a cycle."""
    seen: set[Key] = set()
    key = start
    while key not in seen:
        seen.add(key)
        key = min(waits_for[key], key=repr)
    return key


def _parking_spot(state: Mapping[Key, int], final: Mapping[Key, int], done: set[Key],
                  low: int, high: int) -> int:
    """A value no image holds now: beyond every held and planned one when the range allows,
    else a gap, one nobody is still to be moved to if there is one."""
    held = set(state.values())
    planned = {value for key, value in final.items() if key not in done}
    top = max(held | planned, default=0)
    if top < high:
        return top + 1
    bottom = min(held | planned, default=0)
    if bottom > low:
        return bottom - 1
    spare = [v for v in range(low, high + 1) if v not in held]
    if not spare:
        raise ValueError("no free sort_order left to park an image on")
    return next((v for v in spare if v not in planned), spare[0])
