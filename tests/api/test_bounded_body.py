"""read_bounded_body: the cap counts unpacked bytes while unpacking, one coding only."""

from __future__ import annotations

import gzip
import threading
import tracemalloc
import zlib
from collections.abc import Iterator

import httpx
import pytest

from app.api import errors
from app.api.bounded_body import read_bounded_body
from app.api.deadline import Deadline

CAP = 1024 * 1024


def response(body: bytes | Iterator[bytes], **headers: str) -> httpx.Response:
    stream = httpx.ByteStream(body) if isinstance(body, bytes) else _Chunks(body)
    return httpx.Response(200, headers={k.replace("_", "-"): v for k, v in headers.items()},
                          stream=stream)


class _Chunks(httpx.SyncByteStream):
    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        yield from self._chunks


def gzip_of_spaces(size: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b" " * (1024 * 1024)
    return b"".join(packer.compress(block) for _ in range(size // len(block))) + packer.flush()


def test_a_gzip_bomb_is_stopped_after_the_cap_without_being_inflated() -> None:
    bomb = gzip_of_spaces(128 * 1024 * 1024)  # 128 MB in about 130 KB
    tracemalloc.start()
    try:
        with pytest.raises(errors.ResponseTooLarge) as caught:
            read_bounded_body(response(bomb, Content_Encoding="gzip"), max_bytes=CAP)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < len(bomb) + 4 * CAP  # the packed body, and about the cap unpacked
    assert "1 MB" in caught.value.message and "stopped" in caught.value.message


@pytest.mark.parametrize("coding", ["gzip, gzip", "gzip,deflate", "deflate, gzip", "br",
                                    "zstd", "compress", "gzip, br"])
def test_stacked_or_unknown_codings_are_refused(coding: str) -> None:
    body = gzip.compress(gzip.compress(b"[]"))
    with pytest.raises(errors.UnsupportedEncoding) as caught:
        read_bounded_body(response(body, Content_Encoding=coding), max_bytes=CAP)
    assert "refused" in caught.value.message


@pytest.mark.parametrize("coding", ["", "identity", "gzip", "x-gzip", "GZIP", "gzip, identity",
                                    "deflate", "raw-deflate"])
def test_one_coding_is_unpacked(coding: str) -> None:
    data = b'[{"id": 1}]' * 1000
    packed = {"": data, "identity": data, "deflate": zlib.compress(data),
              "raw-deflate": zlib.compress(data)[2:-4]}.get(coding, gzip.compress(data))
    header = "deflate" if coding == "raw-deflate" else coding
    assert read_bounded_body(response(packed, Content_Encoding=header), max_bytes=CAP) == data


def test_gzip_members_are_all_unpacked_and_all_counted() -> None:
    member = gzip.compress(b"x" * 1000)
    assert read_bounded_body(response(member * 3, Content_Encoding="gzip"),
                             max_bytes=3000) == b"x" * 3000
    with pytest.raises(errors.ResponseTooLarge):
        read_bounded_body(response(member * 4, Content_Encoding="gzip"), max_bytes=3000)


def test_members_that_end_exactly_where_a_step_ends_are_all_read() -> None:
    """zlib leaves a stale unconsumed_tail at the end of a member cut at a step boundary."""
    member = gzip.compress(b" " * (4 * 1024 * 1024))
    body = read_bounded_body(response(member * 3, Content_Encoding="gzip"),
                             max_bytes=16 * 1024 * 1024)
    assert len(body) == 12 * 1024 * 1024


def test_the_cap_is_inclusive_for_plain_bodies() -> None:
    assert len(read_bounded_body(response(b" " * CAP), max_bytes=CAP)) == CAP
    with pytest.raises(errors.ResponseTooLarge):
        read_bounded_body(response(b" " * (CAP + 1)), max_bytes=CAP)


def test_a_declared_length_over_the_cap_fails_before_reading() -> None:
    def never() -> Iterator[bytes]:
        raise AssertionError("the body was read")
        yield b""  # pragma: no cover

    with pytest.raises(errors.ResponseTooLarge):
        read_bounded_body(response(never(), Content_Length=str(CAP + 1)), max_bytes=CAP)


def test_endless_packed_data_that_unpacks_to_nothing_is_stopped() -> None:
    empty_member = gzip.compress(b"")
    endless = (empty_member for _ in iter(int, 1))
    with pytest.raises(errors.ResponseTooLarge):
        read_bounded_body(response(endless, Content_Encoding="gzip"), max_bytes=CAP)


def test_broken_gzip_is_a_decoding_error() -> None:
    with pytest.raises(httpx.DecodingError):
        read_bounded_body(response(b"\x1f\x8b\x08\x00" + b"\xff" * 40, Content_Encoding="gzip"),
                          max_bytes=CAP)


def test_cancel_and_the_deadline_stop_between_chunks() -> None:
    cancel = threading.Event()

    def chunks() -> Iterator[bytes]:
        yield b"["
        cancel.set()
        while True:
            yield b" "

    with pytest.raises(errors.Cancelled):
        read_bounded_body(response(chunks()), max_bytes=CAP, cancelled=cancel.is_set)
    with pytest.raises(errors.TimedOut):
        read_bounded_body(response(iter([b"[", b"]"])), max_bytes=CAP,
                          deadline=Deadline.after(-1))
