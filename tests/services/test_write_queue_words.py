"""A failed change's card names the actions its menu offers: Retry, Discard (and Add it again
for a picture deleted on the store), never a "Revert" the merchant cannot find."""

from __future__ import annotations

from app.api import errors
from app.services import write_queue
from app.services.image_state import FieldChanges, UpdateFields, next_op_id


def test_failure_texts_name_the_card_menus_actions() -> None:
    op = UpdateFields(op_id=next_op_id(), row_key="image:1",
                      changes=FieldChanges(description="Mug"), based_on=None)
    texts = [write_queue.DELETED_ON_STORE, write_queue.NOT_ON_STORE_YET,
             write_queue._ask_merchant(op), write_queue._cancelled_but_unsure(op),
             write_queue._reason(op, errors.ApiError("odd", applied=None))]
    for text in texts:
        assert "Revert" not in text, text
        assert "Discard" in text, text
    assert "Add it again" in write_queue.DELETED_ON_STORE
    assert "deleted on the store" in write_queue.DELETED_ON_STORE
