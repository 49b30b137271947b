"""The product's image state: the view as snapshot + pending, the row diff, reconcile."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from app.api.models import ProductImage
from app.services.image_state import (
    NO_ID,
    Badge,
    Changed,
    CreateFromFile,
    CreateFromUrl,
    Delete,
    DeleteAll,
    FieldChanges,
    ImageState,
    Insert,
    Move,
    Remove,
    Reorder,
    UpdateFields,
    ViewRow,
    apply_changes,
    diff,
    display_order,
    image_row_key,
    new_row_key,
    next_op_id,
    view,
)

PRODUCT = 7


def image(image_id: int, sort_order: int, *, thumb: bool = False,
          description: str = "") -> ProductImage:
    return ProductImage(id=image_id, product_id=PRODUCT, image_file=f"p/{image_id}.jpg",
                        tiny_url=f"https://cdn/{image_id}.jpg", sort_order=sort_order,
                        is_thumbnail=thumb, description=description)


def three() -> ImageState:
    # Stored out of order on purpose; sort_order ties are broken by id, as the storefront does.
    return ImageState.from_server(PRODUCT, [image(30, 1), image(10, 0, thumb=True), image(20, 1)])


def keys(rows: list[ViewRow]) -> list[str]:
    return [row.key for row in rows]


def update(state: ImageState, key: str, **changes: object) -> UpdateFields:
    return UpdateFields(op_id=next_op_id(), row_key=key, changes=FieldChanges(**changes),
                        based_on=state.snapshot.record(key))


def upload(name: str, position: int) -> CreateFromFile:
    return CreateFromFile(op_id=next_op_id(), row_key=new_row_key(), path=Path(f"/j/{name}"),
                          sha256="0" * 64, size=123, name=name, position=position)


# ---- view ----------------------------------------------------------------------------------

def test_the_view_of_a_snapshot_is_the_storefront_order_keyed_by_image() -> None:
    rows = three().view()
    assert keys(rows) == [image_row_key(10), image_row_key(20), image_row_key(30)]
    assert all(row.badge is Badge.NONE for row in rows)
    assert display_order([image(2, 0), image(1, 0)])[0].id == 1


def test_a_pending_edit_shows_at_once_with_its_badge_and_its_sync_state() -> None:
    state = three()
    key = image_row_key(20)
    op = update(state, key, description="Blue mug, side")
    state = state.add(op)
    row = state.view()[1]
    assert (row.image.description, row.badge) == ("Blue mug, side", Badge.WAITING)
    state = state.sending(op.op_id)
    assert state.view()[1].badge is Badge.SENDING
    state = state.failed(op.op_id, "The store did not answer; try again.")
    row = state.view()[1]
    assert (row.badge, row.reason, row.image.description) == (
        Badge.FAILED, "The store did not answer; try again.", "Blue mug, side")


def test_setting_a_thumbnail_takes_the_star_from_the_old_one_at_once() -> None:
    state = three()
    state = state.add(update(state, image_row_key(30), is_thumbnail=True))
    stars = [row.key for row in state.view() if row.image.is_thumbnail]
    assert stars == [image_row_key(30)]


def test_an_upload_is_a_card_at_its_drop_position_until_the_store_answers() -> None:
    state = three()
    op = upload("side.jpg", 1)
    state = state.add(op)
    rows = state.view()
    assert keys(rows)[1] == op.row_key
    assert rows[1].server_id is None and rows[1].image.id == NO_ID
    assert rows[1].local_file == Path("/j/side.jpg") and rows[1].badge is Badge.WAITING
    url_op = CreateFromUrl(op_id=next_op_id(), row_key=new_row_key(),
                           url="https://pics.example/a/front.png", position=99)
    rows = state.add(url_op).view()
    assert rows[-1].key == url_op.row_key and rows[-1].image.image_file == "front.png"


def test_a_delete_hides_the_card_unless_it_failed_then_the_card_shows_why() -> None:
    state = three()
    key = image_row_key(20)
    op = Delete(op_id=next_op_id(), row_key=key, based_on=state.snapshot.record(key))
    state = state.add(op)
    assert key not in keys(state.view())
    state = state.failed(op.op_id, "The store refused it.")
    row = state.view()[1]
    assert (row.key, row.badge, row.reason) == (key, Badge.FAILED, "The store refused it.")


def test_delete_all_empties_the_grid_and_an_upload_after_it_stays() -> None:
    state = three()
    state = state.add(DeleteAll(op_id=next_op_id(), based_on=state.snapshot.images))
    later = upload("new.jpg", 0)
    state = state.add(later)
    assert keys(state.view()) == [later.row_key]


def test_a_reorder_puts_the_listed_rows_in_order_in_their_own_places() -> None:
    state = three()
    a, b, c = keys(state.view())
    dropped = upload("x.jpg", 1)  # a row the reorder does not list keeps its place
    state = state.add(dropped)
    state = state.add(Reorder(op_id=next_op_id(), order=(c, a, b), based_on=()))
    assert keys(state.view()) == [c, dropped.row_key, a, b]


def test_an_edit_of_an_upload_not_yet_done_applies_to_its_card() -> None:
    state = three()
    op = upload("side.jpg", 3)
    state = state.add(op).add(UpdateFields(op_id=next_op_id(), row_key=op.row_key,
                                           changes=FieldChanges(description="Side"),
                                           based_on=None))
    assert state.view()[3].image.description == "Side"


def test_a_reload_keeps_pending_changes_on_top_and_drops_duplicate_ids() -> None:
    state = three()
    state = state.add(update(state, image_row_key(10), description="Front"))
    state = state.with_server_images([image(10, 0), image(20, 1), image(20, 1), image(40, 5)])
    rows = state.view()
    assert keys(rows) == [image_row_key(10), image_row_key(20), image_row_key(40)]
    assert rows[0].image.description == "Front"


# ---- reconcile -----------------------------------------------------------------------------

def test_an_upload_keeps_its_row_key_when_it_gets_its_id_and_nothing_moves() -> None:
    state = three()
    op = upload("side.jpg", 3)
    state = state.add(op).sending(op.op_id)
    before = state.view()
    # The store answers with the new record (its sort_order after the others).
    state = state.reconcile(op.op_id, image(99, 2))
    after = state.view()
    assert keys(after) == keys(before)
    assert after[3].server_id == 99 and after[3].badge is Badge.NONE
    assert state.server_id(op.row_key) == 99 and not state.pending
    changes = diff(before, after)
    assert all(isinstance(change, Changed) for change in changes)
    assert [(c.at, "id" in c.fields, "badge" in c.fields) for c in changes] == [(3, True, True)]
    # A later edit of that card goes to the store's id under the same key.
    assert state.snapshot.record(op.row_key) == image(99, 2)


def test_a_finished_edit_merges_its_answer_without_moving_anything() -> None:
    state = three()
    op = update(state, image_row_key(30), is_thumbnail=True, description="Back")
    state = state.add(op).sending(op.op_id)
    before = state.view()
    answer = replace(state.snapshot.record(image_row_key(30)), is_thumbnail=True,
                     description="Back")
    state = state.reconcile(op.op_id, answer)
    after = state.view()
    assert keys(after) == keys(before) and not state.pending
    assert [row.key for row in after if row.image.is_thumbnail] == [image_row_key(30)]
    # The old thumbnail's record lost its star in the snapshot too (the store keeps one).
    assert not state.snapshot.record(image_row_key(10)).is_thumbnail
    assert [c.fields for c in diff(before, after)] == [frozenset({"badge"})]


def test_a_finished_delete_leaves_the_snapshot_and_the_grid_does_not_change() -> None:
    state = three()
    key = image_row_key(10)
    op = Delete(op_id=next_op_id(), row_key=key, based_on=state.snapshot.record(key))
    state = state.add(op)
    before = state.view()
    state = state.reconcile(op.op_id, None)
    assert state.view() == before and state.server_id(key) is None


def test_a_finished_reorder_leaves_the_rows_where_the_merchant_put_them() -> None:
    state = three()
    a, b, c = keys(state.view())
    op = Reorder(op_id=next_op_id(), order=(c, a, b), based_on=state.snapshot.images)
    state = state.add(op)
    before = state.view()
    records = [replace(state.snapshot.record(c), sort_order=0),
               replace(state.snapshot.record(a), sort_order=1),
               replace(state.snapshot.record(b), sort_order=2)]
    state = state.reconcile(op.op_id, records)
    assert keys(state.view()) == keys(before) == [c, a, b]
    changes = diff(before, state.view())
    assert changes and all(isinstance(change, Changed) for change in changes)


# ---- diff ----------------------------------------------------------------------------------

def row(key: str, description: str = "") -> ViewRow:
    return ViewRow(key, ProductImage(id=NO_ID, product_id=PRODUCT, description=description))


unique_keys = st.lists(st.sampled_from([f"k{n}" for n in range(12)]), unique=True, max_size=12)


@settings(max_examples=400, deadline=None)
@given(old_keys=unique_keys, new_keys=unique_keys, data=st.data())
def test_applying_the_diff_to_the_old_rows_gives_the_new_rows(
        old_keys: list[str], new_keys: list[str], data: st.DataObject) -> None:
    texts = st.sampled_from(["", "a", "b"])
    old = [row(key, data.draw(texts)) for key in old_keys]
    new = [row(key, data.draw(texts)) for key in new_keys]
    changes = diff(old, new)
    assert apply_changes(old, changes) == new
    kept = [key for key in new_keys if key in set(old_keys)]
    old_kept = [key for key in old_keys if key in set(new_keys)]
    moves = [c for c in changes if isinstance(c, Move)]
    # Fewest moves: every kept row not on a longest run that kept its order moves once.
    assert len(moves) == len(kept) - _longest_common_run(old_kept, kept)
    assert sum(c.count for c in changes if isinstance(c, Remove)) == \
        len(set(old_keys) - set(new_keys))
    assert sum(len(c.rows) for c in changes if isinstance(c, Insert)) == \
        len(set(new_keys) - set(old_keys))
    for move in moves:
        assert move.source != move.destination
        assert move.qt_destination not in (move.source, move.source + 1)  # Qt's rule


def _longest_common_run(a: list[str], b: list[str]) -> int:
    """Length of the longest common subsequence, by brute dynamic programming."""
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            table[i + 1][j + 1] = table[i][j] + 1 if x == y else max(table[i][j + 1],
                                                                     table[i + 1][j])
    return table[-1][-1]


@settings(max_examples=200, deadline=None)
@given(order=unique_keys, data=st.data())
def test_a_pure_field_change_is_only_changed_entries(order: list[str],
                                                      data: st.DataObject) -> None:
    old = [row(key, data.draw(st.sampled_from(["", "a"]))) for key in order]
    new = [row(key, data.draw(st.sampled_from(["", "a"]))) for key in order]
    changes = diff(old, new)
    assert all(isinstance(change, Changed) for change in changes)
    assert [c.at for c in changes] == [n for n in range(len(old)) if old[n] != new[n]]
    assert all(c.fields == frozenset({"description"}) for c in changes)


def test_moving_one_row_among_many_is_one_move() -> None:
    old = [row(f"k{n}") for n in range(250)]
    new = old[1:200] + old[:1] + old[200:]
    assert diff(old, new) == [Move(0, 199)]
    assert Move(0, 199).qt_destination == 200
    assert diff(new, old) == [Move(199, 0)]


def test_deleting_everything_is_one_remove_and_a_drop_of_many_one_insert() -> None:
    old = [row(f"k{n}") for n in range(250)]
    assert diff(old, []) == [Remove(0, 250)]
    new = old[:10] + [row(f"n{n}") for n in range(40)] + old[10:]
    assert diff(old, new) == [Insert(10, tuple(new[10:50]))]


def test_view_is_one_pure_function_of_snapshot_and_pending() -> None:
    state = three()
    state = state.add(update(state, image_row_key(20), description="x"))
    assert view(state.snapshot, state.pending) == state.view() == \
        view(state.snapshot, state.pending)


# ---- a lane's worth of answers: nothing moves that did not change ---------------------------

def _answer(state: ImageState, op: object) -> object:
    """What the store answers for `op` (the emulator's records, without a GET)."""
    from app.services.op_coalescing import plan_sort_orders

    if isinstance(op, UpdateFields):
        return op.changes.applied_to(state.snapshot.record(op.row_key))
    if isinstance(op, Reorder):
        listed = [key for key in op.order if state.snapshot.record(key) is not None]
        current = {key: state.snapshot.record(key).sort_order for key in listed}
        plan = plan_sort_orders(listed, current)
        return [replace(state.snapshot.record(key), sort_order=value)
                for key, value in plan.items()]
    return None


@settings(max_examples=150, deadline=None)
@given(sort_orders=st.lists(st.integers(0, 4), min_size=1, max_size=8), data=st.data())
def test_reconciling_each_answer_in_turn_moves_no_row(sort_orders: list[int],
                                                      data: st.DataObject) -> None:
    state = ImageState.from_server(PRODUCT, [image(n + 1, s, thumb=n == 0)
                                             for n, s in enumerate(sort_orders)])
    for _ in range(data.draw(st.integers(1, 8))):
        rows = keys(state.view())
        if not rows:
            break
        kind = data.draw(st.sampled_from(["text", "star", "delete", "reorder"]))
        key = data.draw(st.sampled_from(rows))
        if kind == "text":
            state = state.add(update(state, key, description=data.draw(st.text(max_size=3))))
        elif kind == "star":
            state = state.add(update(state, key, is_thumbnail=True))
        elif kind == "delete":
            state = state.add(Delete(op_id=next_op_id(), row_key=key, based_on=None))
        else:
            order = tuple(data.draw(st.permutations(rows)))
            state = state.add(Reorder(op_id=next_op_id(), order=order, based_on=()))
    while state.pending:  # the lane sends them in order
        op = state.pending[0].op
        state = state.sending(op.op_id)
        before = state.view()
        state = state.reconcile(op.op_id, _answer(state, op))
        after = state.view()
        assert keys(after) == keys(before)
        assert all(isinstance(change, Changed) for change in diff(before, after))
        assert sum(row.image.is_thumbnail for row in after) <= 1


def test_op_ids_continue_above_the_journals_after_a_restart() -> None:
    from app.services.image_state import next_op_id, seed_op_ids
    highest_in_journal = next_op_id() + 10_000  # ops of an earlier run, reloaded with their ids
    seed_op_ids(highest_in_journal)
    assert next_op_id() > highest_in_journal
    seed_op_ids(5)  # a lower seed never moves the counter back
    assert next_op_id() > highest_in_journal


def test_a_new_card_key_never_repeats_one_from_an_earlier_run() -> None:
    """An upload resumed from the journal keeps its key: a fresh process must not hand the
    same key to a new upload (both would be one row)."""
    import subprocess
    import sys

    script = "from app.services.image_state import new_row_key; print(new_row_key())"
    keys = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           check=True).stdout.strip() for _ in range(2)}
    assert len(keys) == 2 and all(key.startswith("new:") for key in keys)


def test_a_pending_reorder_marks_only_the_cards_that_moved() -> None:
    """A move of one card among many, or cards dropped amid them, marks those cards, not all."""
    from app.services.image_state import Badge, Pending, Reorder, view

    images = [ProductImage(id=n, product_id=1, sort_order=n) for n in range(1, 9)]
    state = ImageState.from_server(1, images)
    keys = [row.key for row in state.view()]
    order = (keys[5], *keys[:5], *keys[6:])  # the sixth card made first
    rows = view(state.snapshot, [Pending(Reorder(op_id=1, order=order, based_on=()))])
    assert [row.key for row in rows] == list(order)
    assert [row.key for row in rows if row.badge is Badge.WAITING] == [keys[5]]
