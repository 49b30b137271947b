"""pytest plugin: the GUI thread must never touch the network, the image cache or a decoder.

While the `gui_thread_guard` fixture is active, any of these on the main thread raises at
once and is recorded (code under test may swallow the exception; the record still fails the
test at teardown):
- a socket connect or DNS lookup (audit events `socket.connect`, `socket.getaddrinfo`),
- opening a file under the watched directories (the image cache, and the config folder where
  stores.json lives),
- opening a SQLite database (`sqlite3.connect`),
- decoding image bytes with Qt (`QImage.fromData`, `QImage.loadFromData`,
  `QPixmap.loadFromData`) or Pillow (`PIL.Image.open`),
- loading a TLS CA bundle (`ssl.SSLContext.load_verify_locations`), which an HTTP client
  built without the app's shared TLS context does.
"""

from __future__ import annotations

import os
import sys
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

_NETWORK_EVENTS = {"socket.connect", "socket.getaddrinfo", "socket.gethostbyname"}


class GuiThreadViolation(RuntimeError):
    pass


@dataclass
class _GuardState:
    active: bool = False
    watched_dirs: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)

    @contextmanager
    def paused(self) -> Iterator[None]:
        """For the test's own set-up on the main thread (e.g. starting an emulator)."""
        self.active = False
        try:
            yield
        finally:
            self.active = True

    def violation(self, what: str) -> None:
        stack = "".join(traceback.format_stack(limit=12)[:-2])
        self.violations.append(f"{what}\n{stack}")
        raise GuiThreadViolation(f"{what} on the GUI thread")


_state = _GuardState()
_hook_installed = False


def _on_gui_thread() -> bool:
    return _state.active and threading.current_thread() is threading.main_thread()


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not _on_gui_thread():
        return
    if event in _NETWORK_EVENTS:
        _state.violation(f"network call ({event} {args[1:2]!r})")
    elif event == "sqlite3.connect":
        _state.violation(f"SQLite database opened ({args!r})")
    elif event == "open" and args and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.fsdecode(args[0])
        if any(path.startswith(d) for d in _state.watched_dirs):
            _state.violation(f"file opened in a watched folder ({path})")


def _guarded(owner: type, name: str, static: bool = False) -> Any:
    original = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if _on_gui_thread():
            _state.violation(f"{owner.__name__}.{name} called")
        return original(*args, **kwargs)

    return (staticmethod(wrapper) if static else wrapper), original


@pytest.fixture
def gui_thread_guard(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[_GuardState]:
    """Active for the test; `guard.watched_dirs.append(str(dir))` to watch more folders."""
    global _hook_installed
    if not _hook_installed:  # audit hooks cannot be removed: install once, gate by state
        sys.addaudithook(_audit)
        _hook_installed = True
    from PIL import Image
    from PySide6.QtGui import QImage, QPixmap

    for owner, name, static in [(QImage, "fromData", True), (QImage, "loadFromData", False),
                                (QPixmap, "loadFromData", False)]:
        wrapper, _ = _guarded(owner, name, static)
        monkeypatch.setattr(owner, name, wrapper)
    wrapper, _ = _guarded(Image, "open")  # type: ignore[arg-type]
    monkeypatch.setattr(Image, "open", wrapper)

    import ssl

    from app.api.tls import tls_context

    # Reading the CA bundle happens in OpenSSL, out of sight of audit hooks: an httpx client
    # made on the GUI thread without the app's shared TLS context would do it there.
    tls_context()  # the app builds it on a worker at start; here, before the guard is on
    wrapper, _ = _guarded(ssl.SSLContext, "load_verify_locations")
    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", wrapper)
    _state.violations.clear()
    # The folders the test windows use (tests/ui/conftest.py): image cache, saved stores.
    _state.watched_dirs = [str(tmp_path / "cache"), str(tmp_path / "config")]
    _state.active = True
    try:
        yield _state
    finally:
        _state.active = False
    found = list(_state.violations)
    _state.violations.clear()
    assert not found, "blocking work on the GUI thread:\n" + "\n".join(found)
