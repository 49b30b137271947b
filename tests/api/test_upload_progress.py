"""Upload progress: the v3 multipart body streams out of a counting file object, so the caller
hears how many of the file's bytes have left, without changing what goes on the wire."""

from __future__ import annotations

import math
import os
import socket
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from app.api import OAuthCredentials, errors
from app.api.cancellation import cancel_scope
from app.api.image_files import read_image_upload
from app.store_emulator import StoreEmulator
from tests.api.conftest import ClientFactory

CHUNK = 64 * 1024  # httpx reads a multipart file field this much at a time


def noisy_png(path: Path, side: int = 700) -> int:
    """A real picture that does not compress (random pixels): ~1.4 MB for 700 px."""
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(path, "PNG")
    return path.stat().st_size


def test_progress_reaches_the_whole_file_in_order_with_one_report_per_chunk(
        emulator: StoreEmulator, make_client: ClientFactory, tmp_path: Path) -> None:
    emu = emulator
    pid = emu.add_product("Progress", "PRG-1")
    picture = tmp_path / "big.png"
    size = noisy_png(picture)
    reports: list[tuple[int, int]] = []
    created = make_client(emu, "oauth").create_image_from_file(
        pid, picture, complete=False, on_progress=lambda sent, total: reports.append((sent, total)))
    assert created.id and emu.image_count(pid) == 1
    sent = [s for s, _ in reports]
    assert {total for _, total in reports} == {size}
    assert sent[-1] == size                      # reaches the whole file
    assert sent == sorted(sent) and len(set(sent)) == len(sent)  # only ever forward
    assert sent[0] == 0                          # from the start
    assert len(reports) <= math.ceil(size / CHUNK) + 1  # one report per chunk, no more
    assert len(reports) > 5                        # and more than "start" and "done"


def test_a_progress_upload_keeps_its_content_length(
        emulator: StoreEmulator, make_client: ClientFactory, tmp_path: Path) -> None:
    """Streamed from the counting file, the body is still measured (no chunked upload, which
    some proxies refuse) and the store takes it."""
    emu = emulator
    pid = emu.add_product("Same bytes", "PRG-2")
    picture = tmp_path / "same.png"
    noisy_png(picture, side=300)
    client = make_client(emu, "oauth")
    emu.clear_requests()
    created = client.upload_image(pid, read_image_upload(picture), complete=True,
                                  on_progress=lambda sent, total: None)
    post = emu.requests()[0]
    assert post.method == "POST" and int(post.headers["content-length"]) > picture.stat().st_size
    assert "transfer-encoding" not in {name.lower() for name in post.headers}
    assert created.has_renditions and emu.image_count(pid) == 1


def test_cancel_during_the_body_stops_it_and_no_image_lands(
        emulator: StoreEmulator, make_client: ClientFactory, tmp_path: Path) -> None:
    """The cancel scope still reaches a request whose body is streaming: set from the
    progress callback halfway, the upload stops there and the store gets nothing."""
    emu = emulator
    pid = emu.add_product("Stopped", "PRG-3")
    picture = tmp_path / "stopped.png"
    size = noisy_png(picture)
    stop = threading.Event()
    reports: list[int] = []

    def on_progress(sent: int, total: int) -> None:
        reports.append(sent)
        if sent >= total // 3:
            stop.set()

    with cancel_scope(stop), pytest.raises(errors.Cancelled):
        make_client(emu, "oauth").create_image_from_file(pid, picture, on_progress=on_progress)
    assert reports[-1] < size
    assert emu.image_count(pid) == 0


def test_cancel_reaches_an_upload_blocked_on_a_store_that_does_not_read(
        make_client: ClientFactory, tmp_path: Path) -> None:
    """A store that takes the connection and then reads nothing: the upload fills the socket
    buffers and its write blocks. Cancel still stops it (the write waits in slices that check
    cancel), instead of holding the worker until the write timeout or the deadline."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    held: list[socket.socket] = []
    threading.Thread(target=lambda: held.append(server.accept()[0]), daemon=True).start()
    port = server.getsockname()[1]
    client = make_client(credentials=OAuthCredentials(
        "silent", "token", api_base=f"http://127.0.0.1:{port}/stores/silent/v2"))
    picture = tmp_path / "big.png"
    noisy_png(picture, side=1600)
    stop = threading.Event()
    reports: list[int] = []
    failures: list[Exception] = []

    def upload() -> None:
        try:
            with cancel_scope(stop):
                client.create_image_from_file(1, picture, on_progress=lambda s, t: reports.append(s))
        except errors.ApiError as failure:
            failures.append(failure)

    sender = threading.Thread(target=upload, daemon=True)
    sender.start()
    try:
        stalled = 0
        while stalled < 3:  # the body stopped moving: the socket buffers are full
            seen = len(reports)
            time.sleep(0.1)
            stalled = stalled + 1 if reports and len(reports) == seen else 0
        stop.set()
        sender.join(timeout=20)  # without slices it would sit out the 60 s write timeout
        assert not sender.is_alive()
        assert len(failures) == 1 and isinstance(failures[0], errors.Cancelled)
        assert reports[-1] < picture.stat().st_size
    finally:
        for sock in (*held, server):
            sock.close()
        sender.join(timeout=70)
