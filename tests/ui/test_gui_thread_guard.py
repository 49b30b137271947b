"""The guard itself: each kind of blocking work on the GUI thread is caught."""

from __future__ import annotations

import socket
import sqlite3
import threading
from pathlib import Path

import httpx
import pytest
from PySide6.QtGui import QImage

from tests.support.gui_thread_guard import GuiThreadViolation



def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (1, 1), "red").save(buffer, "PNG")
    return buffer.getvalue()


PNG_1x1 = _png()  # made at import, before any guard is on


def _caught(guard, action) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(GuiThreadViolation) as caught:
        action()
    guard.violations.clear()  # expected here; the fixture fails on anything left
    return str(caught.value)


def test_network_sqlite_cache_decode_and_tls_bundle_are_caught(gui_thread_guard,
                                                               tmp_path: Path) -> None:
    guard = gui_thread_guard
    assert "network" in _caught(guard, lambda: socket.create_connection(("127.0.0.1", 9), 1))
    assert "SQLite" in _caught(guard, lambda: sqlite3.connect(":memory:"))
    with guard.paused():
        (tmp_path / "cache").mkdir()
        (tmp_path / "cache" / "entry").write_bytes(PNG_1x1)
        (tmp_path / "config").mkdir()
        (tmp_path / "config" / "stores.json").write_text('{"stores": []}')
    assert "file opened" in _caught(guard, (tmp_path / "cache" / "entry").read_bytes)
    assert "stores.json" in _caught(guard, (tmp_path / "config" / "stores.json").read_text)
    assert "QImage.fromData" in _caught(guard, lambda: QImage.fromData(PNG_1x1))
    # An httpx client built without the shared TLS context reads the CA bundle.
    assert "load_verify_locations" in _caught(guard, httpx.Client)
    # The app's clients share the context: free to make anywhere.
    from app.api.tls import tls_context

    httpx.Client(verify=tls_context()).close()


def test_the_same_work_on_a_worker_thread_is_fine(gui_thread_guard) -> None:
    results: list[object] = []

    def work() -> None:
        results.append(QImage.fromData(PNG_1x1).width())
        results.append(sqlite3.connect(":memory:").execute("select 1").fetchone()[0])
        httpx.Client().close()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert results == [1, 1]
    assert gui_thread_guard.violations == []
