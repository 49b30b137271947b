"""The offline metadata: what was seen of a store comes back from disk as it went in, a
refresh says which images changed, and nothing on disk can make a read raise."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from app.api.models import ImageUrls, Product, ProductImage
from app.cache.metadata import (
    DATABASE_NAME,
    ImageSetChanges,
    MetadataDamaged,
    MetadataStore,
    MetadataTooNew,
    MetadataUnavailable,
)
from app.cache.metadata_schema import SCHEMA_VERSION

STORE = "store-abc123"
OTHER = "store-zzz999"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def image(image_id: int, product_id: int = 7, **changes: object) -> ProductImage:
    base = ProductImage(
        id=image_id, product_id=product_id, image_file=f"r/{image_id}/mug__{image_id}.jpg",
        zoom_url=f"https://cdn.example/{image_id}.1280.jpg", thumbnail_url=None,
        standard_url=f"https://cdn.example/{image_id}.220.jpg",
        tiny_url=f"https://cdn.example/{image_id}.44.jpg", is_thumbnail=image_id == 1,
        sort_order=image_id * 10, description=None if image_id % 2 else "",
        date_created=datetime(2026, 3, 1, 12, 30, image_id, tzinfo=UTC),
        extra={"image_url": "", "custom": {"nested": [1, "ü"]}})
    return replace(base, **changes)  # type: ignore[arg-type]


def product(product_id: int, name: str, sku: str = "", **changes: object) -> Product:
    base = Product(
        id=product_id, name=name, sku=sku,
        primary_image=ImageUrls(image_id=product_id * 100,
                                tiny_url=f"https://cdn.example/p{product_id}.44.jpg",
                                standard_url=f"https://cdn.example/p{product_id}.220.jpg"),
        date_modified=datetime(2026, 2, 1, 9, 0, tzinfo=timezone(timedelta(hours=2))),
        extra={"is_visible": True, "custom_url": "/mug/"})
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock):
    with MetadataStore(tmp_path / "metadata", clock=clock) as opened:
        yield opened


def full_json(images: object) -> list[dict]:
    """`extra` is left out of ProductImage's ==: compare the whole server shape."""
    return [item.to_json() for item in images]  # type: ignore[attr-defined]


# ---- lossless ------------------------------------------------------------------------------

def test_images_come_back_as_they_went_in_in_storefront_order(tmp_path: Path) -> None:
    folder = tmp_path / "metadata"
    # Given out of order, with a tie in sort_order that the id breaks (as the store does).
    images = [image(3), image(1), image(2, sort_order=30), image(4, description="Blå krus")]
    with MetadataStore(folder) as store:
        store.replace_images(STORE, 7, images)
    with MetadataStore(folder) as store:
        loaded = store.images(STORE, 7)
    assert loaded.damaged == 0
    assert [i.id for i in loaded] == [1, 2, 3, 4]
    expected = sorted(images, key=lambda i: (i.sort_order, i.id))
    assert loaded.items == expected
    assert full_json(loaded) == full_json(expected)
    # null and "" alt text are different things to the store and stay different here
    assert [i.description for i in loaded] == [None, "", None, "Blå krus"]


def test_products_come_back_as_they_went_in(store: MetadataStore) -> None:
    products = [product(2, "Blue mug", "MUG-B"), product(1, "Red mug", "MUG-R",
                                                          primary_image=None)]
    store.save_products(STORE, products)
    loaded = store.products(STORE)
    assert [p.product for p in loaded] == sorted(products, key=lambda p: p.id)
    assert [p.product.extra for p in loaded] == [{"is_visible": True, "custom_url": "/mug/"}] * 2
    assert loaded.items[1].product.date_modified == products[0].date_modified


def test_stores_are_kept_apart(store: MetadataStore) -> None:
    store.replace_images(STORE, 7, [image(1)])
    store.replace_images(OTHER, 7, [image(2)])
    assert [i.id for i in store.images(STORE, 7)] == [1]
    assert [i.id for i in store.images(OTHER, 7)] == [2]


def test_stores_remember_their_label_and_when_they_were_seen(store: MetadataStore,
                                                             clock: Clock) -> None:
    store.remember_store(STORE, "Mugs & More")
    clock.now += 60
    store.remember_store(OTHER, "Teapots")
    assert [(s.store, s.label, s.last_seen) for s in store.stores()] == [
        (OTHER, "Teapots", clock.now), (STORE, "Mugs & More", clock.now - 60)]


# ---- refresh -------------------------------------------------------------------------------

def test_a_refresh_answers_which_images_were_added_removed_and_changed(
        store: MetadataStore) -> None:
    first = store.replace_images(STORE, 7, [image(1), image(2), image(3)])
    assert first == ImageSetChanges(added=(1, 2, 3))
    again = store.replace_images(STORE, 7, [image(1), image(2), image(3)])
    assert again == ImageSetChanges() and not again

    changes = store.replace_images(STORE, 7, [
        image(1, description="new alt"),           # changed
        image(2),                                   # as it was
        image(4),                                   # new
        # 3 deleted on the store
    ])
    assert changes == ImageSetChanges(added=(4,), removed=(3,), changed=(1,))
    assert [i.id for i in store.images(STORE, 7)] == [1, 2, 4]


def test_a_change_only_in_the_unknown_fields_counts_as_a_change(store: MetadataStore) -> None:
    store.replace_images(STORE, 7, [image(1)])
    changes = store.replace_images(STORE, 7, [image(1, extra={"image_url": "x"})])
    assert changes.changed == (1,)
    assert store.images(STORE, 7).items[0].extra == {"image_url": "x"}


def test_a_refresh_is_all_or_nothing(store: MetadataStore) -> None:
    store.replace_images(STORE, 7, [image(1), image(2)])
    with pytest.raises(ValueError):
        store.replace_images(STORE, 7, [image(3), image(3)])
    assert [i.id for i in store.images(STORE, 7)] == [1, 2]
    store.replace_images(STORE, 7, [image(4)])
    store._db.execute("CREATE TRIGGER refuse BEFORE INSERT ON images WHEN NEW.id = 6 "
                      "BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    with pytest.raises(sqlite3.DatabaseError):
        store.replace_images(STORE, 7, [image(5), image(6)])
    assert [i.id for i in store.images(STORE, 7)] == [4]


def test_an_image_of_another_product_is_refused(store: MetadataStore) -> None:
    with pytest.raises(ValueError):
        store.replace_images(STORE, 7, [image(1), image(2, product_id=8)])
    assert store.images(STORE, 7).items == []


def test_a_refresh_stamps_synced_at_and_the_image_count(store: MetadataStore,
                                                        clock: Clock) -> None:
    store.save_products(STORE, [product(7, "Red mug")])
    assert store.synced_at(STORE, 7) is None
    assert store.synced_at(STORE, 99) is None
    clock.now = 2_000_000.0
    store.replace_images(STORE, 7, [image(1), image(2)])
    assert store.synced_at(STORE, 7) == 2_000_000.0
    stored = store.product(STORE, 7)
    assert stored is not None and stored.product.image_count == 2
    # a later page of the product list (which carries no count) keeps it
    store.save_products(STORE, [product(7, "Red mug, large")])
    stored = store.product(STORE, 7)
    assert stored is not None
    assert stored.product.name == "Red mug, large" and stored.product.image_count == 2
    assert stored.synced_at == 2_000_000.0


def test_images_saved_before_the_product_record_are_kept_with_a_stand_in_name(
        store: MetadataStore) -> None:
    store.replace_images(STORE, 42, [image(1, product_id=42)])
    stored = store.product(STORE, 42)
    assert stored is not None and stored.product.name == "Product 42"
    store.save_products(STORE, [product(42, "Teapot")])
    stored = store.product(STORE, 42)
    assert stored is not None and stored.product.name == "Teapot"
    assert [i.id for i in store.images(STORE, 42)] == [1]


def test_forgetting_a_product_takes_its_images(store: MetadataStore) -> None:
    store.save_products(STORE, [product(7, "Red mug")])
    store.replace_images(STORE, 7, [image(1)])
    store.forget_product(STORE, 7)
    assert store.product(STORE, 7) is None
    assert store.images(STORE, 7).items == []


# ---- search and pins -----------------------------------------------------------------------

def test_keyword_search_matches_name_or_sku_in_any_case(store: MetadataStore) -> None:
    store.save_products(STORE, [product(1, "Red mug", "MUG-R"), product(2, "Teapot", "TP-1"),
                                product(3, "Müsli bowl", "BOWL"), product(4, "Plate", "mug-p")])
    store.save_products(OTHER, [product(5, "Mug elsewhere")])
    assert [p.product.id for p in store.products(STORE, "mug")] == [1, 4]
    assert [p.product.id for p in store.products(STORE, "MÜSLI")] == [3]
    assert [p.product.id for p in store.products(STORE, "tp-")] == [2]
    assert [p.product.id for p in store.products(STORE, "100%")] == []
    assert store.count_products(STORE, "mug") == 2 and store.count_products(STORE) == 4
    assert [p.product.id for p in store.products(STORE, limit=2, offset=1)] == [2, 3]


def test_pinned_products_are_marked_and_listed(store: MetadataStore) -> None:
    store.save_products(STORE, [product(1, "Red mug"), product(2, "Teapot")])
    store.set_pinned(STORE, [2, 9], True)  # 9 not seen yet: the pin waits for it
    assert store.pinned_products(STORE) == [2, 9]
    assert [(p.product.id, p.pinned) for p in store.products(STORE)] == [
        (1, False), (2, True), (9, True)]
    store.save_products(STORE, [product(2, "Teapot, blue")])  # a refresh keeps the pin
    store.set_pinned(STORE, [9], False)
    assert store.pinned_products(STORE) == [2]


# ---- threads -------------------------------------------------------------------------------

def test_the_connection_belongs_to_the_thread_that_opened_it(store: MetadataStore) -> None:
    failures: list[BaseException] = []

    def elsewhere() -> None:
        try:
            store.images(STORE, 7)
        except BaseException as exc:  # noqa: BLE001 - the test inspects it
            failures.append(exc)

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert len(failures) == 1 and isinstance(failures[0], sqlite3.ProgrammingError)


def test_a_reader_on_another_thread_sees_a_refresh_whole(tmp_path: Path) -> None:
    folder = tmp_path / "metadata"
    with MetadataStore(folder) as writer:
        writer.replace_images(STORE, 7, [image(1), image(2)])
        seen: list[list[int]] = []

        def read() -> None:
            with MetadataStore(folder) as reader:
                seen.append([i.id for i in reader.images(STORE, 7)])

        writer.replace_images(STORE, 7, [image(3), image(4), image(5)])
        thread = threading.Thread(target=read)
        thread.start()
        thread.join()
    assert seen == [[3, 4, 5]]


def test_a_file_held_by_another_program_is_reported_not_set_aside(tmp_path: Path) -> None:
    folder = tmp_path / "metadata"
    with MetadataStore(folder, busy_timeout_s=0.05) as store:
        store.replace_images(STORE, 7, [image(1)])
        other = sqlite3.connect(folder / DATABASE_NAME, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # holds the write lock
        try:
            with pytest.raises(MetadataUnavailable) as refused:
                store.replace_images(STORE, 7, [image(2)])
            assert "could not be updated" in str(refused.value)
            with pytest.raises(MetadataUnavailable):
                MetadataStore.open(folder, busy_timeout_s=0.05)  # refused, not set aside
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert store.problem is None
        assert [p.name for p in folder.iterdir() if ".damaged" in p.name] == []
        assert [i.id for i in store.images(STORE, 7)] == [1]


def test_a_folder_that_cannot_hold_the_file_is_reported_not_raised_as_os_error(
        tmp_path: Path) -> None:
    (tmp_path / "metadata").write_text("a file where the folder should be")
    with pytest.raises(MetadataUnavailable):
        MetadataStore.open(tmp_path / "metadata")
    folder = tmp_path / "elsewhere"
    (folder / DATABASE_NAME).mkdir(parents=True)  # a folder where the file should be
    with pytest.raises(MetadataUnavailable):
        MetadataStore.open(folder)
    assert (folder / DATABASE_NAME).is_dir()


def test_the_database_is_wal_and_at_the_current_version(store: MetadataStore) -> None:
    assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert store._db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


# ---- damage --------------------------------------------------------------------------------

def _poke(folder: Path, sql: str, *args: object) -> None:
    db = sqlite3.connect(folder / DATABASE_NAME)
    db.execute(sql, args)
    db.commit()
    db.close()


def test_damaged_image_rows_are_skipped_and_counted(tmp_path: Path) -> None:
    folder = tmp_path / "metadata"
    with MetadataStore(folder) as store:
        store.replace_images(STORE, 7, [image(n) for n in range(1, 6)])
    _poke(folder, "UPDATE images SET extra = '{not json' WHERE id = 2")
    _poke(folder, "UPDATE images SET date_created = 'last tuesday' WHERE id = 3")
    _poke(folder, "UPDATE images SET is_thumbnail = 'yes' WHERE id = 4")
    with MetadataStore(folder) as store:
        loaded = store.images(STORE, 7)
        assert [i.id for i in loaded] == [1, 5]
        assert loaded.damaged == 3 and store.damaged_rows == 3
        # a refresh replaces the damaged rows with good ones
        changes = store.replace_images(STORE, 7, [image(n) for n in range(1, 6)])
        assert changes.changed == (2, 3, 4)
        assert store.images(STORE, 7).damaged == 0


def test_a_damaged_store_row_is_skipped_and_counted(tmp_path: Path) -> None:
    folder = tmp_path / "metadata"
    with MetadataStore(folder) as store:
        store.remember_store(STORE, "Mugs")
        store.remember_store(OTHER, "Teapots")
    _poke(folder, "UPDATE stores SET last_seen = 'soon' WHERE store = ?", OTHER)
    with MetadataStore(folder) as store:
        assert [s.store for s in store.stores()] == [STORE]
        assert store.damaged_rows == 1


def test_damaged_product_rows_are_skipped_and_counted(tmp_path: Path) -> None:
    folder = tmp_path / "metadata"
    with MetadataStore(folder) as store:
        store.save_products(STORE, [product(n, f"Mug {n}") for n in range(1, 5)])
    _poke(folder, "UPDATE products SET primary_image = '[1, 2]' WHERE id = 2")
    _poke(folder, "UPDATE products SET sku = x'ff00' WHERE id = 3")
    with MetadataStore(folder) as store:
        loaded = store.products(STORE)
        assert [p.product.id for p in loaded] == [1, 4] and loaded.damaged == 2
        assert store.product(STORE, 2) is None


def test_a_damaged_page_ends_the_read_quietly_and_the_file_is_set_aside_next_time(
        tmp_path: Path) -> None:
    folder = tmp_path / "metadata"
    with MetadataStore(folder) as store:
        store.save_products(STORE, [product(n, "Mug " + "x" * 500) for n in range(1, 400)])
        store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    # Scribble over a page in the middle of the products table (not the header page).
    path = folder / DATABASE_NAME
    data = bytearray(path.read_bytes())
    page = 4096
    data[page * 20: page * 24] = b"\xff" * (page * 4)
    path.write_bytes(bytes(data))

    with MetadataStore(folder) as store:
        loaded = store.products(STORE)  # must not raise
        assert loaded.damaged >= 1 and len(loaded) < 399
        assert isinstance(store.problem, MetadataDamaged)
    with MetadataStore.open(folder) as store:
        assert isinstance(store.problem, MetadataDamaged)
        assert store.problem.moved_to is not None and store.problem.moved_to.exists()
        assert store.products(STORE).items == []
        store.save_products(STORE, [product(1, "Red mug")])
        assert len(store.products(STORE)) == 1


def test_garbage_is_set_aside_with_a_timestamp_and_a_fresh_database_started(
        tmp_path: Path) -> None:
    folder = tmp_path / "metadata"
    folder.mkdir()
    garbage = b"this is not a database, it is a shopping list\n" * 200
    (folder / DATABASE_NAME).write_bytes(garbage)
    with pytest.raises(MetadataDamaged):
        MetadataStore(folder)  # the strict constructor touches nothing
    assert (folder / DATABASE_NAME).read_bytes() == garbage

    with MetadataStore.open(folder) as store:
        problem = store.problem
        assert isinstance(problem, MetadataDamaged)
        assert problem.moved_to is not None and problem.moved_to.read_bytes() == garbage
        assert problem.moved_to.parent == folder
        assert problem.moved_to.name.startswith("metadata.damaged-")
        assert str(problem.moved_to) in str(problem)
        assert "fetched from the store again" in str(problem)
        store.replace_images(STORE, 7, [image(1)])
        assert [i.id for i in store.images(STORE, 7)] == [1]


def test_a_truncated_file_is_set_aside(tmp_path: Path) -> None:
    folder = tmp_path / "metadata"
    with MetadataStore(folder) as store:
        store.save_products(STORE, [product(n, "Mug " + "x" * 500) for n in range(1, 200)])
        store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path = folder / DATABASE_NAME
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(MetadataDamaged) as refused:
        MetadataStore(folder)  # at opening, not at the first read of a missing page
    assert refused.value.detail.startswith("truncated")
    with MetadataStore.open(folder) as store:
        assert isinstance(store.problem, MetadataDamaged)
        assert store.products(STORE).items == []


def test_another_programs_database_is_not_written_into(tmp_path: Path) -> None:
    folder = tmp_path / "metadata"
    folder.mkdir()
    db = sqlite3.connect(folder / DATABASE_NAME)
    db.execute("CREATE TABLE recipes (name TEXT)")
    db.commit()
    db.close()
    with pytest.raises(MetadataDamaged):
        MetadataStore(folder)
    with MetadataStore.open(folder) as store:
        assert store.problem is not None and store.problem.moved_to is not None
        moved = sqlite3.connect(store.problem.moved_to)
        assert [r[0] for r in moved.execute("SELECT name FROM sqlite_master")] == ["recipes"]
        moved.close()


def test_a_database_from_a_newer_app_is_refused_kept_unchanged_and_a_new_one_started(
        tmp_path: Path) -> None:
    folder = tmp_path / "metadata"
    with MetadataStore(folder) as store:
        store.replace_images(STORE, 7, [image(1)])
        store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    _poke(folder, f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    before = (folder / DATABASE_NAME).read_bytes()
    with pytest.raises(MetadataTooNew) as refused:
        MetadataStore(folder)
    assert "newer version of Product Image Manager" in str(refused.value)
    assert (folder / DATABASE_NAME).read_bytes() == before

    with MetadataStore.open(folder) as store:
        problem = store.problem
        assert isinstance(problem, MetadataTooNew) and problem.version == SCHEMA_VERSION + 1
        assert problem.moved_to is not None and problem.moved_to.read_bytes() == before
        assert problem.moved_to.name.startswith("metadata.newer-")
        assert store.images(STORE, 7).items == []


def test_setting_aside_never_touches_the_journal(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from app import paths
    from app.cache.journal import Journal
    from app.cache.operations import FieldChanges, UpdateFields

    monkeypatch.setenv(paths.DATA_DIR_ENV, str(tmp_path / "pim-data"))
    with Journal(paths.journal_dir()) as journal:
        journal.append(STORE, 7, UpdateFields(op_id=1, row_key="image:1",
                                              changes=FieldChanges(description="alt"),
                                              based_on=image(1)))
    journal_files = sorted(p.relative_to(tmp_path) for p in paths.journal_dir().rglob("*"))
    (paths.metadata_dir() / DATABASE_NAME).write_bytes(b"garbage" * 100)
    with MetadataStore.open(paths.metadata_dir()) as store:
        assert isinstance(store.problem, MetadataDamaged)
    assert sorted(p.relative_to(tmp_path) for p in paths.journal_dir().rglob("*")) == \
        journal_files
    with Journal(paths.journal_dir()) as journal:
        assert [e.op.op_id for e in journal.pending(STORE)] == [1]


def test_the_metadata_lives_in_the_data_folder_beside_the_journal(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app import paths

    monkeypatch.setenv(paths.DATA_DIR_ENV, str(tmp_path / "pim-data"))
    assert paths.metadata_dir() == tmp_path / "pim-data" / "data" / "metadata"
    assert paths.metadata_dir().is_dir()
    assert paths.metadata_dir().parent == paths.journal_dir().parent
