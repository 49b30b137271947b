"""Downloads image renditions from the store's CDN.

CDN URLs are public. This client is separate from the API client and is built without any
store credential, so none can reach an image host, redirects included.

Bodies are read with the API's own bounded reader (`app/api/bounded_body.py`): raw and unpacked
bytes are both counted against the cap as they arrive (a gzip bomb stops at the cap), stacked or
unknown content codings are refused, and a `Download` says whether the server confirmed where
the body ends, so a picture cut short is never cached as complete. Each download has a
wall-clock deadline, retries included, and its sockets keep it (a dripping image host cannot
hold a loader's worker), and cancel stops a read in progress.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable

import httpx

from app.api import errors
from app.api.bounded_body import ACCEPT_ENCODING, read_bounded
from app.api.cancellation import scoped_cancel_events
from app.api.deadline import Deadline
from app.api.image_files import MAX_IMAGE_BYTES
from app.api.retry import RetryPolicy
from app.api.tls import tls_context
from app.api.transport import USER_AGENT
from app.api.watched_network import WatchedTransport, call_limits

CDN_TIMEOUT = httpx.Timeout(connect=10.0, read=20.0, write=10.0, pool=30.0)
#: One picture, retries included; a dripping or silent image host is given up on after this.
DOWNLOAD_DEADLINE_S = 60.0


class _Garbled(errors.MalformedResponse):
    """A body that could not be decoded: retried, and reported as MalformedResponse."""


@dataclass(frozen=True)
class Download:
    data: bytes
    #: True when the server said where the body ends (Content-Length or chunked encoding,
    #: both checked by the HTTP layer) or its compressed stream ended properly. A body that
    #: just stopped when the connection closed may be cut short: show it, don't cache it.
    complete: bool


def _path_of(url: str) -> str | None:
    """The path for an error's `path`; None for an address httpx cannot parse."""
    try:
        return httpx.URL(url).path
    except (httpx.InvalidURL, TypeError, ValueError):
        return None


class ImageDownloader:
    def __init__(self, *, max_connections: int = 8, retry: RetryPolicy | None = None,
                 cancel: threading.Event | None = None,
                 transport: httpx.BaseTransport | None = None,
                 deadline_s: float = DOWNLOAD_DEADLINE_S) -> None:
        self._retry = retry or RetryPolicy(max_attempts=3, base_delay=0.3, max_delay=5.0)
        self._cancel = cancel or threading.Event()
        self._deadline_s = deadline_s
        #: Set while working offline: nothing is downloaded, the cache alone answers.
        self.offline = False
        self._client = httpx.Client(
            headers={"User-Agent": USER_AGENT, "Accept": "image/*",
                     "Accept-Encoding": ACCEPT_ENCODING},
            timeout=CDN_TIMEOUT,
            follow_redirects=True,
            trust_env=False,  # no proxy, netrc or CA bundle from the environment
            transport=transport or WatchedTransport(
                verify=tls_context(),
                limits=httpx.Limits(max_connections=max_connections,
                                    max_keepalive_connections=max_connections)),
        )

    def close(self) -> None:
        self._client.close()

    def fetch(self, url: str, max_bytes: int = MAX_IMAGE_BYTES) -> bytes:
        """The bytes at `url`; retries dropped connections, 5xx and undecodable bodies; raises
        only ApiError subclasses."""
        return self.download(url, max_bytes).data

    def download(self, url: str, max_bytes: int = MAX_IMAGE_BYTES) -> Download:
        """Like `fetch`, and says whether the body's end was confirmed by the server."""
        if self.offline:
            raise errors.NetworkError("Working offline: this picture is not saved on this "
                                      "computer.", applied=False)
        deadline = Deadline.after(self._deadline_s)
        events = (self._cancel, *scoped_cancel_events())

        def cancelled() -> bool:
            return any(event.is_set() for event in events)

        attempt = 0
        while True:
            attempt += 1
            if cancelled():
                raise errors.Cancelled("Cancelled.")
            try:
                with call_limits(deadline, cancelled):
                    return self._fetch_once(url, max_bytes, deadline, cancelled)
            except (errors.NetworkError, errors.ServerError, _Garbled):
                if cancelled():  # the watched socket stopped a read for it
                    raise errors.Cancelled("Cancelled.") from None
                delay = self._retry.backoff(attempt)
                if attempt >= self._retry.max_attempts or deadline.expired \
                        or delay >= deadline.remaining():
                    raise
                if self._cancel.wait(delay) or cancelled():
                    raise errors.Cancelled("Cancelled.") from None

    def _fetch_once(self, url: str, max_bytes: int, deadline: Deadline,
                    cancelled: Callable[[], bool]) -> Download:
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
                body = read_bounded(response, max_bytes=max_bytes, deadline=deadline,
                                    cancelled=cancelled, what="The picture")
                return Download(body.data, body.complete)
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
        except httpx.TimeoutException:
            if deadline.expired:
                raise errors.TimedOut("The image server is too slow; the picture was given up "
                                      "on. Retry later.", path=_path_of(url)) from None
            raise errors.NetworkError("The image server did not answer in time.",
                                      path=_path_of(url)) from None
        except httpx.RemoteProtocolError as exc:
            raise errors.NetworkError(
                "The picture arrived incomplete (the connection closed early)." if
                "incomplete" in str(exc) else
                f"The image could not be downloaded ({type(exc).__name__}).",
                path=_path_of(url)) from None
        except httpx.TransportError as exc:
            raise errors.NetworkError(
                f"The image could not be downloaded ({type(exc).__name__}).",
                path=_path_of(url)) from None
        except httpx.HTTPError as exc:  # any other httpx failure: still an ApiError
            raise errors.NetworkError(
                f"The image could not be downloaded ({type(exc).__name__}).",
                path=_path_of(url)) from None
