"""Reorder: PUTs per random single move (issue 9 §3), the fewest-PUTs plan vs rewriting.

Moves apply one after another to the evolving state, from a product numbered 0..n-1 as the
store numbers new images. The mean comes from the pure planner (no HTTP); one more figure
sends moves to the emulator (a store that shifts siblings) and counts the PUTs it received.
"""

from __future__ import annotations

import random

from app.api import OAuthCredentials, StoreClient
from app.services.reorder_plan import plan_reorder
from app.services.reorder_sync import send_reorder, shown_order, verify_and_repair
from app.store_emulator import EmulatorConfig, StoreEmulator
from benchmarks.figures import Figure, Size

SEED = 250


def single_move(order: list[int], rng: random.Random) -> list[int]:
    order = order[:]
    order.insert(rng.randrange(len(order)), order.pop(rng.randrange(len(order))))
    return order


def planned_moves(images: int, moves: int) -> tuple[float, float]:
    """Mean PUTs per move: the plan, and renumbering 0..n-1 (every image whose place changed)."""
    rng = random.Random(SEED)
    order = list(range(1, images + 1))
    state = {key: place for place, key in enumerate(order)}
    ours = renumbered = 0
    for _ in range(moves):
        new = single_move(order, rng)
        renumbered += sum(1 for a, b in zip(order, new, strict=True) if a != b)
        plan = plan_reorder(new, state)
        for key, value in plan.puts:
            state[key] = value
        ours += len(plan.puts)
        order = new
    return ours / moves, renumbered / moves


def sent_moves(images: int, moves: int) -> float:
    """Mean PUTs the emulator received per move (each move read back once, as the app does)."""
    config = EmulatorConfig(catalog="empty", rate_limit_quota=100_000, sort_order_shift=True)
    rng = random.Random(SEED)
    with StoreEmulator(config) as emulator:
        product_id = emulator.add_product("Poster", "POS-1", image_count=images)
        credentials = OAuthCredentials(config.store_hash, config.access_token,
                                       api_base=emulator.oauth_api_base)
        with StoreClient(credentials) as client:
            images_now = client.all_images(product_id)
            order = shown_order(images_now)
            emulator.clear_requests()
            for _ in range(moves):
                order = single_move(order, rng)
                send_reorder(client, product_id, order, images_now)
                check = verify_and_repair(client, product_id, order)
                if not check.held or check.repair_puts:
                    raise AssertionError("the store does not show the order sent")
                images_now = client.all_images(product_id)
            puts = sum(1 for request in emulator.requests() if request.method == "PUT")
    return puts / moves


def run(size: Size) -> list[Figure]:
    images, moves, sent = (250, 1000, 20) if size == "full" else (30, 20, 5)
    ours, renumbered = planned_moves(images, moves)
    on_the_wire = sent_moves(images, sent)
    target = "far fewer than rewriting"
    return [
        Figure(f"PUTs per random single move, {images} images ({moves} moves)", ours,
               images, "PUTs", "rewriting all", target=target),
        Figure(f"PUTs per random single move, {images} images ({moves} moves)", ours,
               renumbered, "PUTs", "renumbering every image whose place changed",
               target=target),
        Figure(f"PUTs the emulator received per move ({sent} moves, shifting store)",
               on_the_wire, images, "PUTs", "rewriting all", target=target),
    ]


if __name__ == "__main__":
    from benchmarks.figures import table
    print(table(run("full")))
