"""Serve a WSGI app from a background thread with Werkzeug, without per-request log lines."""

from __future__ import annotations

import threading
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

_POLL_INTERVAL_S = 0.05  # how soon shutdown() is noticed; the default 0.5 s slows every test


class QuietRequestHandler(WSGIRequestHandler):
    """Drops the access log line of every request; errors are still logged."""

    timeout = 10  # an idle client cannot pin a request thread (and so stop()) for ever

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class BackgroundServer:
    def __init__(self, host: str, port: int, app: Any, name: str) -> None:
        self._server: BaseWSGIServer = make_server(host, port, app, threaded=True,
                                                   request_handler=QuietRequestHandler)
        # Join request threads on stop, so no handler touches the store after it is closed.
        self._server.daemon_threads = False
        self._server.block_on_close = True
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": _POLL_INTERVAL_S},
                                        name=name, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_port)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()
