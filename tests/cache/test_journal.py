"""The journal of changes: lossless, ordered, durable, and never silently discarded."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from app.api.errors import InvalidImageFile
from app.cache.journal import (
    DATABASE_NAME,
    SCHEMA_VERSION,
    Journal,
    JournalDamaged,
    JournalInUse,
    JournalTooNew,
    NotQueued,
)
from app.services.image_state import (
    CreateFromFile,
    FieldChanges,
    ImageState,
    Pending,
    Phase,
    Reorder,
    UpdateFields,
)
from app.services.op_coalescing import coalesce
from tests.cache.journal_ops import record, sample_op

STORE = "store-abc123"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def journal(tmp_path: Path):
    with Journal(tmp_path / "journal") as opened:
        yield opened


def edit(op_id: int, text: str = "new alt", key: str = "image:5") -> UpdateFields:
    return UpdateFields(op_id=op_id, row_key=key, changes=FieldChanges(description=text),
                        based_on=record(5))


# ---- lossless and ordered ------------------------------------------------------------------

def test_every_kind_of_operation_comes_back_as_it_went_in(tmp_path: Path) -> None:
    folder = tmp_path / "journal"
    ops = [sample_op(op_id, folder / "files") for op_id in range(1, 13)]
    with Journal(folder) as journal:
        for op in ops:
            journal.append(STORE, 7, op)
    with Journal(folder) as journal:
        back = [entry.op for entry in journal.pending(STORE)]
    assert back == ops
    # ProductImage leaves `extra` out of ==: the unknown server fields must survive too.
    based = [op.based_on for op in back if isinstance(op, UpdateFields)]
    assert based and all(image is not None and image.extra == record(1).extra
                         for image in based)
    assert {type(op).__name__ for op in back} == {
        "CreateFromFile", "CreateFromUrl", "UpdateFields", "Delete", "DeleteAll", "Reorder"}


def test_a_stored_file_is_named_relative_to_the_journal_so_the_folder_may_move(
        tmp_path: Path) -> None:
    with Journal(tmp_path / "before") as journal:
        journal.append(STORE, 7, sample_op(6, journal.files_dir))
    os.replace(tmp_path / "before", tmp_path / "after")
    with Journal(tmp_path / "after") as journal:
        op = journal.pending(STORE)[0].op
    assert isinstance(op, CreateFromFile)
    assert op.path == tmp_path / "after" / "files" / "ab" / ("ab" + "0" * 62)


def test_seq_is_the_order_of_making_and_is_never_reused(journal: Journal) -> None:
    first = journal.append(STORE, 7, edit(1))
    second = journal.append(STORE, 8, edit(2))
    journal.remove(second)
    third = journal.append(STORE, 7, edit(3))
    assert first < second < third
    assert [entry.seq for entry in journal.pending(STORE)] == [first, third]
    assert [entry.seq for entry in journal.pending(STORE, product_id=7)] == [first, third]
    assert journal.pending(STORE, product_id=8) == []
    assert journal.pending("another-store") == []


def test_products_with_pending_oldest_change_first(journal: Journal) -> None:
    journal.append(STORE, 9, edit(1))
    journal.append(STORE, 4, edit(2))
    done = journal.append(STORE, 5, edit(3))
    journal.append(STORE, 9, edit(4))
    journal.append("other", 1, edit(5))
    journal.mark_sending(done)
    journal.mark_done(done, {"id": 5})
    assert journal.products_with_pending(STORE) == [9, 4]
    assert journal.stores_with_pending() == [STORE, "other"]


def test_highest_op_id_outlives_the_ops(journal: Journal) -> None:
    seq = journal.append(STORE, 7, edit(41))
    journal.append(STORE, 7, edit(12))
    journal.remove(seq)
    assert journal.highest_op_id() == 41


# ---- phases --------------------------------------------------------------------------------

def test_a_change_goes_waiting_sending_done(journal: Journal) -> None:
    seq = journal.append(STORE, 7, sample_op(6, journal.files_dir))
    assert journal.pending(STORE)[0].phase is Phase.WAITING
    journal.mark_sending(seq, before_ids=[3, 1, 2])
    entry = journal.pending(STORE)[0]
    assert (entry.phase, entry.attempts, entry.before_ids) == (Phase.SENDING, 1, (1, 2, 3))
    assert entry.needs_check  # a POST in flight: look before sending again
    journal.mark_outcome_unknown(seq)
    assert journal.pending(STORE)[0].outcome_unknown
    journal.mark_done(seq, record(9).to_json())
    assert journal.pending(STORE) == []
    assert journal.answer(seq)["id"] == 9
    entry = journal.entry(seq)
    assert entry is not None and entry.phase is Phase.DONE and not entry.outcome_unknown


def test_a_failure_keeps_its_reason_and_retry_puts_it_back_in_line(journal: Journal) -> None:
    seq = journal.append(STORE, 7, edit(1))
    journal.mark_sending(seq)
    assert not journal.pending(STORE)[0].needs_check  # a PUT may simply be sent again
    journal.mark_failed(seq, "The store refused the text: it is too long.")
    entry = journal.pending(STORE)[0]
    assert (entry.phase, entry.reason) == (Phase.FAILED,
                                           "The store refused the text: it is too long.")
    journal.mark_waiting(seq)
    journal.mark_sending(seq)
    entry = journal.pending(STORE)[0]
    assert (entry.phase, entry.reason, entry.attempts) == (Phase.SENDING, "", 2)


def test_only_a_waiting_change_is_rewritten_and_a_sending_one_never_removed(
        journal: Journal) -> None:
    seq = journal.append(STORE, 7, edit(1))
    journal.replace(seq, edit(1, "merged"))
    assert journal.pending(STORE)[0].op == edit(1, "merged")
    journal.mark_sending(seq)
    with pytest.raises(NotQueued):
        journal.replace(seq, edit(1, "too late"))
    with pytest.raises(NotQueued):
        journal.remove(seq)
    with pytest.raises(NotQueued):
        journal.mark_done(12345)
    assert journal.pending(STORE)[0].op == edit(1, "merged")


def test_a_coalescing_rewrite_is_all_or_nothing(journal: Journal) -> None:
    first = journal.append(STORE, 7, edit(1, "a"))
    second = journal.append(STORE, 7, edit(2, "b"))
    sending = journal.append(STORE, 7, edit(3, "c"))
    journal.mark_sending(sending)
    with pytest.raises(NotQueued):
        journal.rewrite({first: edit(1, "b")}, [second, sending])
    assert [e.op for e in journal.pending(STORE)] == [edit(1, "a"), edit(2, "b"), edit(3, "c")]
    journal.rewrite({first: edit(1, "b")}, [second])
    assert [e.op for e in journal.pending(STORE)] == [edit(1, "b"), edit(3, "c")]


def test_a_coalescing_pass_is_written_back_and_reloads_as_the_same_view(
        journal: Journal) -> None:
    """Two alt-text edits of one image merge; three reorders collapse to the last: the
    journal after a restart holds what the queue holds now, and the grid looks the same."""
    snapshot = ImageState.from_server(7, [record(1), record(2), record(3)])
    ops = [edit(1, "a", "image:1"), Reorder(op_id=2, order=("image:2", "image:1", "image:3"),
                                            based_on=(record(1), record(2), record(3))),
           edit(3, "b", "image:1"), Reorder(op_id=4, order=("image:3", "image:2", "image:1"),
                                            based_on=(record(1), record(2), record(3))),
           Reorder(op_id=5, order=("image:1", "image:3", "image:2"), based_on=())]
    for op in ops:
        journal.append(STORE, 7, op)
    before = journal.pending(STORE, 7)
    coalesced = coalesce([Pending(entry.op) for entry in before])
    assert len(coalesced) == 2
    journal.apply_coalescing(before, [item.op for item in coalesced])
    reloaded = journal.pending(STORE, 7)
    assert {entry.op for entry in reloaded} == {item.op for item in coalesced}
    state = snapshot.replace_pending(coalesced)
    assert (snapshot.replace_pending(Pending(entry.op) for entry in reloaded).view()
            == state.view() == snapshot.replace_pending(Pending(op) for op in ops).view())


def test_prune_done_forgets_only_old_finished_changes(tmp_path: Path) -> None:
    clock = Clock()
    with Journal(tmp_path / "journal", clock=clock) as journal:
        old, recent, waiting = (journal.append(STORE, 7, edit(n)) for n in (1, 2, 3))
        journal.mark_done(old, None)
        clock.now += 8 * 86400
        journal.mark_done(recent, None)
        clock.now += 3600
        assert journal.prune_done(older_than=timedelta(days=7)) == 1
        assert journal.entry(old) is None
        assert journal.entry(recent) is not None and journal.entry(waiting) is not None


def test_a_row_this_app_cannot_read_is_kept_apart_not_sent_not_lost(tmp_path: Path) -> None:
    folder = tmp_path / "journal"
    with Journal(folder) as journal:
        journal.append(STORE, 7, edit(1))
        journal.append(STORE, 7, edit(2))
    db = sqlite3.connect(folder / DATABASE_NAME)
    db.execute("UPDATE ops SET payload = ? WHERE op_id = 1", (json.dumps({"v": 99}),))
    db.commit()
    db.close()
    with Journal(folder) as journal:
        assert [e.op.op_id for e in journal.pending(STORE)] == [2]
        [unreadable] = journal.unreadable(STORE)
        assert unreadable.product_id == 7 and "newer" in unreadable.problem
        assert journal.products_with_pending(STORE) == [7]


def test_the_connection_belongs_to_the_thread_that_opened_it(journal: Journal) -> None:
    failures: list[BaseException] = []

    def elsewhere() -> None:
        try:
            journal.pending(STORE)
        except BaseException as exc:  # noqa: BLE001 - the test inspects it
            failures.append(exc)

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert len(failures) == 1 and isinstance(failures[0], sqlite3.ProgrammingError)


def test_the_database_is_wal_and_fully_synchronous(journal: Journal) -> None:
    assert journal._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert journal._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert journal._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


# ---- dropped files -------------------------------------------------------------------------

def test_a_dropped_file_is_copied_in_so_moving_the_original_does_not_matter(
        journal: Journal, tmp_path: Path) -> None:
    dropped = tmp_path / "Red Mug.png"
    dropped.write_bytes(PNG)
    stored = journal.store_file(dropped)
    dropped.unlink()
    assert stored.path.read_bytes() == PNG
    assert stored.path.is_relative_to(journal.files_dir)
    assert (stored.name, stored.size, stored.image_type) == ("Red Mug.png", len(PNG), "png")
    assert stored.path.name == stored.sha256
    again = tmp_path / "copy.png"
    again.write_bytes(PNG)
    assert journal.store_file(again).path == stored.path  # content-addressed: one copy
    assert not [p for p in stored.path.parent.iterdir() if p.name.endswith(".tmp")]


def test_a_damaged_stored_copy_is_made_whole_when_the_file_is_dropped_again(
        journal: Journal, tmp_path: Path) -> None:
    dropped = tmp_path / "a.png"
    dropped.write_bytes(PNG)
    stored = journal.store_file(dropped)
    stored.path.write_bytes(bytes(len(PNG)))  # same size, wrong bytes
    assert journal.store_file(dropped).path.read_bytes() == PNG


def test_files_the_store_would_refuse_are_refused_here(journal: Journal, tmp_path: Path) -> None:
    big = tmp_path / "huge.png"
    big.write_bytes(PNG + bytes(8 * 1024 * 1024))
    with pytest.raises(InvalidImageFile, match="8 MB"):
        journal.store_file(big)
    fake = tmp_path / "page.jpg"
    fake.write_bytes(b"<html>not a picture</html>")
    with pytest.raises(InvalidImageFile, match="not a JPEG"):
        journal.store_file(fake)
    assert not journal.files_dir.exists() or not any(journal.files_dir.rglob("*"))


def test_garbage_collection_keeps_files_open_changes_upload(
        journal: Journal, tmp_path: Path) -> None:
    paths = []
    for n in range(3):
        source = tmp_path / f"{n}.png"
        source.write_bytes(PNG + bytes([n]))
        paths.append(journal.store_file(source))
    kept, uploaded, orphan = paths
    for n, stored in enumerate((kept, uploaded)):
        journal.append(STORE, 7, CreateFromFile(
            op_id=n + 1, row_key=f"new:{n}", path=stored.path, sha256=stored.sha256,
            size=stored.size, name=stored.name, position=0))
    journal.mark_done(2, None)
    leftover = kept.path.parent / ".x.tmp"
    leftover.write_bytes(b"torn")
    assert journal.collect_garbage() == 0  # all fresh: maybe about to be appended
    assert journal.collect_garbage(grace=timedelta(0)) == 3
    assert kept.path.exists()
    assert not uploaded.path.exists() and not orphan.path.exists() and not leftover.exists()


# ---- schema versions and damage ------------------------------------------------------------

#: Version 1 exactly as it shipped: a later schema must open this (and each later version
#: gets its own frozen copy here).
V1_SCHEMA = """
CREATE TABLE ops (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, store TEXT NOT NULL, product_id INTEGER NOT NULL,
    op_id INTEGER NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL,
    phase TEXT NOT NULL DEFAULT 'waiting'
        CHECK (phase IN ('waiting', 'sending', 'failed', 'done')),
    reason TEXT NOT NULL DEFAULT '', attempts INTEGER NOT NULL DEFAULT 0,
    outcome_unknown INTEGER NOT NULL DEFAULT 0, before_ids TEXT, answer TEXT,
    file_sha256 TEXT, created_at REAL NOT NULL, updated_at REAL NOT NULL);
CREATE INDEX ops_open ON ops (store, product_id, seq) WHERE phase != 'done';
CREATE INDEX ops_done ON ops (updated_at) WHERE phase = 'done';
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
PRAGMA user_version = 1;
"""

V1_UPDATE_PAYLOAD = {
    "v": 1, "op_id": 4, "row_key": "image:5",
    "based_on": {"id": 5, "product_id": 7, "image_file": "r/5/a__5.jpg", "zoom_url": None,
                 "thumbnail_url": None, "standard_url": None, "tiny_url": None,
                 "is_thumbnail": False, "sort_order": 2, "description": None,
                 "date_created": "Sun, 01 Mar 2026 12:30:05 +0000"},
    "changes": {"description": "Blue mug", "is_thumbnail": None, "sort_order": None},
}


def test_a_version_1_journal_built_by_hand_opens(tmp_path: Path) -> None:
    folder = tmp_path / "journal"
    folder.mkdir()
    db = sqlite3.connect(folder / DATABASE_NAME)
    db.executescript(V1_SCHEMA)
    db.execute("INSERT INTO ops (store, product_id, op_id, kind, payload, phase, attempts, "
               "before_ids, created_at, updated_at) VALUES (?, 7, 4, 'update_fields', ?, "
               "'sending', 1, '[1, 2]', 1.0, 2.0)", (STORE, json.dumps(V1_UPDATE_PAYLOAD)))
    db.commit()
    db.close()
    with Journal(folder) as journal:
        [entry] = journal.pending(STORE)
        assert entry.phase is Phase.SENDING and entry.before_ids == (1, 2)
        assert entry.op == UpdateFields(op_id=4, row_key="image:5",
                                        changes=FieldChanges(description="Blue mug"),
                                        based_on=entry.op.based_on)
        assert entry.op.based_on is not None and entry.op.based_on.sort_order == 2
        assert journal.append(STORE, 7, edit(5)) > entry.seq


def test_garbage_is_moved_aside_and_a_new_journal_started(tmp_path: Path) -> None:
    folder = tmp_path / "journal"
    folder.mkdir()
    garbage = b"this is not a database, it is a shopping list\n" * 200
    (folder / DATABASE_NAME).write_bytes(garbage)
    (folder / "files").mkdir()
    (folder / "files" / "keep.bin").write_bytes(b"bytes of a dropped file")
    with pytest.raises(JournalDamaged):
        Journal(folder)  # the strict constructor touches nothing
    assert (folder / DATABASE_NAME).read_bytes() == garbage

    with Journal.open(folder) as journal:
        problem = journal.problem
        assert isinstance(problem, JournalDamaged)
        assert problem.moved_to is not None and str(problem.moved_to) in str(problem)
        assert (problem.moved_to / DATABASE_NAME).read_bytes() == garbage
        assert (problem.moved_to / "files" / "keep.bin").exists()
        assert journal.pending(STORE) == []
        assert journal.append(STORE, 7, edit(1)) == 1


def test_a_journal_from_a_newer_app_is_kept_unchanged_and_a_new_one_started(
        tmp_path: Path) -> None:
    folder = tmp_path / "journal"
    with Journal(folder) as journal:
        journal.append(STORE, 7, edit(1))
    db = sqlite3.connect(folder / DATABASE_NAME)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    before = (folder / DATABASE_NAME).read_bytes()
    with pytest.raises(JournalTooNew):
        Journal(folder)

    with Journal.open(folder) as journal:
        problem = journal.problem
        assert isinstance(problem, JournalTooNew) and problem.version == SCHEMA_VERSION + 1
        assert "newer version" in str(problem)
        assert problem.moved_to is not None
        assert (problem.moved_to / DATABASE_NAME).read_bytes() == before
        assert journal.pending(STORE) == []


def test_a_second_instance_is_refused_and_nothing_is_moved(tmp_path: Path) -> None:
    folder = tmp_path / "journal"
    with Journal(folder) as first:
        first.append(STORE, 7, edit(1))
        with pytest.raises(JournalInUse):
            Journal.open(folder, busy_timeout_s=0.05)
        assert [p.name for p in tmp_path.iterdir()] == ["journal"]
        assert len(first.pending(STORE)) == 1


def test_the_journal_lives_in_the_data_folder(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from app import paths

    monkeypatch.setenv(paths.DATA_DIR_ENV, str(tmp_path / "pim-data"))
    assert paths.journal_dir() == tmp_path / "pim-data" / "data" / "journal"
    assert paths.journal_dir().is_dir()
