"""Coalescing a product's write queue: fewer requests, same store in the end."""

from __future__ import annotations

from app.services.image_state import (
    SENDING,
    Delete,
    FieldChanges,
    ImageState,
    Pending,
    Reorder,
    UpdateFields,
    image_row_key,
    next_op_id,
    view,
)
from app.services.op_coalescing import (
    coalesce,
    collapse_reorders,
    merge_field_edits,
    plan_sort_orders,
)
from tests.services.test_image_state import image, three

A, B, C = image_row_key(10), image_row_key(20), image_row_key(30)


def edit(key: str, **changes: object) -> UpdateFields:
    return UpdateFields(op_id=next_op_id(), row_key=key, changes=FieldChanges(**changes),
                        based_on=None)


def reorder(*order: str) -> Reorder:
    return Reorder(op_id=next_op_id(), order=order, based_on=())


def queue(*ops: object) -> tuple[Pending, ...]:
    return tuple(Pending(op) for op in ops)  # type: ignore[arg-type]


def test_two_waiting_description_edits_of_one_image_become_one() -> None:
    first, second = edit(A, description="Mug"), edit(A, description="Blue mug")
    merged = merge_field_edits(queue(first, edit(B, description="Plate"), second))
    assert merged[0].op.op_id == first.op_id and len(merged) == 2
    assert merged[0].op.changes == FieldChanges(description="Blue mug")


def test_an_edit_already_sending_is_not_merged_into() -> None:
    first, second = edit(A, description="Mug"), edit(A, description="Blue mug")
    pending = (Pending(first, SENDING), Pending(second))
    assert merge_field_edits(pending) == pending


def test_edits_on_either_side_of_a_delete_of_the_image_stay_apart() -> None:
    pending = queue(edit(A, description="x"), Delete(op_id=next_op_id(), row_key=A,
                                                     based_on=None), edit(A, description="y"))
    assert merge_field_edits(pending) == pending


def test_a_star_edit_does_not_jump_over_another_images_star() -> None:
    # A gets alt text, then B the star, then A the star: A must end as the thumbnail.
    pending = queue(edit(A, description="x"), edit(B, is_thumbnail=True),
                    edit(A, is_thumbnail=True))
    merged = merge_field_edits(pending)
    assert merged == pending
    state = ImageState.from_server(7, [image(10, 0), image(20, 1), image(30, 2, thumb=True)])
    stars = [r.key for r in view(state.snapshot, merged) if r.image.is_thumbnail]
    assert stars == [A]


def test_merging_keeps_the_view_the_merchant_sees() -> None:
    state = three()
    pending = queue(edit(A, description="a1"), edit(B, is_thumbnail=True),
                    edit(A, description="a2"), edit(C, description="c"),
                    edit(A, description="a3"))
    merged = coalesce(pending)
    assert len(merged) == 3
    assert view(state.snapshot, merged) == view(state.snapshot, pending)


def test_a_burst_of_reorders_keeps_only_the_final_order() -> None:
    state = three()
    first = Reorder(op_id=next_op_id(), order=(B, A, C), based_on=state.snapshot.images)
    pending = queue(first, reorder(B, C, A), edit(A, description="alt"), reorder(C, B, A))
    collapsed = collapse_reorders(pending)
    assert [type(item.op).__name__ for item in collapsed] == ["Reorder", "UpdateFields"]
    assert collapsed[0].op.order == (C, B, A)
    assert collapsed[0].op.based_on == state.snapshot.images  # what the store had
    assert view(state.snapshot, collapsed) == view(state.snapshot, pending)


def test_reorders_split_by_a_delete_or_one_already_sending_are_not_collapsed() -> None:
    pending = (Pending(reorder(B, A, C), SENDING), Pending(reorder(C, B, A)))
    assert collapse_reorders(pending) == pending
    split = queue(reorder(B, A, C), Delete(op_id=next_op_id(), row_key=A, based_on=None),
                  reorder(C, B))
    assert collapse_reorders(split) == split


def test_the_sort_order_seam_rewrites_only_what_is_out_of_place() -> None:
    assert plan_sort_orders([A, B, C], {A: 0, B: 5, C: 9}) == {}
    made_first = plan_sort_orders([C, A, B], {A: 0, B: 1, C: 2})
    assert made_first.keys() == {C} and made_first[C] < 0  # one PUT, not three
    swapped = plan_sort_orders([B, A, C], {A: 0, B: 1, C: 2})
    assert len(swapped) == 1
    after = {A: 0, B: 1, C: 2} | swapped
    assert sorted(after, key=after.__getitem__) == [B, A, C]
    assert len(set(after.values())) == 3  # strict: no tie left to the id
