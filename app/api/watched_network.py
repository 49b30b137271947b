"""Sockets that keep to the deadline and cancel of the call using them.

httpx's timeouts apply to each read, so a server that sends its headers or body one byte at a
time never trips them, and a read blocked on a silent server ignores cancel. Here every
connect, read and write of a call made inside `call_limits(...)` (on the same thread, as the
sync client always is) waits in slices of at most `POLL_S`, checks cancel between slices, and
never outlasts the call's deadline. Outside `call_limits` the sockets behave as httpx's own.
"""

from __future__ import annotations

import select
import socket
import ssl
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

import httpcore
import httpx

from app.api.deadline import Deadline

#: How soon a blocked read or write notices cancel.
POLL_S = 0.2
#: Bytes handed to the socket at a time while a call is watched: a write blocked on a full
#: socket buffer (a store that does not read the upload yet) notices cancel between slices.
WRITE_SLICE = 16 * 1024

_local = threading.local()


@dataclass(frozen=True)
class _Limits:
    deadline: Deadline | None
    cancelled: Callable[[], bool]


class CallCancelled(httpcore.ReadError):
    """Raised inside httpcore when cancel is set; httpx maps it to a ReadError."""


@contextmanager
def call_limits(deadline: Deadline | None,
                cancelled: Callable[[], bool] = lambda: False) -> Iterator[None]:
    """Network waits of this thread inside the block end at `deadline` or soon after
    `cancelled()` turns true (raising a timeout, resp. a read error, inside httpx)."""
    outer = getattr(_local, "limits", None)
    _local.limits = _Limits(deadline, cancelled)
    try:
        yield
    finally:
        _local.limits = outer


def _current() -> _Limits | None:
    return getattr(_local, "limits", None)


def _bounded(timeout: float | None, limits: _Limits | None) -> float | None:
    if limits is None or limits.deadline is None:
        return timeout
    left = limits.deadline.remaining()
    return left if timeout is None else min(timeout, left)


class _WatchedStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        limits = _current()
        if limits is None:
            return self._inner.read(max_bytes, timeout)
        budget = Deadline.after(timeout) if timeout is not None else None
        while True:
            if limits.cancelled():
                raise CallCancelled("cancelled")
            left = [d.remaining() for d in (budget, limits.deadline) if d is not None]
            if left and min(left) <= 0:
                raise httpcore.ReadTimeout("the deadline passed")
            try:
                return self._inner.read(max_bytes, min([POLL_S, *left]))
            except httpcore.ReadTimeout:
                continue  # one slice passed: check cancel and the deadline again

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        limits = _current()
        if limits is None:
            self._inner.write(buffer, timeout)
            return
        if limits.cancelled():
            raise httpcore.WriteError("cancelled")
        sock = self._inner.get_extra_info("socket")
        budget = Deadline.after(timeout) if timeout is not None else None
        for start in range(0, len(buffer), WRITE_SLICE):
            while True:  # until the socket takes more, in slices that check cancel
                if limits.cancelled():
                    raise httpcore.WriteError("cancelled")
                left = [d.remaining() for d in (budget, limits.deadline) if d is not None]
                if left and min(left) <= 0:
                    raise httpcore.WriteTimeout("the deadline passed")
                if not isinstance(sock, socket.socket) \
                        or _writable(sock, min([POLL_S, *left])):
                    break
            left = [d.remaining() for d in (budget, limits.deadline) if d is not None]
            self._inner.write(buffer[start:start + WRITE_SLICE], min(left) if left else None)

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _WatchedStream(self._inner.start_tls(ssl_context, server_hostname,
                                                    _bounded(timeout, _current())))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


def _writable(sock: socket.socket, timeout: float) -> bool:
    """Whether `sock` can take more bytes now, waiting at most `timeout` seconds."""
    if hasattr(select, "poll"):  # any descriptor number, unlike select()
        poller = select.poll()
        poller.register(sock, select.POLLOUT)
        return bool(poller.poll(max(0, int(timeout * 1000))))
    return bool(select.select([], [sock], [], max(0.0, timeout))[1])


class _WatchedBackend(httpcore.SyncBackend):
    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        limits = _current()
        if limits is not None and limits.cancelled():
            raise httpcore.ConnectError("cancelled")
        return _WatchedStream(super().connect_tcp(host, port, _bounded(timeout, limits),
                                                  local_address, socket_options))


class WatchedTransport(httpx.HTTPTransport):
    """httpx's own HTTP transport (no proxy, no environment), over watched sockets."""

    def __init__(self, *, verify: ssl.SSLContext,
                 limits: httpx.Limits = httpx.Limits(max_connections=100,
                                                     max_keepalive_connections=20)) -> None:
        super().__init__(verify=verify, limits=limits, trust_env=False)
        # httpx has no public way to pass a network backend; the pool is rebuilt with the
        # same settings httpx itself uses (httpx/_transports/default.py).
        self._pool = httpcore.ConnectionPool(
            ssl_context=verify, max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry, network_backend=_WatchedBackend())
