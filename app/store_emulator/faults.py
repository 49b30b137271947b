"""Network failures on demand: dropped connections, cut-short bodies, 500s and garbage.

Decisions come from a seeded Random, so a failing run can be replayed with the same seed.
"""

from __future__ import annotations

import random
import socket
import threading
from collections.abc import Iterable, Iterator
from typing import Any, NoReturn

from werkzeug.wrappers import Response

# A lying Content-Type on purpose: clients must not trust the header over the body.
GARBAGE_BODY = b"<html><body><h1>Service Unavailable</h1>upstream hiccup</body></html>\x00\xff"


class ConnectionDropped(ConnectionAbortedError):
    """Raised inside the WSGI app; Werkzeug treats it as a client that went away, silently."""


class FaultInjector:
    def __init__(self, seed: int, name: str) -> None:
        self._rng = random.Random(f"{seed}:faults:{name}")
        self._lock = threading.Lock()

    def roll(self, rate: float) -> bool:
        if rate <= 0:
            return False  # no draw: turning one fault on doesn't reshuffle the others
        with self._lock:
            return self._rng.random() < rate


def drop_connection(environ: dict[str, Any]) -> NoReturn:
    """Close the client's socket without a word: it sees the server disconnect."""
    sock = environ.get("werkzeug.socket")
    if isinstance(sock, socket.socket):
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    raise ConnectionDropped()


def garbage_response(content_type: str) -> Response:
    return Response(GARBAGE_BODY, status=200, content_type=content_type)


def send_truncated(response: Response, environ: dict[str, Any], start_response: Any,
                   ) -> Iterable[bytes]:
    """Promise the whole body in Content-Length, send half of it, then hang up."""
    body = response.get_data()
    response.headers["Content-Length"] = str(len(body))
    start_response(response.status, list(response.headers.items()))

    def half_then_hang_up() -> Iterator[bytes]:
        yield body[: len(body) // 2]
        drop_connection(environ)

    return half_then_hang_up()
