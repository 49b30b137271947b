"""The journal: every change the merchant makes, on disk before it goes on the wire.

One SQLite database (WAL, `synchronous=FULL`) in the journal's own folder in the DATA folder
(`app.paths.journal_dir()`, never the cache folder), with the bytes of dropped files beside it
in `files/` (content-addressed by SHA-256). An operation's `append` returns only once the
change is on disk, so a power cut or a SIGKILL after it cannot lose it; one before it leaves
nothing half-written (each write is one transaction).

Threads: a `Journal` holds one SQLite connection, bound to the thread that created it
(`check_same_thread` stays on). Create it on the write queue's worker thread and call it only
there; the GUI thread never touches it. One process at a time: the database is opened in
exclusive locking mode, so a second app instance on the same data folder gets `JournalInUse`
instead of sending the same changes twice.

Sequence numbers: `seq` is the order the changes were made (SQLite AUTOINCREMENT, never
reused, even after `remove` or `prune_done`). An operation keeps its own `op_id` losslessly;
`highest_op_id()` lets the queue hand out op ids above every one in the journal after a restart.

Resume rule after a restart (`pending()` returns entries in seq order, per product):
- WAITING: send as usual.
- FAILED: show the reason with Retry (`mark_waiting`) and Revert (`remove`).
- SENDING, an update/delete/reorder (PUT or DELETE): may simply be sent again; both are
  idempotent and a DELETE that meets 404 is done.
- SENDING, a create (POST; `entry.needs_check`): the answer may have been lost, so it is never
  resent blindly: call `StoreClient.find_uploaded(product_id, file_name=..., before_ids=
  entry.before_ids)` first; arrived -> `mark_done` with that record, not there -> send again,
  undecided -> ask the merchant. `mark_outcome_unknown` records the same fact during a run.

Schema: `PRAGMA user_version` counts the migrations applied; `MIGRATIONS[n]` turns version n
into n + 1. A later version adds a step (never edits an old one) and the test that builds every
earlier version by hand. A database that is not one (`JournalDamaged`) or is from a newer app
(`JournalTooNew`) is never discarded: `Journal.open` moves the whole folder aside and starts a
new one, and tells the caller why.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Self

from app.api.errors import InvalidImageFile, MalformedResponse
from app.api.image_files import MAX_IMAGE_BYTES, read_image_upload, sniff_image_type
from app.api.models import ProductImage
from app.cache.schema_steps import migrate
from app.cache.operations import (
    CreateFromFile,
    CreateFromUrl,
    Delete,
    DeleteAll,
    FieldChanges,
    Operation,
    Phase,
    Reorder,
    UpdateFields,
)

DATABASE_NAME = "journal.sqlite3"
FILES_DIR_NAME = "files"
#: How long a waiting write may wait for the database lock held by another connection.
DEFAULT_BUSY_TIMEOUT_S = 5.0


# ---- errors --------------------------------------------------------------------------------

class JournalError(Exception):
    """Something about the journal the merchant must hear about; `str()` is merchant text."""


class JournalDamaged(JournalError):
    """The journal file is not a readable journal (garbage, truncated, another database)."""

    def __init__(self, detail: str, moved_to: Path | None = None) -> None:
        self.detail = detail
        self.moved_to = moved_to
        kept = f" The damaged copy was kept in {moved_to}." if moved_to else ""
        super().__init__(
            "The list of changes waiting to be sent could not be read, so a new, empty one was "
            f"started. Changes made before this may not have reached the store: check the "
            f"products you edited last.{kept}")


class JournalTooNew(JournalError):
    """The journal was written by a newer version of the app (a schema this one cannot read)."""

    def __init__(self, version: int, moved_to: Path | None = None) -> None:
        self.version = version
        self.moved_to = moved_to
        kept = f" It was kept unchanged in {moved_to}." if moved_to else ""
        super().__init__(
            "The changes waiting to be sent were saved by a newer version of Product Image "
            "Manager, which this version cannot read, so a new, empty list was started. Open "
            f"the newer version to send them.{kept}")


class JournalInUse(JournalError):
    def __init__(self) -> None:
        super().__init__(
            "Product Image Manager is already running with this data folder. Switch to that "
            "window, or close it and start again.")


class NotQueued(JournalError):
    """A change asked of an operation in a phase that does not allow it (e.g. rewriting one
    that is being sent), or of a seq that is not in the journal. A programming error."""


# ---- schema --------------------------------------------------------------------------------

_V1 = """
CREATE TABLE ops (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,   -- the order the changes were made, never reused
    store TEXT NOT NULL,
    product_id INTEGER NOT NULL,
    op_id INTEGER NOT NULL,
    kind TEXT NOT NULL,                      -- 'create_file', 'update_fields', ...
    payload TEXT NOT NULL,                   -- JSON {"v": payload version, ...}
    phase TEXT NOT NULL DEFAULT 'waiting'
        CHECK (phase IN ('waiting', 'sending', 'failed', 'done')),
    reason TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    outcome_unknown INTEGER NOT NULL DEFAULT 0,
    before_ids TEXT,                         -- JSON list: image ids known when a POST was sent
    answer TEXT,                             -- JSON: the store's answer, once done
    file_sha256 TEXT,                        -- a stored file the op uploads
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX ops_open ON ops (store, product_id, seq) WHERE phase != 'done';
CREATE INDEX ops_done ON ops (updated_at) WHERE phase = 'done';
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

#: MIGRATIONS[n] upgrades a database at user_version n to n + 1. Append only.
MIGRATIONS: tuple[str, ...] = (_V1,)
SCHEMA_VERSION = len(MIGRATIONS)


# ---- operations as JSON --------------------------------------------------------------------

PAYLOAD_VERSION = 1

_KIND_OF: dict[type, str] = {
    CreateFromFile: "create_file", CreateFromUrl: "create_url", UpdateFields: "update_fields",
    Delete: "delete", DeleteAll: "delete_all", Reorder: "reorder",
}


class UnreadablePayload(ValueError):
    pass


def _image_json(image: ProductImage | None) -> dict[str, Any] | None:
    return None if image is None else image.to_json()


def _image(data: Any) -> ProductImage | None:
    return None if data is None else ProductImage.from_json(data)


def encode_op(op: Operation, files_dir: Path) -> tuple[str, str]:
    """(kind, payload JSON). A file inside `files_dir` is stored relative to it, so a data
    folder that moves (portable mode on a USB stick) still finds its files."""
    kind = _KIND_OF[type(op)]
    body: dict[str, Any] = {"v": PAYLOAD_VERSION, "op_id": op.op_id}
    if isinstance(op, CreateFromFile):
        try:
            path = op.path.relative_to(files_dir).as_posix()
            relative = True
        except ValueError:
            path, relative = str(op.path), False
        body.update(row_key=op.row_key, path=path, path_in_journal=relative, sha256=op.sha256,
                    size=op.size, name=op.name, position=op.position,
                    description=op.description)
    elif isinstance(op, CreateFromUrl):
        body.update(row_key=op.row_key, url=op.url, position=op.position,
                    description=op.description)
    elif isinstance(op, UpdateFields):
        body.update(row_key=op.row_key, based_on=_image_json(op.based_on), changes={
            "description": op.changes.description, "is_thumbnail": op.changes.is_thumbnail,
            "sort_order": op.changes.sort_order})
    elif isinstance(op, Delete):
        body.update(row_key=op.row_key, based_on=_image_json(op.based_on))
    elif isinstance(op, DeleteAll):
        body.update(based_on=[image.to_json() for image in op.based_on])
    elif isinstance(op, Reorder):
        body.update(order=list(op.order), based_on=[image.to_json() for image in op.based_on])
    return kind, json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def decode_op(kind: str, payload: str, files_dir: Path) -> Operation:
    """The operation `encode_op` wrote; UnreadablePayload if it cannot be (damaged, or from a
    newer app: a later payload version)."""
    try:
        body = json.loads(payload)
        version = body["v"]
        if not isinstance(version, int) or version > PAYLOAD_VERSION:
            raise UnreadablePayload(f"payload version {version!r} is newer than this app")
        op_id = int(body["op_id"])
        if kind == "create_file":
            path = (files_dir / body["path"] if body["path_in_journal"]
                    else Path(body["path"]))
            return CreateFromFile(op_id=op_id, row_key=body["row_key"], path=path,
                                  sha256=body["sha256"], size=int(body["size"]),
                                  name=body["name"], position=int(body["position"]),
                                  description=body["description"])
        if kind == "create_url":
            return CreateFromUrl(op_id=op_id, row_key=body["row_key"], url=body["url"],
                                 position=int(body["position"]),
                                 description=body["description"])
        if kind == "update_fields":
            changes = body["changes"]
            return UpdateFields(op_id=op_id, row_key=body["row_key"],
                                based_on=_image(body["based_on"]),
                                changes=FieldChanges(description=changes["description"],
                                                     is_thumbnail=changes["is_thumbnail"],
                                                     sort_order=changes["sort_order"]))
        if kind == "delete":
            return Delete(op_id=op_id, row_key=body["row_key"],
                          based_on=_image(body["based_on"]))
        if kind == "delete_all":
            return DeleteAll(op_id=op_id,
                             based_on=tuple(ProductImage.from_json(i) for i in body["based_on"]))
        if kind == "reorder":
            return Reorder(op_id=op_id, order=tuple(body["order"]),
                           based_on=tuple(ProductImage.from_json(i) for i in body["based_on"]))
    except UnreadablePayload:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, MalformedResponse) as exc:
        # a shape error of a damaged row: the row is unreadable
        raise UnreadablePayload(f"{type(exc).__name__}: {exc}") from None
    raise UnreadablePayload(f"unknown kind {kind!r}")


# ---- what the journal hands back -----------------------------------------------------------

@dataclass(frozen=True)
class JournalEntry:
    seq: int
    store: str
    product_id: int
    op: Operation
    phase: Phase
    reason: str               # why it failed, in the merchant's words ("" unless FAILED)
    attempts: int             # how many times it was marked sending
    outcome_unknown: bool     # sent, and the answer never came
    #: The product's image ids when a create was last sent (for `find_uploaded`), else None.
    before_ids: tuple[int, ...] | None
    created_at: float
    updated_at: float

    @property
    def is_create(self) -> bool:
        return isinstance(self.op, (CreateFromFile, CreateFromUrl))

    @property
    def needs_check(self) -> bool:
        """A POST that may have reached the store: look (`find_uploaded`) before resending."""
        return self.phase is Phase.SENDING and self.is_create


@dataclass(frozen=True)
class UnreadableEntry:
    """A row kept in the journal that this app cannot read (damaged, or from a newer app).
    It is never sent and never deleted by the app; the merchant is told."""

    seq: int
    store: str
    product_id: int
    kind: str
    problem: str


@dataclass(frozen=True)
class StoredFile:
    path: Path       # the copy in the journal's folder, what the upload reads
    sha256: str
    size: int
    name: str        # the dropped file's own name: send THIS as the file name, not path.name
    image_type: str  # 'jpeg', 'png', 'gif' or 'webp', sniffed from the bytes


# ---- the journal ---------------------------------------------------------------------------

_COLUMNS = ("seq, store, product_id, kind, payload, phase, reason, attempts, outcome_unknown, "
            "before_ids, created_at, updated_at")


class Journal:
    """See the module docstring. Every method that writes returns once it is on disk."""

    def __init__(self, folder: Path, *, clock: Callable[[], float] = time.time,
                 busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S) -> None:
        """Opens (creating or migrating) the journal in `folder`. Strict: raises
        JournalDamaged / JournalTooNew / JournalInUse and leaves the files as they are
        (`Journal.open` is the forgiving one)."""
        self.folder = folder
        self.files_dir = folder / FILES_DIR_NAME
        self.path = folder / DATABASE_NAME
        self._clock = clock
        #: Set by `Journal.open` when it had to start afresh: what to tell the merchant.
        self.problem: JournalError | None = None
        #: Test seam: called inside an append's transaction, after the insert, before COMMIT.
        self._before_commit: Callable[[int], None] | None = None
        folder.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=busy_timeout_s, isolation_level=None)
        try:
            self._prepare(busy_timeout_s)
        except BaseException:
            self._db.close()
            raise

    @classmethod
    def open(cls, folder: Path, **kwargs: Any) -> Journal:
        """The journal in `folder`; when it is damaged or too new, the folder is renamed
        (`<folder>.damaged-<time>` / `<folder>.newer-<time>`), a fresh journal starts, and
        `journal.problem` says what happened (show `str(problem)` to the merchant)."""
        try:
            return cls(folder, **kwargs)
        except (JournalDamaged, JournalTooNew) as exc:
            label = "damaged" if isinstance(exc, JournalDamaged) else "newer"
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            aside = folder.with_name(f"{folder.name}.{label}-{stamp}")
            n = 1
            while aside.exists():
                n += 1
                aside = folder.with_name(f"{folder.name}.{label}-{stamp}-{n}")
            os.replace(folder, aside)  # the files go with it: the old list still names them
            problem: JournalError = (JournalDamaged(exc.detail, aside)
                                     if isinstance(exc, JournalDamaged)
                                     else JournalTooNew(exc.version, aside))
            journal = cls(folder, **kwargs)
            journal.problem = problem
            return journal

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- opening -------------------------------------------------------------------------

    def _prepare(self, busy_timeout_s: float) -> None:
        db = self._db
        try:
            db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
            # One process only (see module docstring); set before WAL so no shared memory
            # file is needed.
            db.execute("PRAGMA locking_mode = EXCLUSIVE")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise JournalTooNew(version)
            mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise JournalDamaged(f"journal_mode stayed {mode!r}")
            # FULL: each commit is fsynced into the WAL before `append` returns.
            db.execute("PRAGMA synchronous = FULL")
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("BEGIN IMMEDIATE")  # takes the exclusive lock now, not at first write
            try:
                migrate(db, MIGRATIONS)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            check = db.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise JournalDamaged(f"quick_check: {check}")
            tables = {row[0] for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not {"ops", "meta"} <= tables:
                raise JournalDamaged(f"tables missing (found {sorted(tables)})")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise JournalInUse() from None
            raise JournalDamaged(str(exc)) from None
        except sqlite3.DatabaseError as exc:  # "file is not a database", malformed, ...
            raise JournalDamaged(str(exc)) from None

    # -- writing ---------------------------------------------------------------------------

    def _write(self, sql: str, args: Sequence[Any]) -> sqlite3.Cursor:
        """One statement in its own transaction (autocommit: committed, hence fsynced)."""
        return self._db.execute(sql, args)

    def append(self, store: str, product_id: int, op: Operation) -> int:
        """Records `op` as WAITING; returns its seq once it is on disk. A CreateFromFile's
        bytes must already be in the journal (`store_file`)."""
        kind, payload = encode_op(op, self.files_dir)
        sha = op.sha256 if isinstance(op, CreateFromFile) else None
        now = self._clock()
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            seq = db.execute(
                "INSERT INTO ops (store, product_id, op_id, kind, payload, file_sha256, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (store, product_id, op.op_id, kind, payload, sha, now, now)).lastrowid
            db.execute("INSERT INTO meta (key, value) VALUES ('highest_op_id', ?) "
                       "ON CONFLICT (key) DO UPDATE SET value = "
                       "max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))",
                       (str(op.op_id),))
            if self._before_commit is not None:
                self._before_commit(seq)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        assert seq is not None
        return seq

    def _set(self, seq: int, allowed: Collection[Phase], sets: str, args: Sequence[Any]) -> None:
        names = [phase.value for phase in allowed]
        cursor = self._write(
            f"UPDATE ops SET {sets}, updated_at = ? WHERE seq = ? "
            f"AND phase IN ({', '.join('?' * len(names))})",
            (*args, self._clock(), seq, *names))
        if cursor.rowcount != 1:
            raise NotQueued(f"operation {seq} is not {'/'.join(names)} in the journal")

    def mark_sending(self, seq: int, *, before_ids: Collection[int] | None = None) -> None:
        """About to be sent (again). For a create, pass the product's image ids known now:
        after a restart `find_uploaded` needs them to tell the upload from older images."""
        ids = None if before_ids is None else json.dumps(sorted(before_ids))
        self._set(seq, (Phase.WAITING, Phase.SENDING), "phase = 'sending', reason = '', "
                  "attempts = attempts + 1, outcome_unknown = 0, before_ids = ?", (ids,))

    def mark_outcome_unknown(self, seq: int) -> None:
        """Sent, and the answer never came: it stays SENDING, to be checked, not resent."""
        self._set(seq, (Phase.SENDING,), "outcome_unknown = 1", ())

    def mark_done(self, seq: int, answer_json: Any = None) -> None:
        """The store did it; `answer_json` (the record(s) it answered, JSON-able) is kept
        until `prune_done`."""
        self._set(seq, (Phase.SENDING, Phase.WAITING, Phase.FAILED),
                  "phase = 'done', reason = '', outcome_unknown = 0, answer = ?",
                  (json.dumps(answer_json, ensure_ascii=False),))

    def mark_failed(self, seq: int, reason: str) -> None:
        """It failed in a way that sending again will not fix by itself: the card shows
        `reason` (merchant words) with Retry and Revert."""
        self._set(seq, (Phase.SENDING, Phase.WAITING), "phase = 'failed', reason = ?",
                  (reason,))

    def mark_waiting(self, seq: int) -> None:
        """Retry of a failed change, or a SENDING one put back in line (after a restart
        check found the upload did not arrive)."""
        self._set(seq, (Phase.FAILED, Phase.SENDING, Phase.WAITING),
                  "phase = 'waiting', reason = '', outcome_unknown = 0", ())

    def replace(self, seq: int, op: Operation) -> None:
        """Rewrites a WAITING change (coalescing merged a later edit into it)."""
        self._replace(seq, op)

    def _replace(self, seq: int, op: Operation) -> None:
        kind, payload = encode_op(op, self.files_dir)
        sha = op.sha256 if isinstance(op, CreateFromFile) else None
        self._set(seq, (Phase.WAITING,), "kind = ?, payload = ?, op_id = ?, file_sha256 = ?",
                  (kind, payload, op.op_id, sha))

    def remove(self, seq: int) -> None:
        """Drops a WAITING or FAILED change that will not be sent (coalesced away, undone
        while queued, reverted). One being sent cannot be taken back."""
        cursor = self._write("DELETE FROM ops WHERE seq = ? AND phase IN ('waiting', 'failed')",
                             (seq,))
        if cursor.rowcount != 1:
            raise NotQueued(f"operation {seq} is not waiting or failed in the journal")

    def rewrite(self, replaced: Mapping[int, Operation], removed: Iterable[int]) -> None:
        """`replace` and `remove` together, as one transaction: what a coalescing pass does
        (the merged edit and the dropped one never exist on disk one without the other)."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            for seq, op in replaced.items():
                self._replace(seq, op)
            for seq in removed:
                self.remove(seq)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def apply_coalescing(self, before: Sequence[JournalEntry],
                         after: Sequence[Operation]) -> None:
        """Writes what a coalescing pass did: `before` are the journal's entries the pass
        started from (`pending(...)` of one product), `after` the ops it left, matched by op
        id (unique in the journal: see `highest_op_id`). An op that changed is rewritten in
        its seq, one that went is removed, in one transaction. A reorder collapse leaves the
        last reorder's op where its own seq was; only edits that leave the order alone can be
        between, so the order on disk means the same."""
        replaced, removed = coalescing_changes(before, after)
        if replaced or removed:
            self.rewrite(replaced, removed)

    def prune_done(self, older_than: timedelta) -> int:
        """Forgets done changes finished more than `older_than` ago; returns how many."""
        cutoff = self._clock() - older_than.total_seconds()
        return self._write("DELETE FROM ops WHERE phase = 'done' AND updated_at < ?",
                           (cutoff,)).rowcount

    # -- reading ---------------------------------------------------------------------------

    def _rows(self, where: str, args: Sequence[Any]) -> list[tuple[Any, ...]]:
        return self._db.execute(f"SELECT {_COLUMNS} FROM ops WHERE {where} ORDER BY seq",
                                args).fetchall()

    def _entry(self, row: tuple[Any, ...]) -> JournalEntry:
        (seq, store, product_id, kind, payload, phase, reason, attempts, unknown, before,
         created, updated) = row
        return JournalEntry(
            seq=seq, store=store, product_id=product_id,
            op=decode_op(kind, payload, self.files_dir), phase=Phase(phase), reason=reason,
            attempts=attempts, outcome_unknown=bool(unknown),
            before_ids=None if before is None else tuple(json.loads(before)),
            created_at=created, updated_at=updated)

    def _open_rows(self, store: str, product_id: int | None) -> list[tuple[Any, ...]]:
        if product_id is None:
            return self._rows("store = ? AND phase != 'done'", (store,))
        return self._rows("store = ? AND product_id = ? AND phase != 'done'",
                          (store, product_id))

    def pending(self, store: str, product_id: int | None = None) -> list[JournalEntry]:
        """The changes not yet done (waiting, sending, failed), in the order they were made.
        Rows this app cannot read are left out (see `unreadable`)."""
        entries = []
        for row in self._open_rows(store, product_id):
            try:
                entries.append(self._entry(row))
            except (UnreadablePayload, ValueError):
                continue
        return entries

    def unreadable(self, store: str) -> list[UnreadableEntry]:
        """Open rows that cannot be read (kept, never sent): the merchant should hear of them."""
        result = []
        for row in self._open_rows(store, None):
            try:
                self._entry(row)
            except (UnreadablePayload, ValueError) as exc:
                result.append(UnreadableEntry(row[0], row[1], row[2], row[3], str(exc)))
        return result

    def entry(self, seq: int) -> JournalEntry | None:
        rows = self._rows("seq = ?", (seq,))
        return self._entry(rows[0]) if rows else None

    def answer(self, seq: int) -> Any:
        """The store's answer `mark_done` kept (None until then or after pruning)."""
        row = self._db.execute("SELECT answer FROM ops WHERE seq = ?", (seq,)).fetchone()
        return None if row is None or row[0] is None else json.loads(row[0])

    def uploaded_keys(self, store: str, product_id: int) -> dict[int, str]:
        """Image id -> row key of the uploads done (and not yet pruned): a change queued after
        an upload names its card's key, and after a restart must still find the image."""
        found: dict[int, str] = {}
        for kind, payload, answer in self._db.execute(
                "SELECT kind, payload, answer FROM ops WHERE store = ? AND product_id = ? AND "
                "phase = 'done' AND kind IN ('create_file', 'create_url') AND answer IS NOT NULL",
                (store, product_id)):
            try:
                op = decode_op(kind, payload, self.files_dir)
                image_id = json.loads(answer)["id"]
            except (UnreadablePayload, ValueError, KeyError, TypeError):
                continue
            if isinstance(op, (CreateFromFile, CreateFromUrl)) and isinstance(image_id, int):
                found[image_id] = op.row_key
        return found

    def products_with_pending(self, store: str) -> list[int]:
        """Products with changes not yet done, the one with the oldest change first."""
        return [row[0] for row in self._db.execute(
            "SELECT product_id FROM ops WHERE store = ? AND phase != 'done' "
            "GROUP BY product_id ORDER BY min(seq)", (store,))]

    def stores_with_pending(self) -> list[str]:
        return [row[0] for row in self._db.execute(
            "SELECT store FROM ops WHERE phase != 'done' GROUP BY store ORDER BY min(seq)")]

    def highest_op_id(self) -> int:
        """The largest op id ever appended (0 if none): new op ids must start above it."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'highest_op_id'").fetchone()
        return int(row[0]) if row else 0

    # -- files -----------------------------------------------------------------------------

    def file_path(self, sha256: str) -> Path:
        return self.files_dir / sha256[:2] / sha256

    def store_file(self, source: Path, max_bytes: int = MAX_IMAGE_BYTES) -> StoredFile:
        """Copies a dropped file into the journal (checked: at most `max_bytes`, a picture
        type the store takes; `InvalidImageFile` says why not) and returns where it is.
        Call it BEFORE appending the op that uploads it."""
        upload = read_image_upload(source, max_bytes)
        return self._store(upload.content, upload.file_name, upload.image_type)

    def store_picture(self, content: bytes, name: str) -> StoredFile:
        """Keeps a picture the app downloaded (a copy of an image about to be deleted, for
        its Undo) like a dropped file. `InvalidImageFile` when it is not a picture the store
        takes or is too large."""
        if not content or len(content) > MAX_IMAGE_BYTES:
            raise InvalidImageFile(f"'{name}' is empty or larger than the store takes.")
        image_type = sniff_image_type(content[:16])
        if image_type is None:
            raise InvalidImageFile(f"'{name}' is not a picture the store takes.")
        return self._store(content, name, image_type)

    def _store(self, content: bytes, name: str, image_type: str) -> StoredFile:
        sha = hashlib.sha256(content).hexdigest()
        target = self.file_path(sha)
        target.parent.mkdir(parents=True, exist_ok=True)
        if _holds(target, content):
            os.utime(target)  # fresh again: `collect_garbage` spares it until it is appended
        else:
            _write_durably(target, content)  # new, or a damaged copy made whole
        return StoredFile(target, sha, len(content), name, image_type)

    def collect_garbage(self, grace: timedelta = timedelta(hours=1)) -> int:
        """Removes stored files no open change uploads (and temp files a crash left), except
        those touched within `grace` (stored for an op about to be appended). Returns how
        many files went."""
        wanted = {row[0] for row in self._db.execute(
            "SELECT DISTINCT file_sha256 FROM ops WHERE phase != 'done' "
            "AND file_sha256 IS NOT NULL")}
        cutoff = time.time() - grace.total_seconds()
        removed = 0
        if not self.files_dir.is_dir():
            return 0
        for shard in self.files_dir.iterdir():
            if shard.is_symlink() or not shard.is_dir():
                continue
            for path in shard.iterdir():
                if path.name in wanted and not path.name.endswith(".tmp"):
                    continue
                try:
                    if path.is_symlink() or not path.is_file():
                        continue
                    if path.stat().st_mtime >= cutoff:
                        continue
                    path.unlink()
                    removed += 1
                except OSError:
                    continue  # locked or gone: next time
        return removed


def coalescing_changes(before: Sequence[JournalEntry], after: Sequence[Operation]
                       ) -> tuple[dict[int, Operation], list[int]]:
    """(seq -> rewritten op, seqs removed) that turn `before` into `after` (see
    `Journal.apply_coalescing`)."""
    seq_of = {entry.op.op_id: entry.seq for entry in before}
    if len(seq_of) != len(before):
        raise ValueError("op ids must be unique in the journal")
    kept = {op.op_id: op for op in after}
    unknown = kept.keys() - seq_of.keys()
    if unknown:
        raise ValueError(f"coalescing produced ops the journal never saw: {sorted(unknown)}")
    replaced = {seq_of[entry.op.op_id]: kept[entry.op.op_id] for entry in before
                if entry.op.op_id in kept and kept[entry.op.op_id] != entry.op}
    removed = [entry.seq for entry in before if entry.op.op_id not in kept]
    return replaced, removed


def _holds(path: Path, content: bytes) -> bool:
    try:
        return (path.is_file() and not path.is_symlink()
                and path.stat().st_size == len(content) and path.read_bytes() == content)
    except OSError:
        return False


def _write_durably(target: Path, data: bytes) -> None:
    """Temp file, fsync, rename, fsync the folder: the name only ever points at whole bytes."""
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
    _fsync_dir(target.parent)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return  # Windows cannot open a folder for fsync; NTFS journals the rename itself
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

