"""A process killed (SIGKILL) at any moment: every change whose append returned is there, in
order, nothing half-written, and a change being sent comes back as being sent.

The child is a real Python process using the journal; it prints a line after each call
returned, so the parent knows what the journal promised before the kill. Power loss (the
fsync half of the promise) cannot be tested here; `synchronous=FULL` is checked in
test_journal.py.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from app.cache.journal import Journal
from app.services.image_state import Phase
from tests.cache.journal_ops import sample_op

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

ROOT = Path(__file__).resolve().parents[2]
STORE = "store-abc123"

CHILD = """
import os, signal, sys
from pathlib import Path
from app.cache.journal import Journal
from tests.cache.journal_ops import sample_op

folder, mode, arg = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
journal = Journal(folder)
first = journal.highest_op_id() + 1
if mode == "die-inside-append":
    calls = 0
    def hook(seq):
        global calls
        calls += 1
        if calls == arg:
            os.kill(os.getpid(), signal.SIGKILL)   # inserted, not committed
    journal._before_commit = hook
for op_id in range(first, first + 100_000):
    seq = journal.append("store-abc123", op_id % 3, sample_op(op_id, journal.files_dir))
    if mode == "mark-sending" and op_id - first + 1 == arg:
        for entry in journal.pending("store-abc123"):
            journal.mark_sending(entry.seq, before_ids=[1, 2])
        print("sending", flush=True)
        signal.pause()
    print(seq, op_id, flush=True)
"""


def start_child(folder: Path, mode: str, arg: int) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-c", CHILD, str(folder), mode, str(arg)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def promised_after_kill(child: subprocess.Popen[str], lines_before_kill: int
                        ) -> list[tuple[int, int]]:
    """(seq, op id) of every append the child saw return, read until `lines_before_kill`
    lines arrived, then SIGKILL, then whatever else it had printed."""
    assert child.stdout is not None
    promised = []
    for _ in range(lines_before_kill):
        line = child.stdout.readline()
        assert line, child.stderr.read() if child.stderr else ""
        seq, op_id = map(int, line.split())
        promised.append((seq, op_id))
    child.send_signal(signal.SIGKILL)
    rest, errors = child.communicate()
    assert child.returncode == -signal.SIGKILL, errors
    for line in rest.splitlines():
        if line.strip():
            seq, op_id = map(int, line.split())
            promised.append((seq, op_id))
    return promised


def check_journal(folder: Path, promised: list[tuple[int, int]]) -> list[int]:
    """Every promised append is there; every row reads back as the op it was; op ids follow
    seq order with no gap (an append is all or nothing). Returns the op ids."""
    with Journal(folder) as journal:
        entries = journal.pending(STORE)
        assert journal.unreadable(STORE) == []
        files_dir = journal.files_dir
    seqs = [entry.seq for entry in entries]
    op_ids = [entry.op.op_id for entry in entries]
    assert seqs == sorted(seqs)
    assert op_ids == list(range(1, len(op_ids) + 1))
    assert all(entry.op == sample_op(entry.op.op_id, files_dir) for entry in entries)
    assert all(entry.product_id == entry.op.op_id % 3 for entry in entries)
    assert all(entry.phase is Phase.WAITING for entry in entries)
    present = set(zip(seqs, op_ids))
    assert set(promised) <= present
    return op_ids


def test_killed_at_random_moments_loses_no_append_that_returned(tmp_path: Path) -> None:
    folder = tmp_path / "journal"
    rng = random.Random(20261130)
    total_promised: list[tuple[int, int]] = []
    for _round in range(5):  # repeated crashes on the same journal
        child = start_child(folder, "append", 0)
        total_promised += promised_after_kill(child, rng.randint(1, 40))
        op_ids = check_journal(folder, total_promised)
    assert len(op_ids) >= len(total_promised) >= 5


@pytest.mark.parametrize("dies_in_append", [1, 4])
def test_killed_inside_an_append_leaves_nothing_half_written(
        tmp_path: Path, dies_in_append: int) -> None:
    folder = tmp_path / "journal"
    child = start_child(folder, "die-inside-append", dies_in_append)
    output, errors = child.communicate()  # it kills itself, from inside the append
    assert child.returncode == -signal.SIGKILL, errors
    promised = [(int(seq), int(op_id)) for seq, op_id in map(str.split, output.splitlines())]
    assert len(promised) == dies_in_append - 1
    op_ids = check_journal(folder, promised)
    assert len(op_ids) == dies_in_append - 1  # the append that died is not there at all
    with Journal(folder) as journal:  # and the journal goes on from there
        seq = journal.append(STORE, 0, sample_op(dies_in_append, journal.files_dir))
        assert [e.seq for e in journal.pending(STORE)][-1] == seq


def test_changes_being_sent_come_back_as_being_sent(tmp_path: Path) -> None:
    folder = tmp_path / "journal"
    child = start_child(folder, "mark-sending", 6)
    assert child.stdout is not None
    lines = []
    while (line := child.stdout.readline().strip()) != "sending":
        assert line, child.stderr.read() if child.stderr else ""
        lines.append(line)
    child.send_signal(signal.SIGKILL)
    child.communicate()
    with Journal(folder) as journal:
        entries = journal.pending(STORE)
    assert len(entries) == 6
    assert all(e.phase is Phase.SENDING and e.attempts == 1 and e.before_ids == (1, 2)
               for e in entries)
    # The resume rule: a POST (create) must be checked, a PUT/DELETE may be sent again.
    assert [e.needs_check for e in entries] == [e.is_create for e in entries]
    assert any(e.needs_check for e in entries) and not all(e.needs_check for e in entries)
