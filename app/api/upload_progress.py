"""Bytes of an upload handed to the wire, as they go.

httpx streams a multipart file field by reading its file object in 64 KB chunks and writing
each chunk before it reads the next, so a file object that counts its reads knows how much of
the body has left. The count is of bytes read for the wire: at most one chunk ahead of the
socket, and it starts again at 0 when the request is sent again (a 429 waited out).
"""

from __future__ import annotations

import io
from collections.abc import Callable

#: (bytes sent, bytes in all) of one file; called on the thread that sends the request.
UploadProgress = Callable[[int, int], None]


class ProgressReader(io.BytesIO):
    """The bytes of one file, reporting after each read how many of them left so far.

    A BytesIO, so httpx measures its length (a Content-Length, never a chunked body) and
    rewinds it before a resend; `on_progress` must be quick and must not raise."""

    def __init__(self, content: bytes, on_progress: UploadProgress) -> None:
        super().__init__(content)
        self.total = len(content)
        self._on_progress = on_progress
        self._reported = -1

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        if self.tell() != self._reported:  # the closing empty read says nothing new
            self._reported = self.tell()
            self._on_progress(self._reported, self.total)
        return chunk

    @property
    def sent(self) -> int:
        """Bytes of the file read for the wire in the current send."""
        return self.tell()
