"""The uploads under way as one batch, for the status line "Uploading 3 of 12 images — 45 %".

No Qt, no threads of its own: the write queue keeps one and tells it what happens to each
upload (joined, bytes sent, settled, withdrawn). A batch lasts while any upload waits or is
being sent; once none is left it starts empty again, so the next drop counts from 1.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BatchProgress:
    """What the status line shows. `settled` counts uploads that finished (on the store, or
    failed: a failed one says so on its card); cancelled ones leave the batch."""

    settled: int = 0
    count: int = 0
    sent_bytes: int = 0
    total_bytes: int = 0

    @property
    def active(self) -> bool:
        return self.settled < self.count

    @property
    def number(self) -> int:
        """Which upload is under way: "3" of "3 of 12"."""
        return min(self.settled + 1, self.count)

    @property
    def fraction(self) -> float:
        """Of the batch's bytes (of its uploads' count when no size is known), 0..1."""
        if self.total_bytes > 0:
            return min(1.0, self.sent_bytes / self.total_bytes)
        return self.settled / self.count if self.count else 0.0


class UploadBatch:
    def __init__(self) -> None:
        self._sizes: dict[int, int] = {}    # op id -> bytes (0: unknown, e.g. a web address)
        self._sent: dict[int, int] = {}     # op id -> bytes sent of the one being sent
        self._settled: set[int] = set()

    def join(self, op_id: int, size: int) -> None:
        """An upload queued (or put back in line by Retry or a restart)."""
        if not self.progress().active:
            self._sizes.clear()
            self._sent.clear()
            self._settled.clear()
        self._sizes[op_id] = max(0, size)
        self._settled.discard(op_id)
        self._sent.pop(op_id, None)

    def sent(self, op_id: int, sent: int) -> None:
        if op_id in self._sizes and op_id not in self._settled:
            self._sent[op_id] = min(sent, self._sizes[op_id])

    def settle(self, op_id: int) -> None:
        if op_id in self._sizes:
            self._settled.add(op_id)
            self._sent.pop(op_id, None)

    def withdraw(self, op_id: int) -> None:
        """Cancelled or reverted before it reached the store: no longer part of the batch."""
        self._sizes.pop(op_id, None)
        self._sent.pop(op_id, None)
        self._settled.discard(op_id)

    def knows(self, op_id: int) -> bool:
        return op_id in self._sizes

    def progress(self) -> BatchProgress:
        settled_bytes = sum(self._sizes[op_id] for op_id in self._settled)
        return BatchProgress(len(self._settled), len(self._sizes),
                             settled_bytes + sum(self._sent.values()),
                             sum(self._sizes.values()))
