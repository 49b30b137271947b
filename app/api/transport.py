"""Sends one API request to the store: auth, pacing, retries, and status-to-error mapping.

Everything here is about HTTP; what the resources mean lives in `client.py`.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any, Callable, Mapping

import httpx

from app import __version__
from app.api import errors
from app.api.auth import StoreCredentials
from app.api.rate_limit import RateLimiter, RateLimitSnapshot, retry_after_seconds
from app.api.retry import IDEMPOTENT_METHODS, RetryPolicy
from app.api.tls import tls_context

log = logging.getLogger(__name__)

USER_AGENT = f"ProductImageManager/{__version__} (+https://github.com/product-image-manager; httpx/{httpx.__version__})"
DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=30.0, write=60.0, pool=10.0)

# Connection failures where the request certainly never reached the server: safe to repeat
# whatever the method.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# What json.loads raises on garbage: ValueError (UnicodeDecodeError included), and
# RecursionError for nesting deeper than the interpreter's stack (e.g. 100 000 "[").
_UNDECODABLE = (ValueError, RecursionError)


def _server_error_list(body: Any) -> tuple[str | None, dict[str, Any]]:
    """The first message and details of a v2 error array, or of a v3 error object."""
    if isinstance(body, list) and body and isinstance(body[0], Mapping):
        first = body[0]
        details = first.get("details")
        return (str(first.get("message")) if first.get("message") is not None else None,
                dict(details) if isinstance(details, Mapping) else {})
    if isinstance(body, Mapping):
        message = body.get("title") or body.get("message")
        details = body.get("errors") or body.get("details")
        return (str(message) if message is not None else None,
                dict(details) if isinstance(details, Mapping) else {})
    return None, {}


def error_from_response(response: httpx.Response, path: str) -> errors.ApiError:
    """Maps a non-2xx response to its error type with a message that says what to do."""
    status = response.status_code
    try:
        body: Any = response.json()
    except _UNDECODABLE:
        body = None
    server_message, details = _server_error_list(body)
    try:
        text = response.text
    except ValueError:  # a declared charset the bytes do not fit (e.g. utf-16 without a BOM)
        text = response.content.decode("utf-8", "replace")
    if server_message is None and text and len(text) < 300:
        server_message = text.strip() or None  # some v2 errors are plain text
    said = f" The store said: {server_message}" if server_message else ""
    if details.get("invalid_reason"):
        said += f" ({details['invalid_reason']})"
    kwargs: dict[str, Any] = dict(status=status, server_message=server_message, details=details,
                                  path=path)
    if status == 401:
        return errors.AuthenticationFailed(
            "The store did not accept the credentials (401). Check the access token, or the "
            "user name and API key, and that the store hash or address is right." + said, **kwargs)
    if status == 403:
        return errors.PermissionDenied(
            "This API account may not do that (403). Give it the 'Products: modify' scope in "
            "the store's control panel (Settings › API accounts), then reconnect." + said, **kwargs)
    if status == 404:
        return errors.NotFound(
            f"Not found (404): {path}. It may have been deleted in the store; reload." + said,
            **kwargs)
    if status in (400, 409, 422):
        return errors.ValidationFailed(
            f"The store refused the change ({status})." + said, **kwargs)
    if status == 413:
        return errors.LimitTooLarge(
            "The request was too large for the store (413): a page above 250 items or a file "
            "above 8 MB." + said, **kwargs)
    if status in (429, 509):
        wait = retry_after_seconds(response.headers)
        return errors.RateLimited(
            f"The store's API rate limit is used up ({status})."
            + (f" It resets in {wait:.0f} s." if wait is not None else " Try again later.")
            + said, retry_after=wait, **kwargs)
    if status >= 500:
        return errors.ServerError(
            f"The store had an internal problem ({status}); try again in a minute." + said,
            **kwargs)
    return errors.UnexpectedStatus(
        f"The store answered {status} {response.reason_phrase}, which this app does not expect "
        "here. Check the API address." + said, **kwargs)


def decode_json(response: httpx.Response, path: str) -> Any:
    """The JSON body of a 2xx response; 204 or an empty body is None; garbage is an error."""
    if response.status_code == 204 or not response.content.strip():
        return None
    try:
        return json.loads(response.content)
    except _UNDECODABLE:
        content_type = response.headers.get("content-type", "unknown type")
        raise errors.MalformedResponse(
            f"The store sent something that is not JSON ({content_type}, "
            f"{len(response.content)} bytes) for {path}. A proxy or firewall may be in the "
            "way; check the API address.", status=response.status_code, path=path) from None


class ApiTransport:
    """One httpx client for one store, shared by threads (httpx.Client is thread-safe)."""

    def __init__(
        self,
        credentials: StoreCredentials,
        *,
        retry: RetryPolicy | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        rate_limiter: RateLimiter | None = None,
        cancel: threading.Event | None = None,
        on_rate_limit: Callable[[RateLimitSnapshot], None] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        # Refuses a plain-http address to another host before any header carries a secret.
        _ = credentials.v2_base
        self.credentials = credentials
        self.retry = retry or RetryPolicy()
        self.rate_limiter = rate_limiter or RateLimiter()
        self.cancel = cancel or threading.Event()
        self._on_rate_limit = on_rate_limit
        self._client = httpx.Client(
            headers={"Accept": "application/json", "User-Agent": USER_AGENT,
                     **credentials.auth_headers()},
            timeout=timeout,
            # The auth headers are custom (X-Auth-Token), which httpx would carry across a
            # cross-origin redirect: never follow redirects with store credentials.
            follow_redirects=False,
            verify=tls_context(),
            transport=transport,
        )

    def close(self) -> None:
        self._client.close()

    def _sleep(self, seconds: float) -> None:
        if seconds > 0 and self.cancel.wait(seconds):
            raise errors.Cancelled("Cancelled while waiting to retry.")

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        files: Mapping[str, Any] | None = None,
        data: Mapping[str, str] | None = None,
        timeout: httpx.Timeout | None = None,
    ) -> httpx.Response:
        """Sends until a definite answer: 2xx returned, anything else raised as an ApiError."""
        return self._send(method, url, decode=False, params=params, json_body=json_body,
                          files=files, data=data, timeout=timeout)[0]

    def request_json(self, method: str, url: str, **kwargs: Any) -> Any:
        """Like request(), decoding the body; a garbled body of a safe request is retried.

        One attempt budget for both: a garbled body is one failed attempt of the same loop
        as a 5xx or a dropped connection, so one call never sends more than max_attempts
        times (plus the 429s waited out, which have their own budget)."""
        return self._send(method, url, decode=True, **kwargs)[1]

    def _send(
        self,
        method: str,
        url: str,
        *,
        decode: bool,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        files: Mapping[str, Any] | None = None,
        data: Mapping[str, str] | None = None,
        timeout: httpx.Timeout | None = None,
    ) -> tuple[httpx.Response, Any]:
        """The response and, when `decode`, its JSON body (None otherwise)."""
        path = httpx.URL(url).path
        idempotent = method in IDEMPOTENT_METHODS
        attempt = 0
        rate_limit_waits = 0
        while True:
            if self.cancel.is_set():
                raise errors.Cancelled("Cancelled.", path=path)
            # Ask again after each wait: threads that waited for the same reset must not all
            # send at once into the fresh window.
            while (delay := self.rate_limiter.delay_before_request()) > 0:
                self._sleep(delay)
            attempt += 1
            try:
                response = self._client.request(
                    method, url, params=params, json=json_body, files=files, data=data,
                    timeout=timeout or self._client.timeout)
            except httpx.TransportError as exc:
                sent = not isinstance(exc, _NOT_SENT)
                log.info("%s %s failed (%s), attempt %d", method, path, type(exc).__name__, attempt)
                if (idempotent or not sent) and attempt < self.retry.max_attempts:
                    self._sleep(self.retry.backoff(attempt))
                    continue
                raise self._network_error(method, path, exc, sent) from None
            except httpx.DecodingError as exc:
                # An answer came, but its gzip/brotli/deflate body is broken: garbled, like a
                # body that is not JSON. Not a TransportError, so caught on its own.
                log.info("%s %s: undecodable body (%s), attempt %d", method, path,
                         type(exc).__name__, attempt)
                if idempotent and attempt < self.retry.max_attempts:
                    self._sleep(self.retry.backoff(attempt))
                    continue
                raise self._undecodable(method, path) from None
            except httpx.HTTPError as exc:
                # Anything else httpx may raise (TooManyRedirects cannot happen with redirects
                # off, but a custom transport may add its own): whether it was sent is unknown,
                # so it is not repeated.
                log.info("%s %s failed (%s)", method, path, type(exc).__name__)
                raise self._network_error(method, path, exc, sent=True) from None
            log.debug("%s %s -> %d", method, path, response.status_code)
            snapshot = self.rate_limiter.observe(response.headers)
            if snapshot is not None and self._on_rate_limit is not None:
                self._on_rate_limit(snapshot)

            status = response.status_code
            if status == 429 and rate_limit_waits < self.retry.max_rate_limit_waits:
                # A 429 means the request was not processed: waiting and resending is safe
                # even for a POST.
                rate_limit_waits += 1
                wait = retry_after_seconds(response.headers)
                if wait is None:  # no headers: the platform is under load; back off further
                    wait = self.retry.backoff(rate_limit_waits + 2)
                log.info("rate limited on %s %s; waiting %.1f s", method, path, wait)
                self._sleep(min(wait, self.retry.max_rate_limit_wait))
                self.rate_limiter.forget_window()
                attempt -= 1  # waiting out the quota is not a failed attempt
                continue
            # 509 is the legacy hourly limit, not a server failure: retrying in seconds is futile.
            if status >= 500 and status != 509 and idempotent \
                    and attempt < self.retry.max_attempts:
                self._sleep(self.retry.backoff(attempt))
                continue
            if status >= 300:
                raise error_from_response(response, path)
            if not decode:
                return response, None
            try:
                return response, decode_json(response, path)
            except errors.MalformedResponse:
                log.info("%s %s -> %d with a garbled body, attempt %d", method, path, status,
                         attempt)
                if idempotent and attempt < self.retry.max_attempts:
                    self._sleep(self.retry.backoff(attempt))
                    continue
                raise

    @staticmethod
    def _undecodable(method: str, path: str) -> errors.MalformedResponse:
        message = (f"The store's answer to {method} {path} could not be unpacked (its "
                   "compressed body is broken). A proxy or firewall may be in the way; check "
                   "the API address.")
        if method not in IDEMPOTENT_METHODS:
            message += " The store may have applied the change: reload to check before retrying."
        return errors.MalformedResponse(message, path=path)

    @staticmethod
    def _network_error(method: str, path: str, exc: httpx.HTTPError,
                       sent: bool) -> errors.NetworkError:
        reason = {
            httpx.ConnectError: "the store could not be reached (check the internet "
                                "connection and the store address)",
            httpx.ConnectTimeout: "connecting to the store timed out",
            httpx.ReadTimeout: "the store took too long to answer",
            httpx.WriteTimeout: "sending to the store took too long",
            httpx.PoolTimeout: "too many requests were waiting",
            httpx.RemoteProtocolError: "the connection dropped before the store answered",
            httpx.ReadError: "the connection broke while reading the answer",
        }.get(type(exc), f"the connection failed ({type(exc).__name__})")
        if sent and method not in IDEMPOTENT_METHODS:
            return errors.OutcomeUnknown(
                f"No answer to {method} {path}: {reason}. The store may or may not have "
                "applied it, so it was not sent again; reload to check before retrying.",
                path=path)
        return errors.NetworkError(f"{method} {path} failed: {reason}.", path=path)

