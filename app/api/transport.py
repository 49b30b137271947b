"""Sends one API request to the store: auth, pacing, retries, and status-to-error mapping.

Everything here is about HTTP; what the resources mean lives in `client.py`.
"""

from __future__ import annotations

import json
import logging
import re
import ssl
import threading
import time
from typing import Any, Callable, Mapping

import httpx

from app import __version__
from app.api import errors
from app.api.auth import StoreCredentials
from app.api.bounded_body import ACCEPT_ENCODING, read_bounded_body
from app.api.cancellation import scoped_cancel_events
from app.api.deadline import Deadline
from app.api.rate_limit import RateLimiter, RateLimitSnapshot, describe_wait, retry_after_seconds
from app.api.errors import IDEMPOTENT_METHODS, applied_by_status
from app.api.retry import RetryPolicy
from app.api.tls import tls_context
from app.api.watched_network import WatchedTransport, call_limits

log = logging.getLogger(__name__)

USER_AGENT = f"ProductImageManager/{__version__} (+https://github.com/product-image-manager; httpx/{httpx.__version__})"
DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=30.0, write=60.0, pool=10.0)
#: The whole of one call, retries, waits and body included: a store that drips its answer
#: one byte a second, or keeps asking to wait, frees the worker after this long.
CALL_DEADLINE_S = 90.0
#: An upload sends up to 8 MB: at 1 Mbit/s that alone takes ~70 s.
UPLOAD_DEADLINE_S = 300.0
#: Largest API answer, counted after unpacking. A page of 250 images is ~200 KB (under 5 MB
#: even with 2 KB URLs and long alt texts); a page of 250 v2 products with 60 KB HTML
#: descriptions is ~16 MB. Anything larger is not a real answer.
MAX_API_BODY_BYTES = 32 * 1024 * 1024
#: A server message shown to the merchant is cut to this many characters.
MAX_SERVER_MESSAGE_CHARS = 300

# Connection failures where the request certainly never reached the server: safe to repeat
# whatever the method.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# What json.loads raises on garbage: ValueError (UnicodeDecodeError included), and
# RecursionError for nesting deeper than the interpreter's stack (e.g. 100 000 "[").
_UNDECODABLE = (ValueError, RecursionError)


_MARKUP = re.compile(r"<[^<>]{0,500}>")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def plain_server_message(text: str | None) -> str | None:
    """A server's message as one short line of plain words: no markup, no control characters."""
    if text is None:
        return None
    text = _CONTROL.sub("", _MARKUP.sub(" ", text))
    text = " ".join(text.split())
    if len(text) > MAX_SERVER_MESSAGE_CHARS:
        text = text[:MAX_SERVER_MESSAGE_CHARS - 1].rstrip() + "…"
    return text or None


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


def error_from_response(response: httpx.Response, path: str,
                        method: str | None = None) -> errors.ApiError:
    """Maps a non-2xx response to its error type with a message that says what to do, and
    whether the store applied the request (`applied`, from the status)."""
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
    server_message = plain_server_message(server_message)
    said = f" The store said: {server_message}" if server_message else ""
    if details.get("invalid_reason"):
        said += f" ({plain_server_message(str(details['invalid_reason']))})"
    kwargs: dict[str, Any] = dict(status=status, server_message=server_message, details=details,
                                  path=path, method=method, applied=applied_by_status(status))
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
            + (f" It resets {describe_wait(wait)}; try again then." if wait is not None
               else " Try again later.")
            + said, retry_after=wait, **kwargs)
    if status >= 500:
        return errors.ServerError(
            f"The store had an internal problem ({status}); try again in a minute." + said,
            **kwargs)
    return errors.UnexpectedStatus(
        f"The store answered {status} {httpx.codes.get_reason_phrase(status)}, which this app "
        "does not expect here. Check the API address." + said, **kwargs)


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
            "way; check the API address.", status=response.status_code, path=path,
            applied=applied_by_status(response.status_code)) from None


def _is_certificate_failure(exc: BaseException) -> bool:
    """Whether a connection failed because the server's TLS certificate was not trusted."""
    seen: BaseException | None = exc
    for _ in range(10):  # the chain is httpx -> httpcore -> ssl; never loop on a cycle
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLCertVerificationError) \
                or "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _combined(outcomes: list[bool | None]) -> bool | None:
    """Whether any of several attempts applied the request: one that did makes True, one
    that may have makes None, else False."""
    if True in outcomes:
        return True
    return None if None in outcomes else False


def _plain_response(streamed: httpx.Response, body: bytes) -> httpx.Response:
    """A fully read copy of a streamed response: decoded body, no encoding headers."""
    headers = [(name, value) for name, value in streamed.headers.raw
               if name.lower() not in (b"content-encoding", b"content-length",
                                       b"transfer-encoding")]
    return httpx.Response(streamed.status_code, headers=headers, content=body,
                          request=streamed.request)


class ApiTransport:
    """One httpx client for one store, shared by threads (httpx.Client is thread-safe).

    Every call has a wall-clock deadline (`deadline_s`, retries and waits included), reads its
    body chunk by chunk within `max_body_bytes` (counted unpacked), and stops soon after
    `cancel` (or an event of a `cancel_scope` open on the calling thread) is set.
    """

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
        deadline_s: float = CALL_DEADLINE_S,
        max_body_bytes: int = MAX_API_BODY_BYTES,
    ) -> None:
        # Refuses a plain-http address to another host before any header carries a secret.
        _ = credentials.v2_base
        self.credentials = credentials
        self.retry = retry or RetryPolicy()
        self.rate_limiter = rate_limiter or RateLimiter(max_wait=self.retry.max_rate_limit_wait)
        self.cancel = cancel or threading.Event()
        self.deadline_s = deadline_s
        self.max_body_bytes = max_body_bytes
        self._on_rate_limit = on_rate_limit
        self._client = httpx.Client(
            headers={"Accept": "application/json", "Accept-Encoding": ACCEPT_ENCODING,
                     "User-Agent": USER_AGENT, **credentials.auth_headers()},
            timeout=timeout,
            # The auth headers are custom (X-Auth-Token), which httpx would carry across a
            # cross-origin redirect: never follow redirects with store credentials.
            follow_redirects=False,
            verify=tls_context(),
            # No proxy, netrc or CA bundle from the environment: an HTTP(S)_PROXY set for other
            # programs would receive the store's token (in clear text for an http:// store).
            trust_env=False,
            # Sockets that keep to each call's deadline and cancel (a header or body dripped
            # one byte at a time, a read blocked on a silent server).
            transport=transport or WatchedTransport(verify=tls_context()),
        )

    def close(self) -> None:
        self._client.close()

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
        deadline_s: float | None = None,
        cancel: threading.Event | None = None,
    ) -> httpx.Response:
        """Sends until a definite answer: 2xx returned (body read), anything else raised as an
        ApiError. `deadline_s` overrides the transport's; `cancel` adds a cancel event."""
        return self._send(method, url, decode=False, params=params, json_body=json_body,
                          files=files, data=data, timeout=timeout, deadline_s=deadline_s,
                          cancel=cancel)[0]

    def request_json(self, method: str, url: str, **kwargs: Any) -> Any:
        """Like request(), decoding the body; a garbled body of a safe request is retried.

        One attempt budget for both: a garbled body is one failed attempt of the same loop
        as a 5xx or a dropped connection, so one call never sends more than max_attempts
        times (plus the 429s waited out, which have their own budget)."""
        return self._send(method, url, decode=True, **kwargs)[1]

    def _send(self, method: str, url: str, **kwargs: Any) -> tuple[httpx.Response, Any]:
        """The response and, when `decode`, its JSON body (None otherwise).

        Every ApiError leaving here names the method and says whether the store applied the
        request over all attempts (`applied`): an earlier attempt that may have reached the
        store makes a later clean refusal "unknown", never "not applied"."""
        earlier: list[bool | None] = []  # what each failed attempt may have done
        try:
            return self._attempts(method, url, earlier=earlier, **kwargs)
        except errors.ApiError as error:
            error.method = method
            error.applied = _combined([*earlier, error.applied])
            raise

    def _attempts(
        self,
        method: str,
        url: str,
        *,
        earlier: list[bool | None],
        decode: bool,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        files: Mapping[str, Any] | None = None,
        data: Mapping[str, str] | None = None,
        timeout: httpx.Timeout | None = None,
        deadline_s: float | None = None,
        cancel: threading.Event | None = None,
    ) -> tuple[httpx.Response, Any]:
        """The retry loop of `_send`; appends to `earlier` the `applied` of each failed
        attempt it sends again."""
        path = httpx.URL(url).path
        idempotent = method in IDEMPOTENT_METHODS
        deadline = Deadline.after(self.deadline_s if deadline_s is None else deadline_s)
        events = (self.cancel, *scoped_cancel_events(), *((cancel,) if cancel else ()))

        def cancelled() -> bool:
            return any(event.is_set() for event in events)

        attempt = 0
        rate_limit_waits = 0
        sent_once = False  # a non-idempotent request that left may have been applied
        while True:
            if cancelled():
                raise errors.Cancelled("Cancelled.", path=path)
            # Ask again after each wait: threads that waited for the same reset must not all
            # send at once into the fresh window.
            while (delay := self.rate_limiter.delay_before_request()) > 0:
                if delay >= deadline.remaining():
                    raise errors.RateLimited(
                        "The store's API rate limit is used up. It resets "
                        f"{describe_wait(delay)}; try again then.", retry_after=delay, path=path)
                self._wait(delay, cancelled, path)
            attempt += 1
            try:
                response = self._exchange(method, url, params, json_body, files, data,
                                          timeout, deadline, cancelled)
            except httpx.TransportError as exc:
                sent = not isinstance(exc, _NOT_SENT)
                if cancelled():  # the watched socket stopped a read or write for it
                    raise errors.Cancelled("Cancelled.", path=path,
                                           applied=None if sent else False) from None
                sent_once = sent_once or sent
                log.info("%s %s failed (%s), attempt %d", method, path, type(exc).__name__, attempt)
                failure = self._network_error(method, path, exc, sent_once, deadline)
                if not isinstance(failure, (errors.TimedOut, errors.CertificateNotTrusted)) \
                        and (idempotent or not sent_once) and attempt < self.retry.max_attempts:
                    earlier.append(failure.applied)
                    self._backoff(attempt, deadline, cancelled, path, failure)
                    continue
                raise failure from None
            except httpx.DecodingError as exc:
                # An answer came, but its gzip/deflate body is broken: garbled, like a
                # body that is not JSON. Not a TransportError, so caught on its own.
                log.info("%s %s: undecodable body (%s), attempt %d", method, path,
                         type(exc).__name__, attempt)
                failure = self._undecodable(method, path)
                if idempotent and attempt < self.retry.max_attempts:
                    earlier.append(failure.applied)
                    self._backoff(attempt, deadline, cancelled, path, failure)
                    continue
                raise failure from None
            except (errors.TimedOut, errors.ResponseTooLarge, errors.UnsupportedEncoding) as exc:
                # Not retried: the same store would answer the same way.
                exc.path = path
                if not idempotent:  # an answer came, so the change may well be in the store
                    exc.message += (" The store may have applied the change: reload to check "
                                    "before retrying.")
                    exc.args = (exc.message,)
                raise
            except httpx.HTTPError as exc:
                # Anything else httpx may raise (TooManyRedirects cannot happen with redirects
                # off, but a custom transport may add its own): whether it was sent is unknown,
                # so it is not repeated.
                log.info("%s %s failed (%s)", method, path, type(exc).__name__)
                raise self._network_error(method, path, exc, True, deadline) from None
            log.debug("%s %s -> %d", method, path, response.status_code)
            snapshot = self.rate_limiter.observe(response.headers)
            if snapshot is not None and self._on_rate_limit is not None:
                self._on_rate_limit(snapshot)

            status = response.status_code
            if status == 429 and rate_limit_waits < self.retry.max_rate_limit_waits:
                # A 429 means the request was not processed: waiting and resending is safe
                # even for a POST.
                wait = retry_after_seconds(response.headers)
                if wait is None:  # no headers: the platform is under load; back off further
                    wait = self.retry.backoff(rate_limit_waits + 3)
                if wait > self.retry.max_rate_limit_wait or wait >= deadline.remaining():
                    # Holding a worker for longer is worse than saying when to come back.
                    raise error_from_response(response, path, method)
                rate_limit_waits += 1
                log.info("rate limited on %s %s; waiting %.1f s", method, path, wait)
                self._wait(wait, cancelled, path)
                self.rate_limiter.forget_window()
                attempt -= 1  # waiting out the quota is not a failed attempt
                continue
            # 509 is the legacy hourly limit, not a server failure: retrying in seconds is futile.
            if status >= 500 and status != 509 and idempotent \
                    and attempt < self.retry.max_attempts:
                earlier.append(applied_by_status(status))
                self._backoff(attempt, deadline, cancelled, path,
                              error_from_response(response, path, method))
                continue
            if status >= 300:
                raise error_from_response(response, path, method)
            if not decode:
                return response, None
            try:
                return response, decode_json(response, path)
            except errors.MalformedResponse as failure:
                log.info("%s %s -> %d with a garbled body, attempt %d", method, path, status,
                         attempt)
                if not idempotent:
                    failure.message += errors.APPLIED_BUT_UNREADABLE
                    failure.args = (failure.message,)
                if idempotent and attempt < self.retry.max_attempts:
                    earlier.append(failure.applied)
                    self._backoff(attempt, deadline, cancelled, path, failure)
                    continue
                raise

    def _exchange(self, method: str, url: str, params: Mapping[str, Any] | None,
                  json_body: Any, files: Mapping[str, Any] | None,
                  data: Mapping[str, str] | None, timeout: httpx.Timeout | None,
                  deadline: Deadline, cancelled: Callable[[], bool]) -> httpx.Response:
        """One request and its whole body, read within the cap, the deadline and cancel."""
        base = timeout or self._client.timeout
        left = max(deadline.remaining(), 0.001)
        # No single connect, write or read may outlast the call's deadline.
        attempt_timeout = httpx.Timeout(
            connect=min(base.connect or left, left), read=min(base.read or left, left),
            write=min(base.write or left, left), pool=min(base.pool or left, left))
        request = self._client.build_request(method, url, params=params, json=json_body,
                                             files=files, data=data, timeout=attempt_timeout)
        with call_limits(deadline, cancelled):
            response = self._client.send(request, stream=True)
            try:
                body = read_bounded_body(response, max_bytes=self.max_body_bytes,
                                         deadline=deadline, cancelled=cancelled)
            except errors.ApiError as failure:  # too large, too slow, cancelled mid-body
                failure.applied = applied_by_status(response.status_code)
                raise
            finally:
                response.close()
        return _plain_response(response, body)

    def _wait(self, seconds: float, cancelled: Callable[[], bool], path: str) -> None:
        """Sleeps, waking at once when any cancel event is set."""
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            if self.cancel.wait(min(left, 0.05)) or cancelled():
                raise errors.Cancelled("Cancelled while waiting to retry.", path=path)

    def _backoff(self, attempt: int, deadline: Deadline, cancelled: Callable[[], bool],
                 path: str, failure: errors.ApiError) -> None:
        """Waits before retry `attempt + 1`; raises `failure` when no time is left for it."""
        delay = self.retry.backoff(attempt)
        if delay >= deadline.remaining():
            raise failure
        self._wait(delay, cancelled, path)

    @staticmethod
    def _undecodable(method: str, path: str) -> errors.MalformedResponse:
        message = (f"The store's answer to {method} {path} could not be unpacked (its "
                   "compressed body is broken). A proxy or firewall may be in the way; check "
                   "the API address.")
        if method not in IDEMPOTENT_METHODS:
            message += " The store may have applied the change: reload to check before retrying."
        # An answer came, but its status is not kept this far: whether it was applied is unknown.
        return errors.MalformedResponse(message, path=path, applied=None)

    @staticmethod
    def _network_error(method: str, path: str, exc: httpx.HTTPError, sent: bool,
                       deadline: Deadline | None = None) -> errors.ApiError:
        if _is_certificate_failure(exc):
            return errors.CertificateNotTrusted(
                "The store's certificate is not trusted, so nothing was sent to it. Check the "
                "store address; if it is right, the store's certificate may have expired or a "
                "program on this computer or network may be intercepting secure connections.",
                path=path, applied=False)
        timed_out = isinstance(exc, httpx.TimeoutException) and deadline is not None \
            and deadline.expired
        reason = "the store took too long to answer" if timed_out else {
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
        applied = None if sent else False
        if timed_out:
            return errors.TimedOut(f"{method} {path} failed: {reason}; try again later.",
                                   path=path, applied=applied)
        return errors.NetworkError(f"{method} {path} failed: {reason}.", path=path,
                                   applied=applied)
