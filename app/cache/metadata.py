"""What the app has seen of each store, on disk: stores, products and their images.

So a product seen once paints from disk on the next start, before (or without) any answer
from the network. One SQLite database (WAL) in its own folder in the DATA folder
(`app.paths.metadata_dir()`), beside the journal's folder and independent of it: nothing here
ever opens, moves or deletes the journal.

Everything in it can be fetched again, except the merchant's choice of products to keep
offline (`pinned`). So `synchronous=NORMAL`: a power cut may lose the last refreshes, never
the file's consistency; and a file that cannot be read is set aside, not repaired.

Threads: a `MetadataStore` holds one SQLite connection, bound to the thread that created it
(`check_same_thread` stays on): create it on the worker thread that uses it and call it only
there; the GUI thread never touches it. Several stores may be open on the same file, one per
thread (say, a reader for the first screen and a writer for the background sync): WAL lets a
read go on while another connection writes, and a write waits up to `busy_timeout_s` for
another's to finish. Call `open` (which may set the file aside) once at start-up, before any
other connection; the others use the strict constructor and, on MetadataError, do without.

Errors: every failure a caller must handle is a `MetadataError` whose `str()` is merchant
text (damaged, too new, unavailable: locked, disk full). sqlite3 errors only escape for
programming errors (wrong thread, closed store, a record that breaks a constraint).

Writes: `save_products` (a page of the product list) and `replace_images` (one product's
images, after a refresh) are each one transaction. `replace_images` answers what changed, so
a model updates only those rows.

Reads never raise for a bad row: a row that cannot be decoded is skipped and counted
(`Loaded.damaged`). A database that is not one (garbage, truncated) or from a newer app is
refused by the strict constructor (`MetadataDamaged`, `MetadataTooNew`); `MetadataStore.open`
then renames the file with a timestamp, starts a fresh one and says why in `store.problem`.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import struct
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Generic, Self, TypeVar

from app.api.models import Product, ProductImage
from app.cache.metadata_rows import (
    IMAGE_COLUMNS,
    PRODUCT_COLUMNS,
    DamagedRow,
    image_from_row,
    image_row,
    product_from_row,
    product_row,
)
from app.cache.metadata_schema import MIGRATIONS, SCHEMA_VERSION, TABLES
from app.cache.schema_steps import migrate

log = logging.getLogger(__name__)

DATABASE_NAME = "metadata.sqlite3"
#: How long a write waits for another connection's write to finish.
DEFAULT_BUSY_TIMEOUT_S = 5.0
#: Written beside the database when a read meets a damaged page: the next `open` sets the
#: file aside (a connection in use cannot be swapped under its other users).
DAMAGE_MARKER_SUFFIX = ".damaged"

T = TypeVar("T")


# ---- errors --------------------------------------------------------------------------------

class MetadataError(Exception):
    """Something about the offline copy the merchant may hear about; `str()` is merchant text."""


class MetadataDamaged(MetadataError):
    """The file is not a readable metadata database (garbage, truncated, another database)."""

    def __init__(self, detail: str, moved_to: Path | None = None) -> None:
        self.detail = detail
        self.moved_to = moved_to
        kept = f" The damaged copy was kept as {moved_to}." if moved_to else ""
        super().__init__(
            "The products and pictures saved on this computer could not be read, so they were "
            "set aside and will be fetched from the store again. Changes waiting to be sent "
            "are not affected. Products you made available offline need to be made available "
            f"again.{kept}")


class MetadataTooNew(MetadataError):
    """The file was written by a newer version of the app (a schema this one cannot read)."""

    def __init__(self, version: int, moved_to: Path | None = None) -> None:
        self.version = version
        self.moved_to = moved_to
        kept = f" It was kept unchanged as {moved_to}." if moved_to else ""
        super().__init__(
            "The products saved on this computer were saved by a newer version of Product "
            "Image Manager, which this version cannot read, so they will be fetched from the "
            "store again. Open the newer version to use the saved copy. Changes waiting to be "
            f"sent are not affected.{kept}")


class MetadataUnavailable(MetadataError):
    """The file could not be opened or written for a reason that is not damage: another
    program holds it past the busy timeout, the disk is full or failing. It is left as it
    is (never set aside)."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(
            "The products and pictures saved on this computer could not be updated just now "
            "(the disk may be full, or another program is using the file). The app works on "
            "from the store; what you see now may not be there when you are offline.")


# ---- what the store hands back -------------------------------------------------------------

@dataclass(frozen=True)
class Loaded(Generic[T]):
    """The records a read found, and how many rows it skipped because they were damaged."""

    items: list[T] = field(default_factory=list)
    damaged: int = 0

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class StoreRecord:
    store: str
    label: str
    last_seen: float


@dataclass(frozen=True)
class StoredProduct:
    product: Product
    pinned: bool               # kept for offline use (its renditions are pinned in the cache)
    synced_at: float | None    # unix time its images were last read from the store
    seen_at: float             # unix time its record was last written


@dataclass(frozen=True)
class ImageSetChanges:
    """What `replace_images` changed, by image id (each tuple ascending)."""

    added: tuple[int, ...] = ()
    removed: tuple[int, ...] = ()
    changed: tuple[int, ...] = ()   # same id, any field different (order and alt text too)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


# ---- the store -----------------------------------------------------------------------------

_PRODUCT_SELECT = ", ".join(PRODUCT_COLUMNS) + ", pinned, synced_at, seen_at"
_IMAGE_SELECT = ", ".join(IMAGE_COLUMNS)


class MetadataStore:
    """See the module docstring. Methods that write return once committed."""

    def __init__(self, folder: Path, *, clock: Callable[[], float] = time.time,
                 busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S) -> None:
        """Opens (creating or migrating) the database in `folder`. Strict: raises
        MetadataDamaged / MetadataTooNew and leaves the file as it is (`open` is the
        forgiving one)."""
        self.folder = folder
        self.path = folder / DATABASE_NAME
        self._clock = clock
        #: Set by `open` when it had to start afresh, or by a read that met a damaged page:
        #: what to tell the merchant (`str(problem)`).
        self.problem: MetadataError | None = None
        #: Rows skipped as damaged by the reads of this connection, all told.
        self.damaged_rows = 0
        try:
            folder.mkdir(parents=True, exist_ok=True)
            damage_seen = self._marker.exists()
        except OSError as exc:
            raise MetadataUnavailable(f"folder: {exc.strerror}") from None
        if damage_seen:
            raise MetadataDamaged("a read met a damaged page last time")
        _check_not_truncated(self.path)
        try:
            self._db = sqlite3.connect(self.path, timeout=busy_timeout_s, isolation_level=None)
        except sqlite3.DatabaseError as exc:  # cannot open: permissions, a folder by that name
            raise MetadataUnavailable(str(exc)) from None
        try:
            self._prepare(busy_timeout_s)
        except BaseException:
            self._db.close()
            raise

    @classmethod
    def open(cls, folder: Path, **kwargs: Any) -> MetadataStore:
        """The store in `folder`; when the file is damaged or too new, it is renamed
        (`metadata.damaged-<time>.sqlite3` / `metadata.newer-<time>.sqlite3`, its WAL
        with it), a fresh one starts, and `store.problem` says what happened."""
        try:
            return cls(folder, **kwargs)
        except (MetadataDamaged, MetadataTooNew) as exc:
            label = "damaged" if isinstance(exc, MetadataDamaged) else "newer"
            try:
                aside = _set_aside(folder / DATABASE_NAME, label)
            except OSError as failure:  # held open elsewhere (Windows), read-only folder
                raise MetadataUnavailable(f"{exc}; not set aside: {failure}") from None
            problem: MetadataError = (MetadataDamaged(exc.detail, aside)
                                      if isinstance(exc, MetadataDamaged)
                                      else MetadataTooNew(exc.version, aside))
            log.warning("offline metadata set aside as %s: %s", aside,
                        exc.detail if isinstance(exc, MetadataDamaged) else exc.version)
            store = cls(folder, **kwargs)
            store.problem = problem
            return store

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def _marker(self) -> Path:
        return self.path.with_name(self.path.name + DAMAGE_MARKER_SUFFIX)

    # -- opening -------------------------------------------------------------------------

    def _prepare(self, busy_timeout_s: float) -> None:
        db = self._db
        try:
            db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise MetadataTooNew(version)
            mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":  # read-only media, some network drives
                raise MetadataUnavailable(f"journal_mode stayed {mode!r}")
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("BEGIN IMMEDIATE")  # another opener may be migrating: wait for it
            try:
                version = db.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    raise MetadataTooNew(version)
                if version == 0 and db.execute("SELECT count(*) FROM sqlite_master "
                                               "WHERE type = 'table'").fetchone()[0]:
                    raise MetadataDamaged("another program's database")  # never add to it
                migrate(db, MIGRATIONS)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            tables = {row[0] for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not TABLES <= tables:
                raise MetadataDamaged(f"tables missing (found {sorted(tables)})")
        except sqlite3.DatabaseError as exc:  # "file is not a database", malformed, ...
            if not _is_damage(exc):
                raise MetadataUnavailable(str(exc)) from None  # locked, disk error: not damage
            raise MetadataDamaged(str(exc)) from None
        # Keyword search matches like a person reads: "MÜSLI" finds "Müsli".
        db.create_function("casefold", 1, _casefold, deterministic=True)

    def _damaged(self, exc: sqlite3.DatabaseError) -> None:
        """A page of the file is damaged: say so now, and set the file aside at next open.
        Any other failure (locked, disk error) is only logged: the file is not to blame."""
        self.damaged_rows += 1
        if not _is_damage(exc):
            log.warning("offline metadata not read: %s", exc)
            return
        log.warning("offline metadata damaged: %s", exc)
        if not isinstance(self.problem, MetadataDamaged):
            self.problem = MetadataDamaged(str(exc))
        try:
            self._marker.touch()
        except OSError:
            pass

    def _read(self, sql: str, args: Sequence[Any]) -> tuple[list[tuple[Any, ...]], bool]:
        """(rows, complete): a damaged page ends the read with what came before it."""
        rows: list[tuple[Any, ...]] = []
        try:
            for row in self._db.execute(sql, args):
                rows.append(row)  # noqa: PERF402 - keeps the rows read before a damaged page
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.ProgrammingError):
                raise  # wrong thread, closed store: a programming error, not damage
            self._damaged(exc)
            return rows, False
        return rows, True

    def _decoded(self, rows: Iterable[tuple[Any, ...]], decode: Callable[[tuple[Any, ...]], T],
                 complete: bool) -> Loaded[T]:
        """The rows `decode` can read; each one it cannot is skipped and counted (a read cut
        short by a damaged page counts one more: `_damaged` counted it already)."""
        items: list[T] = []
        skipped = 0
        for row in rows:
            try:
                items.append(decode(row))
            except (DamagedRow, ValueError, TypeError, OverflowError) as exc:
                log.warning("offline metadata: a damaged row was skipped (%s)", exc)
                skipped += 1
        self.damaged_rows += skipped
        return Loaded(items, skipped + (0 if complete else 1))

    # -- writing ---------------------------------------------------------------------------

    def _transaction(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """`work` as one transaction. MetadataError when the file cannot be written (the
        caller logs it and carries on: nothing here is the only copy of the store's data)."""
        db = self._db
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                result = work(db)
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, (sqlite3.ProgrammingError, sqlite3.IntegrityError)):
                raise  # wrong thread, closed store, a bad record: a programming error
            if _is_damage(exc):
                self._damaged(exc)
                raise MetadataDamaged(str(exc)) from None
            raise MetadataUnavailable(str(exc)) from None
        return result

    def _ensure_store(self, db: sqlite3.Connection, store: str, now: float) -> None:
        db.execute("INSERT INTO stores (store, last_seen) VALUES (?, ?) ON CONFLICT (store) "
                   "DO UPDATE SET last_seen = excluded.last_seen", (store, now))

    def remember_store(self, store: str, label: str) -> None:
        """Records that the app talked to `store` (its key) now, under the name `label`."""
        now = self._clock()
        self._transaction(lambda db: db.execute(
            "INSERT INTO stores (store, label, last_seen) VALUES (?, ?, ?) ON CONFLICT (store) "
            "DO UPDATE SET label = excluded.label, last_seen = excluded.last_seen",
            (store, label, now)))

    def save_products(self, store: str, products: Iterable[Product]) -> None:
        """Writes product records (a page of the product list), one transaction. An image
        count the record does not carry (None) keeps the one known; pinned and synced_at
        are kept."""
        now = self._clock()
        rows = [product_row(product) for product in products]

        def work(db: sqlite3.Connection) -> None:
            self._ensure_store(db, store, now)
            db.executemany(
                f"INSERT INTO products (store, {', '.join(PRODUCT_COLUMNS)}, seen_at) "
                f"VALUES (?, {', '.join('?' * len(PRODUCT_COLUMNS))}, ?) "
                "ON CONFLICT (store, id) DO UPDATE SET name = excluded.name, "
                "sku = excluded.sku, image_count = coalesce(excluded.image_count, image_count), "
                "date_modified = excluded.date_modified, primary_image = excluded.primary_image, "
                "extra = excluded.extra, seen_at = excluded.seen_at",
                [(store, *row, now) for row in rows])

        self._transaction(work)

    def replace_images(self, store: str, product_id: int,
                       images: Sequence[ProductImage]) -> ImageSetChanges:
        """Makes `images` the product's whole image set, as one transaction (a reader sees
        the old set or the new one, never a mix), stamps `synced_at` and the image count,
        and answers which ids were added, removed or changed. A product not seen before gets
        a record known only by its id until `save_products` writes the real one."""
        if len({image.id for image in images}) != len(images):
            raise ValueError("an image id appears twice")
        if any(image.product_id != product_id for image in images):
            raise ValueError(f"an image of another product given as one of {product_id}'s")
        now = self._clock()
        new_rows = {image.id: image_row(image) for image in images}

        def work(db: sqlite3.Connection) -> ImageSetChanges:
            self._ensure_store(db, store, now)
            db.execute("INSERT INTO products (store, id, seen_at) VALUES (?, ?, ?) "
                       "ON CONFLICT (store, id) DO NOTHING", (store, product_id, now))
            old_rows = {row[0]: row for row in db.execute(
                f"SELECT {_IMAGE_SELECT} FROM images WHERE store = ? AND product_id = ?",
                (store, product_id))}
            added = sorted(new_rows.keys() - old_rows.keys())
            removed = sorted(old_rows.keys() - new_rows.keys())
            changed = sorted(image_id for image_id in new_rows.keys() & old_rows.keys()
                             if _normalized(product_id, old_rows[image_id])
                             != new_rows[image_id])
            if removed:
                db.executemany("DELETE FROM images WHERE store = ? AND product_id = ? AND id = ?",
                               [(store, product_id, image_id) for image_id in removed])
            writes = [(store, product_id, *new_rows[image_id]) for image_id in (*added, *changed)]
            db.executemany(
                f"INSERT OR REPLACE INTO images (store, product_id, {_IMAGE_SELECT}) "
                f"VALUES (?, ?, {', '.join('?' * len(IMAGE_COLUMNS))})", writes)
            db.execute("UPDATE products SET synced_at = ?, image_count = ? "
                       "WHERE store = ? AND id = ?", (now, len(images), store, product_id))
            return ImageSetChanges(tuple(added), tuple(removed), tuple(changed))

        return self._transaction(work)

    def set_pinned(self, store: str, product_ids: Collection[int], pinned: bool) -> None:
        """Marks products as kept (or no longer kept) for offline use. Products not seen
        yet are recorded by id, so a pin made before their first refresh is not lost."""
        now = self._clock()

        def work(db: sqlite3.Connection) -> None:
            self._ensure_store(db, store, now)
            db.executemany("INSERT INTO products (store, id, seen_at) VALUES (?, ?, ?) "
                           "ON CONFLICT (store, id) DO NOTHING",
                           [(store, product_id, now) for product_id in product_ids])
            db.executemany("UPDATE products SET pinned = ? WHERE store = ? AND id = ?",
                           [(int(pinned), store, product_id) for product_id in product_ids])

        self._transaction(work)

    def forget_product(self, store: str, product_id: int) -> None:
        """Drops a product and its images (it was deleted on the store)."""
        self._transaction(lambda db: db.execute(
            "DELETE FROM products WHERE store = ? AND id = ?", (store, product_id)))

    # -- reading ---------------------------------------------------------------------------

    def stores(self) -> list[StoreRecord]:
        """The stores seen, the most recent first (rows that cannot be read are left out)."""
        rows, complete = self._read("SELECT store, label, last_seen FROM stores "
                                    "ORDER BY last_seen DESC, store", ())
        return self._decoded(rows, _store_record, complete).items

    def products(self, store: str, keyword: str | None = None, *, limit: int | None = None,
                 offset: int = 0) -> Loaded[StoredProduct]:
        """The products of `store`, id ascending like the API; `keyword` matches a part of
        the name or SKU, case-insensitively (as `keyword_filter` does)."""
        where, args = _product_filter(store, keyword)
        rows, complete = self._read(
            f"SELECT {_PRODUCT_SELECT} FROM products WHERE {where} ORDER BY id "
            "LIMIT ? OFFSET ?", (*args, -1 if limit is None else limit, offset))
        return self._decoded(rows, _stored_product, complete)

    def count_products(self, store: str, keyword: str | None = None) -> int:
        where, args = _product_filter(store, keyword)
        rows, _ = self._read(f"SELECT count(*) FROM products WHERE {where}", args)
        return int(rows[0][0]) if rows else 0

    def product(self, store: str, product_id: int) -> StoredProduct | None:
        """One product's record; None when not seen (or its row is damaged)."""
        rows, complete = self._read(
            f"SELECT {_PRODUCT_SELECT} FROM products WHERE store = ? AND id = ?",
            (store, product_id))
        found = self._decoded(rows, _stored_product, complete)
        return found.items[0] if found.items else None

    def pinned_products(self, store: str) -> list[int]:
        rows, _ = self._read("SELECT id FROM products WHERE store = ? AND pinned = 1 "
                             "ORDER BY id", (store,))
        return [row[0] for row in rows if isinstance(row[0], int)]

    def kept_offline(self, store: str) -> dict[int, float | None]:
        """The products kept for offline use, and when each was last read from the store."""
        rows, _ = self._read("SELECT id, synced_at FROM products WHERE store = ? AND pinned = 1 "
                             "ORDER BY id", (store,))
        return {row[0]: float(row[1]) if isinstance(row[1], (int, float)) else None
                for row in rows if isinstance(row[0], int)}

    def images(self, store: str, product_id: int) -> Loaded[ProductImage]:
        """The product's images in storefront order (sort_order, then id)."""
        rows, complete = self._read(
            f"SELECT {_IMAGE_SELECT} FROM images WHERE store = ? AND product_id = ? "
            "ORDER BY sort_order, id", (store, product_id))
        return self._decoded(rows, lambda row: image_from_row(product_id, row), complete)

    def synced_at(self, store: str, product_id: int) -> float | None:
        """When the product's images were last read from the store (None: never)."""
        rows, _ = self._read("SELECT synced_at FROM products WHERE store = ? AND id = ?",
                             (store, product_id))
        value = rows[0][0] if rows else None
        return float(value) if isinstance(value, (int, float)) else None


# ---- helpers -------------------------------------------------------------------------------

_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26


def _is_damage(exc: sqlite3.DatabaseError) -> bool:
    """The file itself is bad (SQLITE_CORRUPT or SQLITE_NOTADB, extended codes included),
    as opposed to locked, full, or a failing disk."""
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
    return "malformed" in str(exc) or "not a database" in str(exc)


def _casefold(value: Any) -> str:
    return value.casefold() if isinstance(value, str) else ""


def _product_filter(store: str, keyword: str | None) -> tuple[str, list[Any]]:
    if not keyword:
        return "store = ?", [store]
    needle = keyword.casefold()
    return ("store = ? AND (instr(casefold(name), ?) > 0 OR instr(casefold(sku), ?) > 0)",
            [store, needle, needle])


def _store_record(row: tuple[Any, ...]) -> StoreRecord:
    store, label, last_seen = row
    if not isinstance(store, str) or not isinstance(label, str) \
            or not isinstance(last_seen, (int, float)):
        raise DamagedRow(f"store {str(store)[:40]!r}")
    return StoreRecord(store, label, float(last_seen))


def _normalized(product_id: int, row: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """A stored image row as this version would write it (so an older spelling of the same
    record, e.g. JSON with other spacing, is no change); None when it cannot be read."""
    try:
        return image_row(image_from_row(product_id, tuple(row)))
    except (DamagedRow, ValueError, TypeError, OverflowError):
        return None


def _stored_product(row: tuple[Any, ...]) -> StoredProduct:
    *record, pinned, synced_at, seen_at = row
    if pinned not in (0, 1) or isinstance(pinned, float):
        raise DamagedRow(f"pinned {pinned!r}")
    if synced_at is not None and not isinstance(synced_at, (int, float)):
        raise DamagedRow(f"synced_at {synced_at!r}")
    if not isinstance(seen_at, (int, float)):
        raise DamagedRow(f"seen_at {seen_at!r}")
    return StoredProduct(product_from_row(tuple(record)), bool(pinned),
                         None if synced_at is None else float(synced_at), float(seen_at))


_SQLITE_MAGIC = b"SQLite format 3\x00"


def _check_not_truncated(path: Path) -> None:
    """MetadataDamaged when the file is shorter than its own header says (a copy or a disk
    that stopped half-way). SQLite would only notice at the first read of a missing page.
    Skipped while a WAL is present: a checkpoint cut short may leave the file short, and the
    WAL makes it whole again."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(100)
            size = os.fstat(handle.fileno()).st_size
    except FileNotFoundError:
        return
    except OSError as exc:  # no permission, a folder by that name: the file is not to blame
        raise MetadataUnavailable(f"unreadable: {exc.strerror}") from None
    if size == 0:
        return  # an empty file is a new database to SQLite
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        raise MetadataDamaged("not an SQLite database")
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return
    (page_size,) = struct.unpack(">H", header[16:18])
    page_size = 65536 if page_size == 1 else page_size
    change_counter, pages = struct.unpack(">II", header[24:32])
    (valid_for,) = struct.unpack(">I", header[92:96])
    if pages and change_counter == valid_for and size < pages * page_size:
        raise MetadataDamaged(f"truncated: {size} bytes of {pages * page_size}")


def _set_aside(path: Path, label: str) -> Path:
    """Renames the database (and its WAL and shared-memory files) to
    `<stem>.<label>-<time><suffix>`; returns the new name of the database."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.stem}.{label}-{stamp}{path.suffix}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.stem}.{label}-{stamp}-{n}{path.suffix}")
    for extra in ("-wal", "-shm"):
        companion = path.with_name(path.name + extra)
        if companion.exists():
            os.replace(companion, aside.with_name(aside.name + extra))
    if path.exists():
        os.replace(path, aside)
    path.with_name(path.name + DAMAGE_MARKER_SUFFIX).unlink(missing_ok=True)
    return aside
