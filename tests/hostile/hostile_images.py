"""A hostile image host: a real HTTP server on 127.0.0.1 that answers each path with a scripted
trick (wrong type, bomb, a body cut short, lies in the headers, stacked compression...).

Written on raw sockets rather than a web framework so an answer can break HTTP in ways a
framework would repair: a Content-Length longer than the body, a close in the middle, no
length at all. `HostileImageHost.serve(path, Answer(...))` scripts a path; `hits(path)` says
how often it was asked for.
"""

from __future__ import annotations

import gzip
import io
import socket
import struct
import threading
import zlib
from collections import Counter
from dataclasses import dataclass, field
from socketserver import BaseRequestHandler, ThreadingTCPServer

from PIL import Image


@dataclass(frozen=True)
class Answer:
    body: bytes
    content_type: str = "image/png"
    #: "exact": Content-Length of the body; "none": no length, the close ends the body;
    #: an int: that Content-Length, whatever the body's real length.
    length: str | int = "exact"
    #: Send only this many bytes of the body, then close.
    cut_after: int | None = None
    extra_headers: tuple[tuple[str, str], ...] = field(default_factory=tuple)


class _Handler(BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        request = b""
        while b"\r\n\r\n" not in request:
            data = self.request.recv(65536)
            if not data:
                return
            request += data
        path = request.split(b" ", 2)[1].decode("latin-1").split("?", 1)[0]
        with self.server.lock:
            self.server.hits[path] += 1
            answer = self.server.answers.get(path)
        if answer is None:
            self.request.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
                                 b"Connection: close\r\n\r\n")
            return
        headers = [("Content-Type", answer.content_type), ("Connection", "close"),
                   *answer.extra_headers]
        if answer.length == "exact":
            headers.append(("Content-Length", str(len(answer.body))))
        elif isinstance(answer.length, int):
            headers.append(("Content-Length", str(answer.length)))
        head = "HTTP/1.1 200 OK\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
        body = answer.body if answer.cut_after is None else answer.body[:answer.cut_after]
        try:
            self.request.sendall(head.encode("latin-1") + body)
            self.request.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the client gave up first: that is what some tricks are for


class _Server(ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.answers: dict[str, Answer] = {}
        self.hits: Counter[str] = Counter()


class HostileImageHost:
    def __init__(self) -> None:
        self._server = _Server()
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name="hostile-image-host", daemon=True)

    def start(self) -> HostileImageHost:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def origin(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def serve(self, path: str, answer: Answer) -> str:
        """Scripts `path`; returns its full URL."""
        with self._server.lock:
            self._server.answers[path] = answer
        return self.origin + path

    def hits(self, path: str) -> int:
        with self._server.lock:
            return self._server.hits[path]


# ---- the pictures and tricks ------------------------------------------------------------------

def png_bytes(width: int = 64, height: int = 48, colour: tuple[int, int, int] = (200, 40, 40)
              ) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def jpeg_bytes(width: int = 64, height: int = 48, colour: tuple[int, int, int] = (40, 40, 200),
               orientation: int | None = None) -> bytes:
    out = io.BytesIO()
    picture = Image.new("RGB", (width, height), colour)
    if orientation is None:
        picture.save(out, "JPEG", quality=90)
    else:
        exif = Image.Exif()
        exif[0x0112] = orientation
        picture.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def png_pixel_bomb(width: int = 7000, height: int = 7000) -> bytes:
    """A real, valid grey PNG of width x height: ~50 KB that decode to width*height bytes."""
    row = b"\x00" + bytes(width)  # filter byte + a black row
    packer = zlib.compressobj(9)
    parts = [packer.compress(row) for _ in range(height)]
    parts.append(packer.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", b"".join(parts)) + _png_chunk(b"IEND", b""))


SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="64" height="48">'
       b'<rect width="64" height="48" fill="red"/></svg>')


def other_format_bytes(fmt: str) -> bytes:
    """A small picture in a format the store does not serve (TIFF, BMP, ICO...)."""
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (10, 200, 10)).save(out, fmt)
    return out.getvalue()


def stacked_gzip(data: bytes, layers: int = 2) -> bytes:
    for _ in range(layers):
        data = gzip.compress(data)
    return data


def gzip_bomb(decoded_bytes: int) -> bytes:
    """A gzip stream of `decoded_bytes` zeros (a few KB per 10 MB)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    parts = [packer.compress(block) for _ in range(decoded_bytes >> 20)]
    parts.append(packer.flush())
    return b"".join(parts)
