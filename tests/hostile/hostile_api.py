"""A hostile store API: a real HTTP server on 127.0.0.1 that answers with one trick per name.

The client's API base is `http://127.0.0.1:PORT/<answer name>/v2`, so each request meets the
answer it names. Answers are written as raw bytes on the socket, so they can lie in ways a
framework would not allow (lengths, encodings, status lines, drips). The catalogue is data:
`API_ANSWERS` lists each trick, which client call meets it and what the client must raise.
"""

from __future__ import annotations

import gzip
import json
import socket
import socketserver
import threading
import time
import zlib
from dataclasses import dataclass
from functools import cache
from typing import Callable

from app.api import errors

DRIP_INTERVAL_S = 0.05  # between two dripped bytes: far faster than any read timeout
BOMB_BYTES = 256 * 1024 * 1024  # what a bomb inflates to


class Connection:
    """The server side of one request: what was asked, and a socket to lie on."""

    def __init__(self, sock: socket.socket, method: str, target: str, stopping: threading.Event
                 ) -> None:
        self.sock = sock
        self.method = method
        self.target = target  # the path and query after /<answer name>/v2
        self.stopping = stopping

    def send(self, data: bytes) -> bool:
        """False once the client is gone (or the server stops): the answer should end."""
        if self.stopping.is_set():
            return False
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            return False

    def answer(self, status: str, body: bytes, headers: list[tuple[str, str]] | None = None,
               *, length: int | None = None) -> None:
        """A whole answer; `length` lies about Content-Length when given."""
        lines = [f"HTTP/1.1 {status}", *(f"{k}: {v}" for k, v in headers or [])]
        if not any(k.lower() == "content-type" for k, _ in headers or []):
            lines.append("Content-Type: application/json")
        lines.append(f"Content-Length: {len(body) if length is None else length}")
        self.send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)

    def head(self, status: str, headers: list[tuple[str, str]]) -> bool:
        lines = [f"HTTP/1.1 {status}", *(f"{k}: {v}" for k, v in headers)]
        return self.send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def drip(self, data: bytes) -> None:
        """One byte at a time, until the client hangs up or the data runs out."""
        for index in range(len(data)):
            if not self.send(data[index:index + 1]):
                return
            time.sleep(DRIP_INTERVAL_S)

    def forever(self, chunk: bytes, pause: float = 0.0) -> None:
        while self.send(chunk):
            if pause:
                time.sleep(pause)

    def wait_for_hangup(self) -> None:
        """Says nothing until the client gives up."""
        self.sock.settimeout(0.1)
        while not self.stopping.is_set():
            try:
                if self.sock.recv(1024) == b"":
                    return
            except TimeoutError:
                continue
            except OSError:
                return


# ---- the bodies of the tricks -----------------------------------------------------------

def image(image_id: int, **fields: object) -> dict[str, object]:
    body: dict[str, object] = {
        "id": image_id, "product_id": 1, "image_file": f"a/{image_id}/p.jpg",
        "zoom_url": f"https://cdn.example/{image_id}.1280.jpg",
        "thumbnail_url": f"https://cdn.example/{image_id}.386.jpg",
        "standard_url": f"https://cdn.example/{image_id}.220.jpg",
        "tiny_url": f"https://cdn.example/{image_id}.44.jpg",
        "is_thumbnail": image_id == 1, "sort_order": image_id, "description": "",
        "date_created": "Mon, 24 Sep 2012 01:14:30 +0000"}
    body.update(fields)
    return body


def page(ids: range, **fields: object) -> bytes:
    return json.dumps([image(i, **fields) for i in ids]).encode()


@cache
def _spaces_packed(kind: str, size: int = BOMB_BYTES) -> bytes:
    """`size` JSON whitespace bytes, packed small; built once, streamed through zlib."""
    wbits = {"gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}[kind]
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    block = b" " * (1024 * 1024)
    packed = [packer.compress(block) for _ in range(size // len(block))]
    return b"".join(packed) + packer.flush()


@cache
def _gzip_members() -> bytes:
    """Many small gzip members one after the other (legal), together a bomb."""
    member = gzip.compress(b" " * (4 * 1024 * 1024), 9)
    return member * (BOMB_BYTES // (4 * 1024 * 1024))


@cache
def _stacked_bomb() -> bytes:
    return gzip.compress(_spaces_packed("gzip"), 9)


MARKUP = ('<b style="font-size:80px">SALE</b><a href="https://evil.example/login">Log in'
          '</a><img src="file:///etc/passwd"><script>alert(1)</script>&lt;&#x3C;')


# ---- the answers ------------------------------------------------------------------------

def _gzip_bomb(c: Connection) -> None:
    c.answer("200 OK", _spaces_packed("gzip"), [("Content-Encoding", "gzip")])


def _deflate_bomb(c: Connection) -> None:
    c.answer("200 OK", _spaces_packed("deflate"), [("Content-Encoding", "deflate")])


def _gzip_members_bomb(c: Connection) -> None:
    c.answer("200 OK", _gzip_members(), [("Content-Encoding", "gzip")])


def _stacked_gzip(c: Connection) -> None:
    c.answer("200 OK", _stacked_bomb(), [("Content-Encoding", "gzip, gzip")])


def _stacked_in_two_headers(c: Connection) -> None:
    c.answer("200 OK", _stacked_bomb(),
             [("Content-Encoding", "gzip"), ("Content-Encoding", "gzip")])


def _unknown_encoding(c: Connection) -> None:
    c.answer("200 OK", b"\x1b\x00\x00\x00garbage", [("Content-Encoding", "br")])


def _broken_gzip(c: Connection) -> None:
    c.answer("200 OK", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"\xff" * 64,
             [("Content-Encoding", "gzip")])


def _declared_huge(c: Connection) -> None:
    c.head("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(10**12))])
    c.forever(b" " * 65536)


def _endless_chunked(c: Connection) -> None:
    if c.head("200 OK", [("Content-Type", "application/json"),
                         ("Transfer-Encoding", "chunked")]):
        c.forever(b"10000\r\n" + b" " * 65536 + b"\r\n")


def _endless_until_close(c: Connection) -> None:
    if c.head("200 OK", [("Content-Type", "application/json"), ("Connection", "close")]):
        c.forever(b" " * 65536)


def _drip_body(c: Connection) -> None:
    body = page(range(1, 3))
    if c.head("200 OK", [("Content-Type", "application/json"),
                         ("Content-Length", str(len(body)))]):
        c.drip(body * 1000)


def _drip_status_line(c: Connection) -> None:
    c.drip(b"HTTP/1.1 200 OK\r\nX-Padding: " + b"a" * 100_000)


def _endless_headers_drip(c: Connection) -> None:
    if c.send(b"HTTP/1.1 200 OK\r\n"):
        c.drip(b"X-A: b\r\n" * 100_000)


def _header_flood(c: Connection) -> None:
    c.send(b"HTTP/1.1 200 OK\r\n" + b"X-Flood: " + b"z" * 2_000_000 + b"\r\n\r\n")


def _endless_100_continue(c: Connection) -> None:
    c.forever(b"HTTP/1.1 100 Continue\r\n\r\n")


def _silent(c: Connection) -> None:
    c.wait_for_hangup()


def _silent_after_headers(c: Connection) -> None:
    if c.head("200 OK", [("Content-Type", "application/json"), ("Content-Length", "100")]):
        c.wait_for_hangup()


def _length_longer_than_body(c: Connection) -> None:
    c.answer("200 OK", b'[{"id": 1', length=5000)


def _length_shorter_than_body(c: Connection) -> None:
    c.answer("200 OK", page(range(1, 5)), length=7)


def _html_page(c: Connection) -> None:
    c.answer("200 OK", b"<html><body><h1>Proxy login</h1>" + MARKUP.encode() + b"</body></html>",
             [("Content-Type", "text/html")])


def _deep_nesting(c: Connection) -> None:
    c.answer("200 OK", b"[" * 200_000 + b"]" * 200_000)


def _wrong_types(c: Connection) -> None:
    c.answer("200 OK", json.dumps([image(1, id="one", product_id=[1], sort_order={})]).encode())


def _object_not_list(c: Connection) -> None:
    c.answer("200 OK", json.dumps({"data": [image(1)], "meta": {}}).encode())


def _page_longer_than_limit(c: Connection) -> None:
    c.answer("200 OK", page(range(1, 251)))  # the client asks for 50


def _endless_pages(c: Connection) -> None:
    number = int(c.target.split("page=")[1].split("&")[0]) if "page=" in c.target else 1
    c.answer("200 OK", page(range(number * 1000, number * 1000 + 250)))


def _bad_flag(c: Connection) -> None:
    c.answer("200 OK", json.dumps([image(1, is_thumbnail="maybe")]).encode())


def _infinite_number(c: Connection) -> None:
    c.answer("200 OK", page(range(1, 2)).replace(b'"sort_order": 1', b'"sort_order": 1e999'))


def _markup_everywhere(c: Connection) -> None:
    # Image fields, and a product's too: the same page is the answer to a product list.
    fields = {key: MARKUP for key in ("image_file", "zoom_url", "thumbnail_url", "standard_url",
                                      "tiny_url", "description", "date_created", "name", "sku")}
    c.answer("200 OK", page(range(1, 3), **fields))


def _markup_in_error(c: Connection) -> None:
    c.answer("422 <b>Unprocessable</b>", json.dumps(
        [{"status": 422, "message": MARKUP * 50, "details": {"invalid_reason": MARKUP}}]).encode())


def _html_500(c: Connection) -> None:
    c.answer("500 Internal Server Error", b"<html>" + b"<p>Traceback (most recent call last):"
             b"</p>" * 5000 + b"</html>", [("Content-Type", "text/html")])


def _absurd_rate_headers(c: Connection) -> None:
    c.answer("200 OK", page(range(1, 2)), [
        ("X-Rate-Limit-Requests-Left", "0"), ("X-Rate-Limit-Requests-Quota", "9" * 400),
        ("X-Rate-Limit-Time-Reset-Ms", "9" * 4000), ("X-Rate-Limit-Time-Window-Ms", "9" * 30)])


def _retry_after(value: str) -> Callable[[Connection], None]:
    def respond(c: Connection) -> None:
        c.answer("429 Too Many Requests", b'[{"status": 429, "message": "Slow down."}]', [
            ("X-Retry-After", value), ("X-Rate-Limit-Requests-Left", "0"),
            ("X-Rate-Limit-Time-Reset-Ms", value)])
    return respond


def _redirect_elsewhere(c: Connection) -> None:
    c.answer("302 Found", b"", [("Location", "http://evil.example/steal")])


def _redirect_loop(c: Connection) -> None:
    c.answer("301 Moved Permanently", b"", [("Location", c.target)])


def _garbage_status_line(c: Connection) -> None:
    c.send(b"HTTP/1.1 two hundred OK\r\n\r\n[]")


def _no_status_line(c: Connection) -> None:
    c.send(page(range(1, 3)))


def _hang_up(c: Connection) -> None:
    pass  # the connection closes without a byte


def _binary_headers(c: Connection) -> None:
    c.send(b"HTTP/1.1 503 \xff\xfe\r\nX-Rate-Limit-Requests-Left: \xc3\x28\r\n"
           b"Content-Length: 2\r\n\r\n[]")


@dataclass(frozen=True)
class HostileAnswer:
    name: str
    trick: str
    respond: Callable[[Connection], None]
    #: What the client meets it with: "list" (one page of 50), "all" (every page), "product",
    #: "twice" (a page, then another), "update" (PUT) or "create" (POST).
    call: str = "list"
    #: The errors a correct client may raise; empty means the call must succeed.
    raises: tuple[type[errors.ApiError], ...] = ()


_TIME = (errors.TimedOut,)
_BROKEN = (errors.NetworkError,)
_MALFORMED = (errors.MalformedResponse,)

API_ANSWERS: tuple[HostileAnswer, ...] = (
    HostileAnswer("gzip-bomb", "256 MB of gzip in 256 KB", _gzip_bomb,
                  raises=(errors.ResponseTooLarge,)),
    HostileAnswer("deflate-bomb", "256 MB of deflate", _deflate_bomb,
                  raises=(errors.ResponseTooLarge,)),
    HostileAnswer("gzip-members-bomb", "64 gzip members of 4 MB each", _gzip_members_bomb,
                  raises=(errors.ResponseTooLarge,)),
    HostileAnswer("stacked-gzip", "Content-Encoding: gzip, gzip (a bomb inside)", _stacked_gzip,
                  raises=(errors.UnsupportedEncoding,)),
    HostileAnswer("stacked-headers", "two Content-Encoding: gzip headers",
                  _stacked_in_two_headers, raises=(errors.UnsupportedEncoding,)),
    HostileAnswer("unknown-encoding", "Content-Encoding: br, never asked for",
                  _unknown_encoding, raises=(errors.UnsupportedEncoding,)),
    HostileAnswer("broken-gzip", "a gzip header and garbage", _broken_gzip, raises=_MALFORMED),
    HostileAnswer("declared-huge", "Content-Length of 1 TB, then endless", _declared_huge,
                  raises=(errors.ResponseTooLarge,)),
    HostileAnswer("endless-chunked", "chunked body that never ends", _endless_chunked,
                  raises=(errors.ResponseTooLarge,)),
    HostileAnswer("endless-until-close", "no length, body never ends", _endless_until_close,
                  raises=(errors.ResponseTooLarge,)),
    HostileAnswer("drip-body", "the body one byte at a time", _drip_body, raises=_TIME),
    HostileAnswer("drip-status-line", "the status line one byte at a time",
                  _drip_status_line, raises=_TIME),
    HostileAnswer("drip-headers", "endless headers one byte at a time",
                  _endless_headers_drip, raises=_TIME),
    HostileAnswer("header-flood", "a 2 MB header", _header_flood, raises=_BROKEN),
    HostileAnswer("endless-100-continue", "100 Continue, forever, fast",
                  _endless_100_continue, raises=_TIME),
    HostileAnswer("silent", "accepts, never answers", _silent, raises=_TIME),
    HostileAnswer("silent-after-headers", "headers, then silence", _silent_after_headers,
                  raises=_TIME),
    HostileAnswer("length-longer", "Content-Length promises more than comes",
                  _length_longer_than_body, raises=_BROKEN),
    HostileAnswer("length-shorter", "Content-Length cuts the JSON short",
                  _length_shorter_than_body, raises=_MALFORMED),
    HostileAnswer("html-page", "200 with a proxy's HTML login page", _html_page,
                  raises=_MALFORMED),
    HostileAnswer("deep-nesting", "200 000 nested arrays", _deep_nesting, raises=_MALFORMED),
    HostileAnswer("wrong-types", "id as text, product_id as a list", _wrong_types,
                  raises=_MALFORMED),
    HostileAnswer("object-not-list", "an object where a list belongs", _object_not_list,
                  raises=_MALFORMED),
    HostileAnswer("page-longer-than-limit", "250 images for limit=50",
                  _page_longer_than_limit, raises=_MALFORMED),
    HostileAnswer("endless-pages", "every page full, new ids each time", _endless_pages,
                  call="all", raises=_MALFORMED),
    HostileAnswer("bad-flag", 'is_thumbnail: "maybe"', _bad_flag, raises=_MALFORMED),
    HostileAnswer("infinite-number", "sort_order: 1e999", _infinite_number, raises=_MALFORMED),
    HostileAnswer("markup-everywhere", "HTML and script in every text field",
                  _markup_everywhere),
    HostileAnswer("markup-in-error", "422 whose message and reason are HTML",
                  _markup_in_error, call="update", raises=(errors.ValidationFailed,)),
    HostileAnswer("html-500", "500 with a huge HTML traceback page", _html_500,
                  raises=(errors.ServerError,)),
    HostileAnswer("absurd-rate-headers", "200 with Requests-Left 0 and a 4000-digit reset",
                  _absurd_rate_headers, call="twice", raises=(errors.RateLimited,)),
    HostileAnswer("retry-after-years", "429, X-Retry-After of 3000 years",
                  _retry_after("99999999999"), raises=(errors.RateLimited,)),
    HostileAnswer("retry-after-infinite", "429, X-Retry-After: 1e999",
                  _retry_after("1e999"), raises=(errors.RateLimited,)),
    HostileAnswer("retry-after-nan", "429, X-Retry-After: nan", _retry_after("nan"),
                  raises=(errors.RateLimited,)),
    HostileAnswer("retry-after-on-post", "429 with a huge wait on a POST",
                  _retry_after("86400"), call="create", raises=(errors.RateLimited,)),
    HostileAnswer("redirect-elsewhere", "302 to another host", _redirect_elsewhere,
                  raises=(errors.UnexpectedStatus,)),
    HostileAnswer("redirect-loop", "301 to itself", _redirect_loop,
                  raises=(errors.UnexpectedStatus,)),
    HostileAnswer("garbage-status-line", "HTTP/1.1 two hundred OK", _garbage_status_line,
                  raises=_BROKEN),
    HostileAnswer("no-status-line", "a body without any status line", _no_status_line,
                  raises=_BROKEN),
    HostileAnswer("hang-up", "closes without a byte", _hang_up, raises=_BROKEN),
    HostileAnswer("binary-headers", "503 with bytes that are not text in headers",
                  _binary_headers, raises=(errors.ServerError,)),
    HostileAnswer("drip-after-post", "a POST answered one byte at a time", _drip_body,
                  call="create", raises=(errors.OutcomeUnknown, errors.TimedOut)),
    HostileAnswer("silent-after-post", "a POST never answered", _silent, call="create",
                  raises=(errors.OutcomeUnknown, errors.TimedOut)),
)

ANSWERS_BY_NAME = {answer.name: answer for answer in API_ANSWERS}


class _Handler(socketserver.BaseRequestHandler):
    server: "HostileApiServer"

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.settimeout(10)
        head = b""
        try:
            while b"\r\n\r\n" not in head and len(head) < 65536:
                chunk = sock.recv(65536)
                if not chunk:
                    return
                head += chunk
        except OSError:
            return
        request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
        method, target = (request_line.split(" ") + ["", ""])[:2]
        self.server.record(method, target, head)
        _, name, _, rest = (target.split("/", 3) + ["", "", "", ""])[:4]
        answer = ANSWERS_BY_NAME.get(name)
        if answer is None:
            return
        answer.respond(Connection(sock, method, "/" + rest, self.server.stopping))

    def finish(self) -> None:
        try:
            self.request.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class HostileApiServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.stopping = threading.Event()
        self.requests: list[tuple[str, str, bytes]] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="hostile-api", daemon=True)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def api_base(self, answer: str) -> str:
        return f"http://127.0.0.1:{self.port}/{answer}/v2"

    def record(self, method: str, target: str, head: bytes) -> None:
        with self._lock:
            self.requests.append((method, target, head))

    def start(self) -> "HostileApiServer":
        for build in (lambda: _spaces_packed("gzip"), lambda: _spaces_packed("deflate"),
                      _gzip_members, _stacked_bomb):
            build()  # built before serving, so no request waits for them
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()
