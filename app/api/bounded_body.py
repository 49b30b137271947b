"""Reads a streamed HTTP body with a cap on the bytes it becomes, a deadline and a cancel check.

A few KB of gzip can inflate to gigabytes, so the cap counts DECODED bytes while inflating and
asks zlib for at most one byte more than the room left: a bomb is stopped after `max_bytes`,
never inflated first. Only one coding is unpacked (gzip or deflate, what the clients ask for):
stacked codings such as "gzip, gzip" multiply a bomb and no real server needs them.

Used by the API transport and the image downloader; no Qt, no store knowledge.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Callable, Protocol

import httpx

from app.api import errors
from app.api.deadline import Deadline

#: What the clients send as Accept-Encoding: exactly the codings `read_bounded_body` unpacks.
ACCEPT_ENCODING = "gzip, deflate"

_IDENTITY = {"", "identity"}
_GZIP = {"gzip", "x-gzip"}
_DEFLATE = {"deflate"}
_STEP = 1024 * 1024  # most bytes unpacked by one zlib call


class _Inflater(Protocol):
    def feed(self, data: bytes, room: int) -> list[bytes]: ...

    @property
    def finished(self) -> bool: ...


class _Identity:
    finished = False  # plain bytes carry no end marker of their own

    def feed(self, data: bytes, room: int) -> list[bytes]:
        return [data]


class _Zlib:
    """gzip (members may follow each other, RFC 1952 §2.2) or deflate (zlib-wrapped or raw)."""

    def __init__(self, gzip: bool) -> None:
        self._gzip = gzip
        self._raw_deflate_tried = False
        self._decoder = self._new()

    @property
    def finished(self) -> bool:
        """The compressed stream ended properly (gzip: its last member's trailer)."""
        return self._decoder.eof

    def _new(self) -> "zlib._Decompress":
        return zlib.decompressobj(16 + zlib.MAX_WBITS if self._gzip else zlib.MAX_WBITS)

    def feed(self, data: bytes, room: int) -> list[bytes]:
        """At most `room + 1` decoded bytes, in pieces (joining them would copy): one byte more
        than fits is enough to know the body is too big."""
        out: list[bytes] = []
        produced = 0
        while data and produced <= room:
            try:
                # In steps: zlib builds its output in blocks and joins them, so one big step
                # would briefly hold twice what it returns.
                piece = self._decoder.decompress(data, min(room + 1 - produced, _STEP))
            except zlib.error:
                if self._gzip or self._raw_deflate_tried or produced:
                    raise httpx.DecodingError("broken compressed data") from None
                # Some servers send raw deflate without the zlib wrapper (as httpx allows).
                self._raw_deflate_tried = True
                self._decoder = zlib.decompressobj(-zlib.MAX_WBITS)
                continue
            out.append(piece)
            produced += len(piece)
            # End of stream first: there zlib leaves a stale unconsumed_tail beside unused_data.
            if self._decoder.eof:
                data = self._decoder.unused_data
                if data and not self._gzip:
                    raise httpx.DecodingError("data after the end of the deflate stream")
                if data:  # the next gzip member
                    self._decoder = self._new()
            else:
                data = self._decoder.unconsumed_tail  # the step or the room was used up
            self._raw_deflate_tried = True  # the first chunk decided the deflate flavour
        return out


def _inflater_for(content_encoding: str, what: str) -> _Inflater:
    codings = [c.strip().lower() for c in content_encoding.split(",")]
    packed = [c for c in codings if c not in _IDENTITY]
    if not packed:
        return _Identity()
    if len(packed) == 1 and packed[0] in _GZIP | _DEFLATE:
        return _Zlib(gzip=packed[0] in _GZIP)
    described = "packed several times over" if len(packed) > 1 else "packed in a way this app " \
        "does not unpack"
    raise errors.UnsupportedEncoding(
        f"{what} was {described} ({', '.join(packed)[:60]}), which no real store does, so it "
        "was refused. A proxy or firewall may be in the way; check the address.")


def _too_large(what: str, max_bytes: int) -> errors.ResponseTooLarge:
    return errors.ResponseTooLarge(
        f"{what} was larger than {max_bytes / (1024 * 1024):g} MB once unpacked, far more than "
        "it should ever be, so it was stopped. A proxy or firewall may be in the way; check "
        "the address.")


@dataclass(frozen=True)
class BoundedBody:
    data: bytes
    #: The end of the body was confirmed: by Content-Length or chunked framing (both checked by
    #: the HTTP layer) or by the compressed stream's own end. A plain body that merely stopped
    #: when the connection closed may be cut short: use it, but do not keep it as complete.
    complete: bool


def read_bounded_body(
    response: httpx.Response,
    *,
    max_bytes: int,
    deadline: Deadline | None = None,
    cancelled: Callable[[], bool] | None = None,
    what: str = "The store's answer",
) -> bytes:
    """The decoded body of a response opened with `stream=True` (see `read_bounded`)."""
    return read_bounded(response, max_bytes=max_bytes, deadline=deadline, cancelled=cancelled,
                        what=what).data


def read_bounded(
    response: httpx.Response,
    *,
    max_bytes: int,
    deadline: Deadline | None = None,
    cancelled: Callable[[], bool] | None = None,
    what: str = "The store's answer",
) -> BoundedBody:
    """The decoded body of a response opened with `stream=True`, read chunk by chunk, and
    whether its end was confirmed.

    Raises ResponseTooLarge (declared or decoded size above `max_bytes`), UnsupportedEncoding
    (stacked or unknown Content-Encoding), TimedOut (deadline passed between chunks),
    Cancelled (`cancelled()` true between chunks), httpx.DecodingError (broken gzip/deflate)
    and httpx.RemoteProtocolError (a compressed body that ended before its stream did).
    httpx transport errors (ReadTimeout, RemoteProtocolError for a body cut short...) pass
    through for the caller to map, since only it knows whether to retry. A single blocked read
    is bounded by the client's read timeout, which the caller keeps within the deadline.
    `what` starts each message ("The picture", "The store's answer"). The caller closes the
    response.
    """
    inflater = _inflater_for(response.headers.get("content-encoding", ""), what)
    declared = response.headers.get("content-length", "").strip()
    if declared.isdigit() and len(declared) < 20 and int(declared) > max_bytes \
            and isinstance(inflater, _Identity):
        raise _too_large(what, max_bytes)
    # Pieces joined once at the end: at most max_bytes held, and one copy while joining.
    pieces: list[bytes] = []
    decoded = raw_received = 0
    for chunk in response.iter_raw():
        if cancelled is not None and cancelled():
            raise errors.Cancelled("Cancelled.")
        if deadline is not None and deadline.expired:
            raise errors.TimedOut(f"{what} came too slowly and was stopped; try again later.")
        raw_received += len(chunk)
        if raw_received > max_bytes:  # also stops endless packed data that decodes to nothing
            raise _too_large(what, max_bytes)
        unpacked = inflater.feed(chunk, max_bytes - decoded)
        decoded += sum(map(len, unpacked))
        if decoded > max_bytes:
            raise _too_large(what, max_bytes)
        pieces += unpacked
    packed = not isinstance(inflater, _Identity)
    if packed and raw_received and not inflater.finished:
        raise httpx.RemoteProtocolError(f"{what} arrived incomplete (its packed data was cut "
                                         "short)")
    framed = declared.isdigit() or "chunked" in response.headers.get(
        "transfer-encoding", "").lower()
    return BoundedBody(b"".join(pieces), complete=framed or (packed and inflater.finished))
