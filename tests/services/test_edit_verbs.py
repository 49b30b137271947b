"""The merchant's verbs as operations, and their inverses: pure, no window, no store."""

from __future__ import annotations

import itertools
from pathlib import Path

from app.api.models import ProductImage
from app.services.edit_verbs import (
    COPY_NOTE,
    KeyAliases,
    NewFile,
    add_edit,
    alt_text_edit,
    delete_edit,
    move_edit,
    order_with_moved,
    step_edit,
    thumbnail_edit,
    to_back_edit,
    to_front_edit,
)
from app.services.image_state import (
    CreateFromFile,
    CreateFromUrl,
    Delete,
    DeleteAll,
    ImageState,
    Reorder,
    UpdateFields,
    ViewRow,
)


def rows_of(count: int, thumbnail: int | None = 0) -> list[ViewRow]:
    images = [ProductImage(id=10 + n, product_id=1, image_file=f"p/{n}.jpg", sort_order=n,
                           is_thumbnail=n == thumbnail, description=f"alt {n}",
                           zoom_url=f"https://cdn.example/{n}.1280.jpg")
              for n in range(count)]
    return ImageState.from_server(1, images).view()


def keys(rows: list[ViewRow]) -> list[str]:
    return [row.key for row in rows]


def test_a_drop_moves_the_selection_as_one_block_before_the_row_under_the_drop() -> None:
    order = list("abcdef")
    assert order_with_moved(order, ["b", "e"], 4) == list("acdbef")  # before "e"'s slot: d|e
    assert order_with_moved(order, ["b", "e"], 0) == list("beacdf")
    assert order_with_moved(order, ["a"], 6) == list("bcdefa")
    assert order_with_moved(order, ["c"], 3) == order  # dropped onto itself: nothing moves


def test_a_drop_matches_a_brute_force_reading_of_insert_before_the_anchor() -> None:
    order = list("abcde")
    for size in (1, 2, 3):
        for moving in itertools.combinations(order, size):
            for to in range(len(order) + 1):
                anchor = next((k for k in order[to:] if k not in moving), None)
                rest = [k for k in order if k not in moving]
                expected = (rest[:rest.index(anchor)] + list(moving) + rest[rest.index(anchor):]
                            if anchor else rest + list(moving))
                assert order_with_moved(order, moving, to) == expected


def test_stepping_moves_each_selected_image_past_its_unselected_neighbour() -> None:
    rows = rows_of(5)
    k = keys(rows)
    edit = step_edit(rows, [k[1], k[3]], -1)
    assert edit is not None and edit.label == "Move 2 images"
    (step,) = edit.steps
    assert isinstance(step.op, Reorder) and list(step.op.order) == [k[1], k[0], k[3], k[2], k[4]]
    assert step_edit(rows, [k[0]], -1) is None  # already first
    right = step_edit(rows, [k[3], k[4]], +1)
    assert right is None  # the block is at the end already


def test_front_and_back_and_the_undo_of_a_move_restores_the_order() -> None:
    rows = rows_of(4)
    k = keys(rows)
    front = to_front_edit(rows, [k[2]])
    assert front is not None and front.label == "Make first"
    assert list(front.steps[0].op.order) == [k[2], k[0], k[1], k[3]]
    back = to_back_edit(rows, [k[0], k[1]])
    assert back is not None and list(back.steps[0].op.order) == [k[2], k[3], k[0], k[1]]
    (undo,) = back.steps[0].inverse
    assert isinstance(undo, Reorder) and list(undo.order) == k
    assert move_edit(rows, [k[1]], 1) is None


def test_alt_text_edits_leave_out_unchanged_rows_and_undo_to_the_old_text() -> None:
    rows = rows_of(3)
    edit = alt_text_edit(rows, {rows[0].key: "alt 0", rows[2].key: "New"})
    assert edit is not None and edit.label == "Change alt text"
    (step,) = edit.steps
    assert isinstance(step.op, UpdateFields) and step.op.changes.description == "New"
    assert step.op.based_on == rows[2].image
    (undo,) = step.inverse
    assert isinstance(undo, UpdateFields) and undo.changes.description == "alt 2"
    assert alt_text_edit(rows, {rows[0].key: "alt 0"}) is None


def test_a_new_thumbnail_undoes_to_the_old_one_or_to_none() -> None:
    rows = rows_of(3, thumbnail=0)
    edit = thumbnail_edit(rows, rows[2].key)
    assert edit is not None
    (undo,) = edit.steps[0].inverse
    assert isinstance(undo, UpdateFields) and undo.row_key == rows[0].key
    assert undo.changes.is_thumbnail is True
    no_star = rows_of(2, thumbnail=None)
    (undo,) = thumbnail_edit(no_star, no_star[1].key).steps[0].inverse  # type: ignore[union-attr]
    assert undo.row_key == no_star[1].key and undo.changes.is_thumbnail is False
    assert thumbnail_edit(rows, rows[0].key) is None  # it is the thumbnail already


def test_deleting_every_image_is_one_bulk_op_and_any_other_selection_one_per_image() -> None:
    rows = rows_of(3)
    every = delete_edit(rows, keys(rows))
    assert every is not None and every.label == "Delete 3 images"
    (step,) = every.steps
    assert isinstance(step.op, DeleteAll) and len(step.op.based_on) == 3
    creates = [op for op in step.inverse if isinstance(op, CreateFromUrl)]
    assert [c.url for c in creates] == [row.image.zoom_url for row in rows]
    assert [c.description for c in creates] == ["alt 0", "alt 1", "alt 2"]
    stars = [op for op in step.inverse if isinstance(op, UpdateFields)]
    assert len(stars) == 1 and stars[0].row_key == creates[0].row_key
    some = delete_edit(rows, [rows[1].key, rows[2].key])
    assert some is not None and [type(s.op) for s in some.steps] == [Delete, Delete]
    assert some.steps[0].inverse_note == COPY_NOTE
    assert some.steps[0].inverse[0].position == 1  # type: ignore[union-attr]


def test_adding_in_the_middle_queues_a_reorder_after_the_uploads(tmp_path: Path) -> None:
    rows = rows_of(3)
    files = [NewFile(tmp_path / "a.jpg", "a.jpg"), NewFile(tmp_path / "b.jpg", "b.jpg")]
    edit = add_edit(rows, files, ["https://example.com/c.png"], position=1)
    assert edit is not None and edit.label == "Add 3 images"
    ops = edit.ops
    assert [type(op) for op in ops] == [CreateFromFile, CreateFromFile, CreateFromUrl, Reorder]
    new_keys = [op.row_key for op in ops[:3]]  # type: ignore[union-attr]
    assert list(ops[3].order) == [rows[0].key, *new_keys, rows[1].key, rows[2].key]  # type: ignore[union-attr]
    assert all(isinstance(s.inverse[0], Delete) for s in edit.steps[:3])
    at_end = add_edit(rows, files)
    assert at_end is not None and not any(isinstance(op, Reorder) for op in at_end.ops)
    # What the grid shows: the cards where they were dropped.
    state = ImageState.from_server(1, [row.image for row in rows])
    for op in ops:
        state = state.add(op)
    assert keys(state.view()) == list(ops[3].order)  # type: ignore[union-attr]


def test_adding_to_a_product_whose_rows_are_not_known_puts_the_cards_after_its_images(
        tmp_path: Path) -> None:
    """A drop on a product in the list: its images are not on screen, so the edit is made
    from no rows; when the product's images are known, the new cards come after them."""
    rows = rows_of(3)
    files = [NewFile(tmp_path / "a.jpg", "a.jpg"), NewFile(tmp_path / "b.jpg", "b.jpg")]
    edit = add_edit([], files, ["https://example.com/c.png"])
    assert edit is not None and not any(isinstance(op, Reorder) for op in edit.ops)
    state = ImageState.from_server(1, [row.image for row in rows])
    for op in edit.ops:
        state = state.add(op)
    new_keys = [op.row_key for op in edit.ops]  # type: ignore[union-attr]
    assert keys(state.view()) == [row.key for row in rows] + new_keys


def test_aliases_follow_a_re_created_image() -> None:
    aliases = KeyAliases()
    aliases.add("image:1", "new:5")
    aliases.add("new:5", "new:9")
    assert aliases.resolve("image:1") == "new:9"
    op = Delete(op_id=1, row_key="image:1", based_on=None)
    assert aliases.op(op).row_key == "new:9"  # type: ignore[union-attr]
    reorder = Reorder(op_id=2, order=("image:2", "image:1"), based_on=())
    assert aliases.op(reorder).order == ("image:2", "new:9")  # type: ignore[union-attr]


def test_adding_again_replaces_the_card_in_its_place_with_its_text_and_star(
        tmp_path: Path) -> None:
    from app.services.edit_verbs import readd_edit

    rows = rows_of(4, thumbnail=1)
    edit = readd_edit(rows, rows[1].key, tmp_path / "copy.jpg")
    assert edit is not None
    create, star, delete, reorder = edit.ops
    assert isinstance(create, CreateFromFile) and create.description == "alt 1"
    assert isinstance(star, UpdateFields) and star.row_key == create.row_key
    assert isinstance(delete, Delete) and delete.row_key == rows[1].key
    assert isinstance(reorder, Reorder)
    assert list(reorder.order) == [rows[0].key, create.row_key, rows[2].key, rows[3].key]
    state = ImageState.from_server(1, [row.image for row in rows])
    for op in edit.ops:
        state = state.add(op)
    assert keys(state.view()) == list(reorder.order)
