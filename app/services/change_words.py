"""What a pending change is, in the merchant's words (Qt-free).

One place for the words, so the write queue's failure messages ("The upload of tote.jpg did not
reach the store…") and the Pending changes panel ("Upload tote.jpg") name a change alike.
"""

from __future__ import annotations

from app.api.models import ProductImage
from app.api.upload_search import url_file_name
from app.services.image_state import (CreateFromFile, CreateFromUrl, Delete, DeleteAll,
                                      Operation, Phase, Reorder, SyncState, UpdateFields)
from app.services.problems import clip

#: How much of a new alt text a one-line summary quotes.
QUOTED_CHARS = 60


def what(op: Operation) -> str:
    """The change as the subject of a sentence: "The upload of tote.jpg"."""
    if isinstance(op, CreateFromFile):
        return f"The upload of {op.name}"
    if isinstance(op, CreateFromUrl):
        return f"The picture from {url_file_name(op.url) or op.url}"
    if isinstance(op, UpdateFields):
        return "The change to this picture"
    if isinstance(op, Delete):
        return "Deleting this picture"
    if isinstance(op, DeleteAll):
        return "Deleting all pictures"
    return "The new order"


def picture_name(image: ProductImage | None) -> str:
    """A picture as the merchant knows it: its file name ("a new picture": not on the store
    yet, so it has none)."""
    if image is None:
        return "a new picture"
    return url_file_name(image.image_file) or f"picture {image.id}"


def summary(op: Operation) -> str:
    """One line for a list of changes: "Upload tote.jpg", "Alt text of tote.jpg: “Back”"."""
    if isinstance(op, CreateFromFile):
        return f"Add {op.name}"
    if isinstance(op, CreateFromUrl):
        return f"Add the picture from {url_file_name(op.url) or op.url}"
    if isinstance(op, UpdateFields):
        name = picture_name(op.based_on)
        changes = op.changes
        parts = []
        if changes.description is not None:
            text = clip(changes.description, QUOTED_CHARS) if changes.description else ""
            parts.append(f"alt text “{text}”" if text else "alt text removed")
        if changes.is_thumbnail:
            parts.append("made the thumbnail")
        elif changes.is_thumbnail is False:
            parts.append("no longer the thumbnail")
        if changes.sort_order is not None:
            parts.append("moved")
        name = "New picture" if op.based_on is None else name  # a file name keeps its case
        return f"{name}: {', '.join(parts) or 'changed'}"
    if isinstance(op, Delete):
        return f"Delete {picture_name(op.based_on)}"
    if isinstance(op, DeleteAll):
        count = len(op.based_on)
        return f"Delete all {count:,} pictures" if count != 1 else "Delete the only picture"
    if isinstance(op, Reorder):
        return f"New order of {len(op.order):,} pictures"
    return what(op)


#: What a waiting change says, by why it waits.
WAITING = "Waiting"
WAITING_FOR_NETWORK = "Waiting for the network"
WAITING_WHILE_OFFLINE = "Waiting: you are working offline"


def state_words(sync: SyncState, *, waiting: str = WAITING) -> str:
    """Where a change is: "Waiting" (or `waiting`: why it waits), "Sending…",
    "Failed: <reason>", "On the store"."""
    if sync.phase is Phase.FAILED:
        return f"Failed: {sync.reason}" if sync.reason else "Failed"
    if sync.phase is Phase.SENDING:
        return "Sending…"
    if sync.phase is Phase.DONE:
        return "On the store"
    return waiting
