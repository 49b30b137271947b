"""Downloads image renditions from the store's CDN.

CDN URLs are public. This client is separate from the API client and is built without any
store credential, so none can reach an image host, redirects included.
"""

from __future__ import annotations

import threading

import httpx

from app.api import errors
from app.api.image_files import MAX_IMAGE_BYTES
from app.api.retry import RetryPolicy
from app.api.tls import tls_context
from app.api.transport import USER_AGENT

CDN_TIMEOUT = httpx.Timeout(connect=10.0, read=20.0, write=10.0, pool=30.0)


class _Garbled(errors.MalformedResponse):
    """A body that could not be decoded: retried, and reported as MalformedResponse."""


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
            headers={"User-Agent": USER_AGENT, "Accept": "image/*"},
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

    def _fetch_once(self, url: str, max_bytes: int) -> bytes:
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
                chunks: list[bytes] = []
                received = 0
                for chunk in response.iter_bytes():
                    received += len(chunk)
                    if received > max_bytes:
                        raise errors.LimitTooLarge("The image is larger than expected; skipped.")
                    chunks.append(chunk)
                return b"".join(chunks)
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
