"""Fixtures local to the emulator tests: a tiny web server that hands out pictures by URL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from werkzeug.wrappers import Request, Response

from app.store_emulator.http_server import BackgroundServer


@dataclass
class PictureServer:
    """Serves whatever a test registers: `url = server.add("/a.jpg", data)`."""

    origin: str = ""
    routes: dict[str, Response] = field(default_factory=dict)

    def add(self, path: str, body: bytes, status: int = 200,
            content_type: str = "application/octet-stream") -> str:
        self.routes[path] = Response(body, status=status, content_type=content_type)
        return self.origin + path

    def redirect(self, path: str, to_url: str) -> str:
        self.routes[path] = Response(status=302, headers={"Location": to_url})
        return self.origin + path

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        response = self.routes.get(request.path, Response("missing", status=404))
        return response(environ, start_response)


@pytest.fixture
def picture_server() -> Iterator[PictureServer]:
    pictures = PictureServer()
    server = BackgroundServer("127.0.0.1", 0, pictures, "picture-server")
    pictures.origin = f"http://127.0.0.1:{server.port}"
    server.start()
    yield pictures
    server.stop()
