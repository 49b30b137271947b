"""Fewer requests for the same result: rules the write lane applies to a product's queue.

Only operations still WAITING are touched (one being sent, failed or done is what the
merchant and the journal know about as it is). Each rule returns a new queue; the ops it drops
are the journal's to delete, the ops it changes the journal's to rewrite:

- `merge_field_edits`: two waiting edits of one image become one PUT, in the place of the
  first, when nothing queued between them could make the order matter.
- `collapse_reorders`: consecutive waiting reorders become the last one (each carries the
  whole order, so the last says everything), based on what the first was based on.
- `plan_sort_orders`: the sort_order values a reorder sends, the fewest PUTs there can be
  (issue 9 §3, `reorder_plan`: a longest chain of rows that keep their value, with room
  between neighbours for the others).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from app.services.image_state import (
    CreateFromFile,
    CreateFromUrl,
    Delete,
    DeleteAll,
    Operation,
    Pending,
    Phase,
    Reorder,
    RowKey,
    UpdateFields,
)
from app.services.reorder_plan import plan_reorder


def coalesce(pending: Sequence[Pending]) -> tuple[Pending, ...]:
    """Every rule, in the order that leaves the fewest requests."""
    return merge_field_edits(collapse_reorders(pending))


def _waiting(item: Pending) -> bool:
    return item.sync.phase is Phase.WAITING


def _touches_order_or_star(op: Operation) -> bool:
    if isinstance(op, UpdateFields):
        return op.changes.is_thumbnail is not None or op.changes.sort_order is not None
    return isinstance(op, (Reorder, DeleteAll, CreateFromFile, CreateFromUrl))


def _row_of(op: Operation) -> RowKey | None:
    return op.row_key if isinstance(op, (UpdateFields, Delete, CreateFromFile,
                                         CreateFromUrl)) else None


def _may_merge_across(between: Operation, key: RowKey, later: UpdateFields) -> bool:
    """Whether `later` may move back over `between` to join an earlier edit of `key`."""
    if _row_of(between) == key or isinstance(between, DeleteAll):
        return False
    # The star and the order are shared by all the product's images: an edit of them must
    # keep its place among the others' (A then B made thumbnail must leave B the thumbnail).
    return not (_touches_order_or_star(later) and _touches_order_or_star(between))


def merge_field_edits(pending: Sequence[Pending]) -> tuple[Pending, ...]:
    """A waiting edit of an image folds into the waiting edit of the same image before it
    (later values win, the earlier op's id and base stay: that is what the store last had)."""
    queue = list(pending)
    index = 1
    while index < len(queue):
        later = queue[index]
        merged = False
        if _waiting(later) and isinstance(later.op, UpdateFields):
            key = later.op.row_key
            for back in range(index - 1, -1, -1):
                earlier = queue[back]
                if isinstance(earlier.op, UpdateFields) and earlier.op.row_key == key:
                    if _waiting(earlier):
                        changes = later.op.changes.over(earlier.op.changes)
                        queue[back] = replace(earlier, op=replace(earlier.op, changes=changes))
                        del queue[index]
                        merged = True
                    break
                if not _may_merge_across(earlier.op, key, later.op):
                    break
        if not merged:
            index += 1
    return tuple(queue)


def collapse_reorders(pending: Sequence[Pending]) -> tuple[Pending, ...]:
    """A run of waiting reorders, with nothing between them but edits that leave the order
    alone (alt text), becomes its last reorder, based on what the first one saw."""
    queue: list[Pending] = []
    run_start: int | None = None   # index in `queue` of the run's reorder
    for item in pending:
        op = item.op
        if isinstance(op, Reorder) and _waiting(item):
            if run_start is not None:
                first = queue[run_start].op
                assert isinstance(first, Reorder)
                queue[run_start] = replace(item, op=replace(op, based_on=first.based_on))
                continue
            run_start = len(queue)
        elif not (isinstance(op, UpdateFields) and not _touches_order_or_star(op)):
            run_start = None
        queue.append(item)
    return tuple(queue)


def plan_sort_orders(order: Sequence[RowKey], sort_orders: Mapping[RowKey, int]
                     ) -> dict[RowKey, int]:
    """The sort_order each row must get so that the store shows `order` (row keys, first to
    last; `sort_orders` what the store has now): only the rows to rewrite, the fewest there
    can be (see `reorder_plan`). Iterating the dict gives a safe send order; a sender that
    must also be right on stores that shift siblings uses `plan_reorder(...).puts`, which adds
    the rare parking PUT."""
    plan = plan_reorder(order, sort_orders)
    return {key: plan.final[key] for key, _ in plan.puts}
