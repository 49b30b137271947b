"""Upload progress: the v3 multipart body streams out of a counting file object, so the caller
hears how many of the file's bytes have left, without changing what goes on the wire."""

from __future__ import annotations

import math
import os
import threading
from pathlib import Path

import pytest
from PIL import Image

from app.api import errors
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
    assert len(reports) <= math.ceil(size / CHUNK)  # one report per chunk, no more
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
