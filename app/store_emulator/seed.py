"""The demo catalog: 24 believable products and ~2000 image rows, all derived from the seed.

Only metadata is written here; pictures are drawn on first request (see pictures.py), so a demo
store starts in milliseconds.
"""

from __future__ import annotations

import random

from .records import ProductRecord
from .store import SeedImage, slug, stored_image_file

DEMO_PRODUCTS: tuple[tuple[str, str], ...] = (
    ("Canvas Tote Bag", "TOTE-001"),
    ("Ceramic Coffee Mug", "MUG-001"),
    ("Linen Throw Pillow", "PILW-001"),
    ("Wool Beanie", "BEAN-001"),
    ("Leather Card Wallet", "WALT-001"),
    ("Enamel Camp Mug", "MUG-002"),
    ("Bamboo Cutting Board", "BRD-001"),
    ("Cotton Crew Socks", "SOCK-001"),
    ("Stainless Water Bottle", "BTL-001"),
    ("Scented Soy Candle", "CNDL-001"),
    ("Recycled Paper Notebook", "NOTE-001"),
    ("Brass Desk Lamp", "LAMP-001"),
    ("Glass Storage Jar", "JAR-001"),
    ("Chunky Knit Cardigan", "CARD-001"),
    ("Denim Work Jacket", "JCKT-001"),
    ("Trail Running Shoes", "SHOE-001"),
    ("Cork Yoga Mat", "YOGA-001"),
    ("Cast Iron Skillet", "SKIL-001"),
    ("Terracotta Plant Pot", "POT-001"),
    ("Oak Wall Clock", "CLCK-001"),
    ("Silk Neck Scarf", "SCRF-001"),
    ("Waxed Travel Backpack", "PACK-001"),
    ("Walnut Serving Tray", "TRAY-001"),
    ("Wireless Earbuds", "EAR-001"),
)
LARGEST_PRODUCT_ID = 1  # 300 images: two pages of 250
EMPTY_PRODUCT_ID = 2  # no images: its list answers 204
SINGLE_IMAGE_PRODUCT_ID = 3
_FIXED_COUNTS = {LARGEST_PRODUCT_ID: 300, EMPTY_PRODUCT_ID: 0, SINGLE_IMAGE_PRODUCT_ID: 1}
# Paging edges that client code tends to get wrong, handed to seed-chosen products.
_EDGE_COUNTS = (250, 251, 50, 51)
_DESCRIPTIONS = ("Front view", "Back view", "Detail of the stitching", "On a model",
                 "Lifestyle shot", "Colour swatch", "In the box", "Side view")
_EPOCH = 1_546_300_800  # 2019-01-01T00:00:00Z: seeded dates are stable across runs


def _image_counts(rng: random.Random) -> dict[int, int]:
    free_ids = [pid for pid in range(1, len(DEMO_PRODUCTS) + 1) if pid not in _FIXED_COUNTS]
    rng.shuffle(free_ids)
    counts = dict(_FIXED_COUNTS)
    for pid, count in zip(free_ids, _EDGE_COUNTS):
        counts[pid] = count
    for pid in free_ids[len(_EDGE_COUNTS):]:
        counts[pid] = rng.choice((rng.randint(2, 12), rng.randint(13, 150)))
    return counts


def _description(rng: random.Random, name: str) -> str | None:
    # Old images carry null, newer ones "", curated ones real alt text: clients meet all three.
    roll = rng.random()
    if roll < 0.3:
        return None
    if roll < 0.55:
        return ""
    return f"{name}, {rng.choice(_DESCRIPTIONS).lower()}"


def demo_catalog(seed: int) -> tuple[list[ProductRecord], list[SeedImage]]:
    rng = random.Random(f"{seed}:demo-catalog")
    names = random.Random(f"{seed}:demo-file-names")
    counts = _image_counts(rng)
    # One product keeps all-zero sort orders (a CSV import), one a shuffled order, one a
    # thumbnail that is not first: real stores look like this.
    quirky = [pid for pid, count in counts.items() if 3 <= count <= 150]
    rng.shuffle(quirky)
    tied, shuffled, offbeat_thumbnail = quirky[:3]
    products: list[ProductRecord] = []
    images: list[SeedImage] = []
    for pid, (name, sku) in enumerate(DEMO_PRODUCTS, start=1):
        created = _EPOCH + rng.randrange(0, 400 * 86400)
        price = f"{rng.randrange(5, 250)}.{rng.choice(('0000', '5000', '9900', '9500'))}"
        products.append(ProductRecord(pid, name, sku, price, is_visible=rng.random() > 0.1,
                                      date_created=created,
                                      date_modified=created + rng.randrange(0, 90 * 86400)))
        count = counts[pid]
        orders = list(range(count))
        if pid == shuffled:
            rng.shuffle(orders)
        thumbnail_position = 3 if pid == offbeat_thumbnail else 1
        for index in range(count):
            sort_order = 0 if pid == tied else orders[index]
            position = sort_order + 1 if pid != tied else index + 1
            extension = "png" if rng.random() < 0.2 else "jpg"
            images.append(SeedImage(
                id=len(images) + 1, product_id=pid,
                image_file=stored_image_file(f"{slug(name)}-{position}", extension, names),
                is_thumbnail=position == thumbnail_position, sort_order=sort_order,
                description=_description(rng, name),
                date_created=created + 60 * (index + 1), picture_position=position))
    return products, images


def large_catalog(seed: int, product_count: int,
                  images_per_product: int) -> tuple[list[ProductRecord], list[SeedImage]]:
    """`product_count` plain products ("Item 00042", SKU "ITEM-00042") with
    `images_per_product` pictures each: cheap to make (10,000 products in well under a second),
    for whole-store work such as the offline sync's benchmark."""
    names = random.Random(f"{seed}:large-file-names")
    products: list[ProductRecord] = []
    images: list[SeedImage] = []
    for pid in range(1, product_count + 1):
        name = f"Item {pid:05d}"
        created = _EPOCH + pid * 60
        products.append(ProductRecord(pid, name, f"ITEM-{pid:05d}", "10.0000", is_visible=True,
                                      date_created=created, date_modified=created))
        for index in range(images_per_product):
            images.append(SeedImage(
                id=len(images) + 1, product_id=pid,
                image_file=stored_image_file(f"item-{pid}-{index + 1}", "jpg", names),
                is_thumbnail=index == 0, sort_order=index, description="",
                date_created=created + index, picture_position=index + 1))
    return products, images
