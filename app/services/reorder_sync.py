"""A new image order onto the store, and the one check after it (issue 9 §3).

`send_reorder` sends the fewest sort_order PUTs (`reorder_plan`); `verify_and_repair` reads
the order back once and, if the store shows anything else (another app wrote meanwhile, or the
store shifted siblings in a way no reference describes), plans again from what it read and
sends that, once; then it reports what it saw. No Qt: callers run it on a worker.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from app.api import ImageChanges, ProductImage, StoreClient
from app.services.reorder_plan import plan_reorder

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OrderCheck:
    """What the read-back found: `held` whether the store shows the wanted order (strictly,
    not by the id tie-break) after at most one repair; `repair_puts` the PUTs that repair sent;
    `shown` the image ids in the order the store shows them at the end."""

    held: bool
    repair_puts: int
    shown: tuple[int, ...]
    #: The records as last read (their sort_orders are the store's now).
    images: tuple[ProductImage, ...] = ()


def shown_order(images: Sequence[ProductImage]) -> list[int]:
    """The store's display order: sort_order, then id."""
    return [image.id for image in sorted(images, key=lambda image: (image.sort_order, image.id))]


def wanted_of(images: Sequence[ProductImage], wanted_order: Sequence[int]) -> list[int]:
    """The wanted order over the images the store has: ids it no longer has are left out, and
    images the order does not know (added by someone else) keep their place after the rest."""
    present = {image.id for image in images}
    known = [image_id for image_id in dict.fromkeys(wanted_order) if image_id in present]
    strangers = [image_id for image_id in shown_order(images) if image_id not in set(known)]
    return known + strangers


def shows(images: Sequence[ProductImage], order: Sequence[int]) -> bool:
    """Whether the store shows `order` without leaning on the id tie-break."""
    by_id = {image.id: image for image in images}
    if len(by_id) != len(order) or set(by_id) != set(order):
        return False
    return all(by_id[a].sort_order < by_id[b].sort_order for a, b in itertools.pairwise(order))


def send_reorder(client: StoreClient, product_id: int, wanted_order: Sequence[int],
                 images: Sequence[ProductImage]) -> int:
    """Sends the PUTs that turn `images` (what the store has now) into `wanted_order`, in the
    plan's order; returns how many were sent."""
    order = wanted_of(images, wanted_order)
    plan = plan_reorder(order, {image.id: image.sort_order for image in images})
    for image_id, sort_order in plan.puts:
        client.update_image(product_id, image_id, ImageChanges(sort_order=sort_order),
                            complete=False)
    return len(plan.puts)


def verify_and_repair(client: StoreClient, product_id: int,
                      wanted_order: Sequence[int]) -> OrderCheck:
    """Reads the product's order back; if it is not the wanted one, one repair round (plan
    from what was read, send, read again). Bounded: never a second repair."""
    images = client.all_images(product_id)
    if shows(images, wanted_of(images, wanted_order)):
        return OrderCheck(held=True, repair_puts=0, shown=tuple(shown_order(images)),
                          images=tuple(images))
    log.info("Product %s does not show the order sent; repairing once", product_id)
    puts = send_reorder(client, product_id, wanted_order, images)
    images = client.all_images(product_id)
    held = shows(images, wanted_of(images, wanted_order))
    if not held:
        log.warning("Product %s still shows another order after one repair", product_id)
    return OrderCheck(held=held, repair_puts=puts, shown=tuple(shown_order(images)),
                      images=tuple(images))
