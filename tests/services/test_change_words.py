"""A pending change in the merchant's words, the same in the queue's messages and the panel."""

from __future__ import annotations

from pathlib import Path

from app.api.models import ProductImage
from app.services.change_words import (WAITING_FOR_NETWORK, WAITING_WHILE_OFFLINE, state_words,
                                       summary, what)
from app.services.image_state import (CreateFromFile, CreateFromUrl, Delete, DeleteAll,
                                      FieldChanges, Reorder, SyncState, UpdateFields,
                                      image_row_key)
from app.services.image_state import SENDING, WAITING

IMAGE = ProductImage(id=7, product_id=1, image_file="x/y/tote-front.jpg", description="")


def test_each_kind_of_change_has_its_line() -> None:
    upload = CreateFromFile(op_id=1, row_key="new-1", path=Path("/tmp/a.jpg"), sha256="",
                            size=1, name="mug.png", position=0)
    assert (what(upload), summary(upload)) == ("The upload of mug.png", "Add mug.png")
    from_web = CreateFromUrl(op_id=2, row_key="new-2", url="https://example.com/p/bag.jpg",
                             position=0)
    assert summary(from_web) == "Add the picture from bag.jpg"
    alt = UpdateFields(op_id=3, row_key=image_row_key(7),
                       changes=FieldChanges(description="Front\nview " + "x" * 80),
                       based_on=IMAGE)
    line = summary(alt)
    assert line.startswith("tote-front.jpg: alt text “Front view x") and line.endswith("…”")
    star = UpdateFields(op_id=4, row_key="new-1", changes=FieldChanges(is_thumbnail=True),
                        based_on=None)
    assert summary(star) == "New picture: made the thumbnail"
    assert summary(Delete(op_id=5, row_key=image_row_key(7), based_on=IMAGE)) == \
        "Delete tote-front.jpg"
    assert summary(DeleteAll(op_id=6, based_on=(IMAGE, IMAGE))) == "Delete all 2 pictures"
    assert summary(Reorder(op_id=7, order=("a", "b", "c"), based_on=())) == \
        "New order of 3 pictures"


def test_where_a_change_is() -> None:
    assert state_words(WAITING) == "Waiting"
    assert state_words(WAITING, waiting=WAITING_FOR_NETWORK) == "Waiting for the network"
    assert state_words(WAITING, waiting=WAITING_WHILE_OFFLINE) == \
        "Waiting: you are working offline"
    assert state_words(SENDING, waiting=WAITING_WHILE_OFFLINE) == "Sending…"
    assert state_words(SENDING) == "Sending…"
    assert state_words(SyncState.failed("The store refused it.")) == \
        "Failed: The store refused it."
