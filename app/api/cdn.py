"""Downloads image renditions from the store's CDN.

CDN URLs are public. This client is separate from the API client and is built without any
store credential, so none can reach an image host, redirects included.

Bodies are bounded while they are read: the raw bytes and the unpacked bytes are both counted
against the cap as they arrive (a gzip bomb stops at the cap, not after a chunk was inflated),
stacked or unknown content codings are refused, and a `Download` says whether the server
confirmed where the body ends, so a picture cut short is never cached as complete.
"""

from __future__ import annotations

import threading
import zlib
from dataclasses import dataclass

import httpx

from app.api import errors
from app.api.image_files import MAX_IMAGE_BYTES
from app.api.retry import RetryPolicy
from app.api.tls import tls_context
from app.api.transport import USER_AGENT

CDN_TIMEOUT = httpx.Timeout(connect=10.0, read=20.0, write=10.0, pool=30.0)


class _Garbled(errors.MalformedResponse):
    """A body that could not be decoded: retried, and reported as MalformedResponse."""


class _CutShort(errors.NetworkError):
    """A compressed body that ended before its compressed stream did: retried."""


@dataclass(frozen=True)
class Download:
    data: bytes
    #: True when the server said where the body ends (Content-Length or chunked encoding,
    #: both checked by the HTTP layer) and any compressed stream ended properly. A body that
    #: just stopped when the connection closed may be cut short: show it, don't cache it.
    complete: bool


# Content codings read here, and the zlib window for each. Only these are asked for, so a
# server that sends anything else (or several stacked) is refused rather than unpacked.
_ACCEPT_ENCODING = "gzip, deflate"
_ZLIB_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS,
               "deflate": zlib.MAX_WBITS}


def _too_large() -> errors.LimitTooLarge:
    return errors.LimitTooLarge("The image is larger than expected; skipped.")


def _content_coding(headers: httpx.Headers, path: str) -> str | None:
    codings = [c.strip().lower() for c in headers.get_list("content-encoding", split_commas=True)]
    codings = [c for c in codings if c and c != "identity"]
    if len(codings) > 1:
        # Each layer multiplies: a few KB of gzip-in-gzip become gigabytes. No CDN does this.
        raise errors.MalformedResponse(
            "The image server packed the picture several times over (stacked compression); "
            "it is skipped.", path=path)
    if codings and codings[0] not in _ZLIB_WBITS:
        raise errors.MalformedResponse(
            f"The image server packed the picture in a way the app does not read "
            f"({codings[0][:20]}); it is skipped.", path=path)
    return codings[0] if codings else None


class _BoundedInflater:
    """Unpacks a gzip or deflate body chunk by chunk, never producing more than `limit`
    bytes: zlib is asked for at most what is left of the budget (plus one byte to notice
    the overflow), so a bomb is stopped after `limit` bytes, not after a whole chunk."""

    def __init__(self, coding: str, limit: int) -> None:
        self._coding = coding
        self._limit = limit
        self._produced = 0
        self._started = False
        self._zlib = zlib.decompressobj(_ZLIB_WBITS[coding])

    def feed(self, chunk: bytes) -> bytes:
        if not chunk:
            return b""
        if self._zlib.eof:
            raise zlib.error("data after the end of the compressed stream")
        try:
            out = self._zlib.decompress(chunk, self._limit - self._produced + 1)
        except zlib.error:
            if self._started or self._coding != "deflate":
                raise
            # "deflate" is meant to be zlib-wrapped, but some servers send it raw.
            self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._zlib.decompress(chunk, self._limit - self._produced + 1)
        self._started = True
        self._produced += len(out)
        if self._produced > self._limit:
            raise _too_large()
        if self._zlib.unused_data:
            raise zlib.error("data after the end of the compressed stream")
        return out

    @property
    def finished(self) -> bool:
        return self._zlib.eof


def _read_body(response: httpx.Response, max_bytes: int) -> Download:
    """The body, decoded and bounded: at most `max_bytes` before and after unpacking."""
    path = response.url.path
    coding = _content_coding(response.headers, path)
    declared = response.headers.get("content-length", "")
    if coding is None and declared.isdigit() and int(declared) > max_bytes:
        raise _too_large()
    inflater = _BoundedInflater(coding, max_bytes) if coding else None
    chunks: list[bytes] = []
    received = decoded = 0
    try:
        for raw in response.iter_raw():
            received += len(raw)
            if received > max_bytes:
                raise _too_large()
            chunk = inflater.feed(raw) if inflater else raw
            decoded += len(chunk)
            if decoded > max_bytes:
                raise _too_large()
            chunks.append(chunk)
    except zlib.error:
        raise _Garbled("The image server sent a broken (undecodable) answer; try again later.",
                       path=path) from None
    if inflater is not None and not inflater.finished:
        raise _CutShort("The picture arrived incomplete (the connection closed early).",
                        path=path)
    delimited = declared.isdigit() or "chunked" in response.headers.get(
        "transfer-encoding", "").lower()
    return Download(b"".join(chunks), complete=delimited or inflater is not None)


def _path_of(url: str) -> str | None:
    """The path for an error's `path`; None for an address httpx cannot parse."""
    try:
        return httpx.URL(url).path
    except (httpx.InvalidURL, TypeError, ValueError):
        return None


class ImageDownloader:
    def __init__(self, *, max_connections: int = 8, retry: RetryPolicy | None = None,
                 cancel: threading.Event | None = None,
                 transport: httpx.BaseTransport | None = None) -> None:
        self._retry = retry or RetryPolicy(max_attempts=3, base_delay=0.3, max_delay=5.0)
        self._cancel = cancel or threading.Event()
        self._client = httpx.Client(
            headers={"User-Agent": USER_AGENT, "Accept": "image/*",
                     "Accept-Encoding": _ACCEPT_ENCODING},
            timeout=CDN_TIMEOUT,
            follow_redirects=True,
            verify=tls_context(),
            limits=httpx.Limits(max_connections=max_connections,
                                max_keepalive_connections=max_connections),
            transport=transport,
        )

    def close(self) -> None:
        self._client.close()

    def fetch(self, url: str, max_bytes: int = MAX_IMAGE_BYTES) -> bytes:
        """The bytes at `url`; retries dropped connections, 5xx and undecodable bodies; raises
        only ApiError subclasses."""
        return self.download(url, max_bytes).data

    def download(self, url: str, max_bytes: int = MAX_IMAGE_BYTES) -> Download:
        """Like `fetch`, and says whether the body's end was confirmed by the server."""
        attempt = 0
        while True:
            attempt += 1
            if self._cancel.is_set():
                raise errors.Cancelled("Cancelled.")
            try:
                return self._fetch_once(url, max_bytes)
            except (errors.NetworkError, errors.ServerError, _Garbled):
                if attempt >= self._retry.max_attempts:
                    raise
                if self._cancel.wait(self._retry.backoff(attempt)):
                    raise errors.Cancelled("Cancelled.") from None

    def _fetch_once(self, url: str, max_bytes: int) -> Download:
        try:
            with self._client.stream("GET", url) as response:
                if response.status_code >= 500:
                    raise errors.ServerError(
                        f"The image server failed ({response.status_code}).",
                        status=response.status_code, path=response.url.path)
                if response.status_code == 404:
                    raise errors.NotFound("The image is no longer on the image server (404); "
                                          "reload the product.", status=404,
                                          path=response.url.path)
                if response.status_code != 200:
                    raise errors.UnexpectedStatus(
                        f"The image server answered {response.status_code}.",
                        status=response.status_code, path=response.url.path)
                return _read_body(response, max_bytes)
        except httpx.DecodingError:
            # The server answered, but the gzip/brotli body is broken: garbled, maybe by a
            # proxy on the way; worth asking again.
            raise _Garbled("The image server sent a broken (undecodable) answer; try again "
                           "later.", path=_path_of(url)) from None
        except httpx.TooManyRedirects:
            raise errors.UnexpectedStatus(
                "The image address redirects in a loop; reload the product.",
                path=_path_of(url)) from None
        except (httpx.UnsupportedProtocol, httpx.InvalidURL):
            raise errors.MalformedResponse(
                "The store gave an image address that cannot be downloaded (not an http(s) "
                "address); reload the product.", path=_path_of(url)) from None
        except httpx.TransportError as exc:
            raise errors.NetworkError(
                f"The image could not be downloaded ({type(exc).__name__}).",
                path=_path_of(url)) from None
        except httpx.HTTPError as exc:  # any other httpx failure: still an ApiError
            raise errors.NetworkError(
                f"The image could not be downloaded ({type(exc).__name__}).",
                path=_path_of(url)) from None
