"""Every earlier schema of the offline metadata opens with the current code, rows intact.

A new schema version appends a script to MIGRATIONS, adds its hash to FROZEN below, and, if
its rows differ, a `_fill` for it."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from app.cache.metadata import DATABASE_NAME, MetadataStore
from app.cache.metadata_schema import MIGRATIONS, SCHEMA_VERSION
from app.cache.schema_steps import statements

STORE = "store-abc123"

#: sha256 of each released migration script: an old step is never edited, only appended to.
FROZEN = (
    "b65decf481d1b8ed5a1d0789488f6bdef6d056b3f396b26c76d07ce78e7a729b",
    "8ef01e59b9e8babff1651331e02a572d41e5e8d04cc3c26ef14d9aa079fb24d5",
)

V1_IMAGE_EXTRA = {"image_url": "", "custom": {"nested": [1, "ü"]}}


def _build(path: Path, version: int) -> sqlite3.Connection:
    """A database as the app of schema `version` left it: its scripts run, by hand."""
    db = sqlite3.connect(path)
    for step in range(version):
        for statement in statements(MIGRATIONS[step]):
            db.execute(statement)
    db.execute(f"PRAGMA user_version = {version}")
    return db


def _fill_v1(db: sqlite3.Connection) -> None:
    """Rows as version 1 wrote them (valid in every later version before migration)."""
    db.execute("INSERT INTO stores (store, label, last_seen) VALUES (?, 'Mugs & More', 5.0)",
               (STORE,))
    db.execute(
        "INSERT INTO products (store, id, name, sku, image_count, date_modified, primary_image, "
        "extra, seen_at) VALUES (?, 7, 'Red mug', 'MUG-R', 2, '2026-02-01T09:00:00+02:00', ?, "
        "'{\"is_visible\":true}', 6.0)",
        (STORE, json.dumps({"id": 700, "tiny_url": "https://cdn.example/p7.44.jpg",
                            "zoom_url": None, "thumbnail_url": None, "standard_url": None})))
    for image_id, sort_order in ((11, 2), (10, 1)):
        db.execute(
            "INSERT INTO images (store, product_id, id, image_file, zoom_url, thumbnail_url, "
            "standard_url, tiny_url, is_thumbnail, sort_order, description, date_created, "
            "extra) VALUES (?, 7, ?, ?, ?, NULL, NULL, ?, ?, ?, ?, '2026-03-01T12:30:05+00:00', "
            "?)",
            (STORE, image_id, f"r/{image_id}.jpg", f"https://cdn.example/{image_id}.1280.jpg",
             f"https://cdn.example/{image_id}.44.jpg", int(image_id == 10), sort_order,
             None if image_id == 10 else "", json.dumps(V1_IMAGE_EXTRA)))


def test_released_migration_steps_are_never_edited() -> None:
    assert len(MIGRATIONS) >= len(FROZEN)
    assert [hashlib.sha256(script.encode()).hexdigest()
            for script in MIGRATIONS[:len(FROZEN)]] == list(FROZEN)
    assert len(FROZEN) == SCHEMA_VERSION, "a new step: freeze its hash here, test its rows"


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
def test_a_database_of_an_earlier_version_is_migrated_with_its_rows(
        tmp_path: Path, version: int) -> None:
    folder = tmp_path / "metadata"
    folder.mkdir()
    db = _build(folder / DATABASE_NAME, version)
    _fill_v1(db)
    db.commit()
    db.close()

    with MetadataStore(folder) as store:
        assert store.problem is None
        assert store._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        [record] = store.stores()
        assert (record.store, record.label, record.last_seen) == (STORE, "Mugs & More", 5.0)

        images = store.images(STORE, 7)
        assert images.damaged == 0
        assert [(i.id, i.sort_order, i.is_thumbnail, i.description) for i in images] == [
            (10, 1, True, None), (11, 2, False, "")]
        assert images.items[0].extra == V1_IMAGE_EXTRA
        assert images.items[0].date_created is not None

        stored = store.product(STORE, 7)
        assert stored is not None
        assert (stored.product.name, stored.product.sku, stored.product.image_count) == (
            "Red mug", "MUG-R", 2)
        assert stored.product.primary_image is not None
        assert stored.product.primary_image.tiny_url == "https://cdn.example/p7.44.jpg"
        # what version 2 added starts empty: not pinned, never synced
        assert (stored.pinned, stored.synced_at, stored.seen_at) == (False, None, 6.0)

        # and the migrated file works as a new one does
        store.set_pinned(STORE, [7], True)
        assert store.pinned_products(STORE) == [7]
        assert not store.replace_images(STORE, 7, list(images))
        assert store.synced_at(STORE, 7) is not None


def test_the_current_version_is_reached_from_an_empty_file(tmp_path: Path) -> None:
    folder = tmp_path / "metadata"
    folder.mkdir()
    (folder / DATABASE_NAME).write_bytes(b"")
    with MetadataStore(folder) as store:
        assert store.problem is None
        assert store._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        indexes = {row[0] for row in store._db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"products_pinned", "images_in_order"} <= indexes
