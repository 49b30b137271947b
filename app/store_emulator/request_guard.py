"""What the emulator refuses before any handler runs: foreign Host headers and huge bodies.

A web page the merchant visits can point its own domain at 127.0.0.1 (DNS rebinding) and then
talk to the emulator as if it were that site; checking Host stops it. Bodies are capped so a
client cannot make a handler read without end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .errors import V2Error, V3Error, error_response

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})


def _split_host(host: str) -> tuple[str, str]:
    """("name", "port") of a Host header; the port is "" when absent."""
    if host.startswith("["):  # [::1]:8750
        name, _, rest = host.partition("]")
        return name + "]", rest.removeprefix(":")
    name, _, port = host.rpartition(":")
    return (name, port) if name else (host, "")


class RequestGuard:
    """WSGI middleware: 421 for a Host that is not this server, 413/411 for bodies too big
    or of unknown length."""

    def __init__(self, app: Callable[..., Iterable[bytes]], served_host: str,
                 max_body_bytes: int) -> None:
        self._app = app
        # The configured host is accepted too: the emulator's own URLs use it.
        self._names = LOOPBACK_NAMES | {served_host.lower()}
        self._max_body_bytes = max_body_bytes

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        name, port = _split_host(environ.get("HTTP_HOST", "").strip().lower())
        if name not in self._names or port != str(environ.get("SERVER_PORT", "")):
            return self._refuse(environ, start_response, 421,
                                "This server only answers requests addressed to its own "
                                "loopback address and port.")
        length = environ.get("CONTENT_LENGTH") or ""
        if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower() and not length:
            return self._refuse(environ, start_response, 411,
                                "A request body must declare its Content-Length.")
        if length and (not length.isdigit() or int(length) > self._max_body_bytes):
            return self._refuse(environ, start_response, 413,
                                f"The request body is larger than {self._max_body_bytes} bytes.")
        return self._app(environ, start_response)

    @staticmethod
    def _refuse(environ: dict[str, Any], start_response: Any, status: int,
                message: str) -> Iterable[bytes]:
        """The error in the shape of the API asked (v3 object, else v2 array)."""
        v3 = "/v3/" in environ.get("PATH_INFO", "")
        response = error_response(V3Error(status, message) if v3 else V2Error(status, message))
        # The body was not read: it must not be taken for the next request.
        response.headers["Connection"] = "close"
        return response(environ, start_response)
