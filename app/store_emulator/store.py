"""The store's state in SQLite, and the rules that keep it consistent.

One connection behind one lock: the servers are threaded, and SQLite serialises writes anyway.
Thumbnail rule: at most one per product; the first image becomes it; deleting it promotes the
image with the lowest (sort_order, id). Sort rule: new images go last (max + 1).
"""

from __future__ import annotations

import random
import re
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .records import ImageRecord, NewPicture, ProductFilter, ProductRecord
from .timefmt import now_ts

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS products (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL, sku TEXT NOT NULL, price TEXT NOT NULL, is_visible INTEGER NOT NULL,
    date_created INTEGER NOT NULL, date_modified INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS images (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id INTEGER NOT NULL REFERENCES products(id),
    image_file TEXT NOT NULL, is_thumbnail INTEGER NOT NULL, sort_order INTEGER NOT NULL,
    description TEXT, date_created INTEGER NOT NULL, version INTEGER NOT NULL,
    picture_position INTEGER
);
CREATE INDEX IF NOT EXISTS images_by_product ON images (product_id, id);
CREATE TABLE IF NOT EXISTS originals (image_id INTEGER PRIMARY KEY, data BLOB NOT NULL);
"""
_IMAGE_COLUMNS = ("id, product_id, image_file, is_thumbnail, sort_order, description, "
                  "date_created, version, picture_position")
_PRODUCT_COLUMNS = "id, name, sku, price, is_visible, date_created, date_modified"


class ImageLimitReached(Exception):
    """The product already holds the maximum number of images."""


class _Unset:
    """Marks a field a PUT did not mention (description may legitimately be set to None)."""


UNSET: Any = _Unset()


@dataclass(frozen=True)
class ImageChanges:
    is_thumbnail: bool | None = None
    sort_order: int | None = None
    description: str | None = UNSET
    picture: NewPicture | None = None


@dataclass(frozen=True)
class SeedImage:
    id: int
    product_id: int
    image_file: str
    is_thumbnail: bool
    sort_order: int
    description: str | None
    date_created: int
    picture_position: int


def slug(name: str) -> str:
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60].strip("-")
    return text or "image"


def stored_image_file(source_name: str, extension: str, rng: random.Random) -> str:
    # The real service files pictures under a letter and a number and mangles the name with
    # "__NNNNN"; clients must not expect their own file name back.
    stem = slug(source_name)
    return f"{stem[0]}/{rng.randrange(1000):03d}/{stem}__{rng.randrange(10000, 100000)}.{extension}"


def _image(row: Sequence[Any]) -> ImageRecord:
    return ImageRecord(row[0], row[1], row[2], bool(row[3]), row[4], row[5], row[6], row[7], row[8])


def _product(row: Sequence[Any]) -> ProductRecord:
    return ProductRecord(row[0], row[1], row[2], row[3], bool(row[4]), row[5], row[6])


def _product_where(product_filter: ProductFilter) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if product_filter.name is not None:
        clauses.append("name = ?")
        params.append(product_filter.name)
    if product_filter.keyword is not None:
        clauses.append("(instr(lower(name), ?) > 0 OR instr(lower(sku), ?) > 0)")
        params += [product_filter.keyword.lower()] * 2
    if product_filter.sku is not None:
        clauses.append("sku = ?")
        params.append(product_filter.sku)
    if product_filter.min_id is not None:
        clauses.append("id >= ?")
        params.append(product_filter.min_id)
    if product_filter.max_id is not None:
        clauses.append("id <= ?")
        params.append(product_filter.max_id)
    if product_filter.is_visible is not None:
        clauses.append("is_visible = ?")
        params.append(int(product_filter.is_visible))
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


class CatalogStore:
    def __init__(self, path: str, seed: int) -> None:
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=OFF")  # an emulator: speed over crash safety
        self._db.executescript(_SCHEMA)
        self._names = random.Random(f"{seed}:file-names")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _query(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, tuple(params)).fetchall()

    def _transaction(self) -> "_Transaction":
        return _Transaction(self._lock, self._db)

    # -- set-up ----------------------------------------------------------------------------

    def is_initialised(self) -> bool:
        return bool(self._query("SELECT 1 FROM meta WHERE key = 'initialised'"))

    def initialise(self, products: Sequence[ProductRecord], images: Sequence[SeedImage]) -> None:
        """Write a whole catalog in one transaction (thousands of rows in milliseconds)."""
        with self._transaction() as db:
            db.executemany(
                f"INSERT INTO products ({_PRODUCT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(p.id, p.name, p.sku, p.price, int(p.is_visible), p.date_created,
                  p.date_modified) for p in products])
            db.executemany(
                f"INSERT INTO images ({_IMAGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(i.id, i.product_id, i.image_file, int(i.is_thumbnail), i.sort_order,
                  i.description, i.date_created, i.date_created, i.picture_position)
                 for i in images])
            db.execute("INSERT OR REPLACE INTO meta VALUES ('initialised', '1')")

    def new_image_file(self, source_name: str, extension: str) -> str:
        with self._lock:
            return stored_image_file(source_name, extension, self._names)

    # -- products --------------------------------------------------------------------------

    def add_product(self, name: str, sku: str, price: str = "0.0000", is_visible: bool = True,
                    ) -> int:
        now = now_ts()
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO products (name, sku, price, is_visible, date_created, date_modified)"
                " VALUES (?, ?, ?, ?, ?, ?)", (name, sku, price, int(is_visible), now, now))
            return int(cursor.lastrowid or 0)

    def product(self, product_id: int) -> ProductRecord | None:
        rows = self._query(f"SELECT {_PRODUCT_COLUMNS} FROM products WHERE id = ?", (product_id,))
        return _product(rows[0]) if rows else None

    def products(self, product_filter: ProductFilter, offset: int, limit: int,
                 ) -> list[ProductRecord]:
        where, params = _product_where(product_filter)
        rows = self._query(f"SELECT {_PRODUCT_COLUMNS} FROM products{where} ORDER BY id"
                           " LIMIT ? OFFSET ?", [*params, limit, offset])
        return [_product(row) for row in rows]

    def count_products(self, product_filter: ProductFilter) -> int:
        where, params = _product_where(product_filter)
        return int(self._query(f"SELECT COUNT(*) FROM products{where}", params)[0][0])

    # -- images: reads ---------------------------------------------------------------------

    def images(self, product_id: int, offset: int = 0, limit: int = -1) -> list[ImageRecord]:
        rows = self._query(f"SELECT {_IMAGE_COLUMNS} FROM images WHERE product_id = ?"
                           " ORDER BY id LIMIT ? OFFSET ?", (product_id, limit, offset))
        return [_image(row) for row in rows]

    def image(self, product_id: int, image_id: int) -> ImageRecord | None:
        rows = self._query(f"SELECT {_IMAGE_COLUMNS} FROM images WHERE id = ? AND product_id = ?",
                           (image_id, product_id))
        return _image(rows[0]) if rows else None

    def count_images(self, product_id: int | None = None) -> int:
        if product_id is None:
            return int(self._query("SELECT COUNT(*) FROM images")[0][0])
        return int(self._query("SELECT COUNT(*) FROM images WHERE product_id = ?",
                               (product_id,))[0][0])

    def thumbnails(self, product_ids: Sequence[int]) -> dict[int, ImageRecord]:
        if not product_ids:
            return {}
        marks = ", ".join("?" * len(product_ids))
        rows = self._query(f"SELECT {_IMAGE_COLUMNS} FROM images WHERE is_thumbnail = 1"
                           f" AND product_id IN ({marks})", product_ids)
        return {image.product_id: image for image in map(_image, rows)}

    def original(self, image_id: int) -> bytes | None:
        rows = self._query("SELECT data FROM originals WHERE image_id = ?", (image_id,))
        return bytes(rows[0][0]) if rows else None

    def save_original_if_missing(self, image_id: int, data: bytes) -> None:
        # "If missing": a lazily drawn picture must never overwrite one a PUT stored meanwhile.
        with self._transaction() as db:
            db.execute("INSERT OR IGNORE INTO originals VALUES (?, ?)", (image_id, data))

    # -- images: writes --------------------------------------------------------------------

    def create_image(self, product_id: int, picture: NewPicture, is_thumbnail: bool | None,
                     sort_order: int | None, description: str | None, max_images: int,
                     ) -> ImageRecord:
        now = now_ts()
        with self._transaction() as db:
            count, highest = db.execute(
                "SELECT COUNT(*), MAX(sort_order) FROM images WHERE product_id = ?",
                (product_id,)).fetchone()
            if count >= max_images:
                raise ImageLimitReached()
            if sort_order is None:
                sort_order = 0 if highest is None else highest + 1
            becomes_thumbnail = count == 0 or bool(is_thumbnail)
            if becomes_thumbnail:
                db.execute("UPDATE images SET is_thumbnail = 0 WHERE product_id = ?",
                           (product_id,))
            image_file = stored_image_file(picture.source_name, picture.extension, self._names)
            cursor = db.execute(
                "INSERT INTO images (product_id, image_file, is_thumbnail, sort_order,"
                " description, date_created, version) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (product_id, image_file, int(becomes_thumbnail), sort_order, description,
                 now, now))
            image_id = int(cursor.lastrowid or 0)
            db.execute("INSERT INTO originals VALUES (?, ?)", (image_id, picture.data))
            self._touch(db, product_id, now)
            return _image(db.execute(f"SELECT {_IMAGE_COLUMNS} FROM images WHERE id = ?",
                                     (image_id,)).fetchone())

    def update_image(self, product_id: int, image_id: int, changes: ImageChanges,
                     shift_siblings: bool) -> ImageRecord | None:
        now = now_ts()
        with self._transaction() as db:
            row = db.execute(f"SELECT {_IMAGE_COLUMNS} FROM images WHERE id = ? AND"
                             " product_id = ?", (image_id, product_id)).fetchone()
            if row is None:
                return None
            current = _image(row)
            if changes.sort_order is not None:
                self._place(db, current, changes.sort_order, shift_siblings)
            if changes.is_thumbnail is True:
                db.execute("UPDATE images SET is_thumbnail = (id = ?) WHERE product_id = ?",
                           (image_id, product_id))
            elif changes.is_thumbnail is False:
                # "At most one": clearing the flag may leave the product without a thumbnail.
                db.execute("UPDATE images SET is_thumbnail = 0 WHERE id = ?", (image_id,))
            if changes.description is not UNSET:
                db.execute("UPDATE images SET description = ? WHERE id = ?",
                           (changes.description, image_id))
            if changes.picture is not None:
                picture = changes.picture
                image_file = stored_image_file(picture.source_name, picture.extension,
                                               self._names)
                # The version is part of every CDN URL, so it must move even within a second.
                db.execute("UPDATE images SET image_file = ?, version = ?, picture_position ="
                           " NULL WHERE id = ?",
                           (image_file, max(now, current.version + 1), image_id))
                db.execute("INSERT OR REPLACE INTO originals VALUES (?, ?)",
                           (image_id, picture.data))
            self._touch(db, product_id, now)
            return _image(db.execute(f"SELECT {_IMAGE_COLUMNS} FROM images WHERE id = ?",
                                     (image_id,)).fetchone())

    def add_drawn_images(self, product_id: int, name: str, count: int) -> None:
        """Append `count` demo images (numbered after the existing ones) without pictures yet."""
        now = now_ts()
        with self._transaction() as db:
            existing, highest = db.execute(
                "SELECT COUNT(*), MAX(sort_order) FROM images WHERE product_id = ?",
                (product_id,)).fetchone()
            first_order = 0 if highest is None else highest + 1
            rows = []
            for k in range(count):
                position = existing + k + 1
                extension = "png" if position % 4 == 0 else "jpg"
                image_file = stored_image_file(f"{name}-{position}", extension, self._names)
                rows.append((product_id, image_file, int(existing == 0 and k == 0),
                             first_order + k, "", now, now, position))
            db.executemany(
                "INSERT INTO images (product_id, image_file, is_thumbnail, sort_order,"
                " description, date_created, version, picture_position)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
            self._touch(db, product_id, now)

    def delete_image(self, product_id: int, image_id: int) -> bool:
        with self._transaction() as db:
            deleted = self._delete(db, product_id, [image_id])
            return deleted > 0

    def delete_images(self, product_id: int, offset: int = 0, limit: int = -1) -> int:
        with self._transaction() as db:
            ids = [row[0] for row in db.execute(
                "SELECT id FROM images WHERE product_id = ? ORDER BY id LIMIT ? OFFSET ?",
                (product_id, limit, offset))]
            return self._delete(db, product_id, ids)

    # -- rules -----------------------------------------------------------------------------

    @staticmethod
    def _place(db: sqlite3.Connection, image: ImageRecord, sort_order: int,
               shift_siblings: bool) -> None:
        taken = db.execute("SELECT 1 FROM images WHERE product_id = ? AND id != ? AND"
                           " sort_order = ?", (image.product_id, image.id, sort_order)).fetchone()
        if taken and shift_siblings:
            # The documented reorder: everything at or after the new value moves down one.
            db.execute("UPDATE images SET sort_order = sort_order + 1 WHERE product_id = ? AND"
                       " id != ? AND sort_order >= ?", (image.product_id, image.id, sort_order))
        db.execute("UPDATE images SET sort_order = ? WHERE id = ?", (sort_order, image.id))

    def _delete(self, db: sqlite3.Connection, product_id: int, image_ids: Sequence[int]) -> int:
        if not image_ids:
            return 0
        marks = ", ".join("?" * len(image_ids))
        lost_thumbnail = db.execute(
            f"SELECT 1 FROM images WHERE product_id = ? AND is_thumbnail = 1 AND id IN ({marks})",
            (product_id, *image_ids)).fetchone() is not None
        deleted = db.execute(f"DELETE FROM images WHERE product_id = ? AND id IN ({marks})",
                             (product_id, *image_ids)).rowcount
        db.execute(f"DELETE FROM originals WHERE image_id IN ({marks})", tuple(image_ids))
        if lost_thumbnail:
            db.execute("UPDATE images SET is_thumbnail = 1 WHERE id = (SELECT id FROM images"
                       " WHERE product_id = ? ORDER BY sort_order, id LIMIT 1)", (product_id,))
        if deleted:
            self._touch(db, product_id, now_ts())
        return deleted

    @staticmethod
    def _touch(db: sqlite3.Connection, product_id: int, now: int) -> None:
        db.execute("UPDATE products SET date_modified = ? WHERE id = ?", (now, product_id))


class _Transaction:
    """Lock + BEGIN IMMEDIATE/COMMIT (ROLLBACK on error) around a block of statements."""

    def __init__(self, lock: threading.RLock, db: sqlite3.Connection) -> None:
        self._lock = lock
        self._db = db

    def __enter__(self) -> sqlite3.Connection:
        self._lock.acquire()
        self._db.execute("BEGIN IMMEDIATE")
        return self._db

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            self._db.execute("COMMIT" if exc_type is None else "ROLLBACK")
        finally:
            self._lock.release()
