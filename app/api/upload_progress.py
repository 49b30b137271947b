"""Bytes of an upload written to the connection, as they go.

httpx streams a multipart file field by reading its file object in 64 KB chunks, and asks for
the next chunk only once it has written the previous one to the socket. So at each read, what
was read before has been written: a file object that reports its position as each read starts
counts the bytes written, the last report (the read that finds the end) meaning the whole file
has left. The count starts again at 0 when the request is sent again (a 429 waited out).
"""

from __future__ import annotations

import io
from collections.abc import Callable

#: (bytes sent, bytes in all) of one file; called on the thread that sends the request.
UploadProgress = Callable[[int, int], None]


class ProgressReader(io.BytesIO):
    """The bytes of one file, reporting how many of them were written each time the sender
    asks for more.

    A BytesIO, so httpx measures its length (a Content-Length, never a chunked body) and
    rewinds it before a resend; `on_progress` must be quick and must not raise."""

    def __init__(self, content: bytes, on_progress: UploadProgress) -> None:
        super().__init__(content)
        self.total = len(content)
        self._on_progress = on_progress
        self._reported = -1

    def read(self, size: int | None = -1) -> bytes:
        written = self.tell()  # the sender wrote all it read before asking again
        if written != self._reported:
            self._reported = written
            self._on_progress(written, self.total)
        return super().read(size)
