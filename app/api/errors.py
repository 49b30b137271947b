"""One exception type per class of failure, each carrying the server's own message.

Messages name the problem and the fix in words a merchant understands. They never contain
credentials: they are built from the status, the server's message and the request path only.

What a write queue asks of every failure, answered by each error (not by its class alone:
the same 500 means something else after a GET than after a POST):

- `transient`: may the same request work if tried again later (a 5xx, a dropped connection,
  a rate limit)? Says nothing about duplicates.
- `applied`: did the store apply the request? False: certainly not (it answered with a
  refusal such as 4xx or 429, or nothing was sent); True: it did (it answered 2xx, but the
  answer was unusable); None: unknown (sent, and no usable answer came).
- `safe_to_resend`: can sending the same request again never apply it twice? True when
  `applied is False`, or when the method is idempotent (GET, PUT, DELETE: applying twice is
  applying once). False for a POST that was, or may have been, applied: sending it again
  could add a duplicate image.
- `outcome_unknown`: a write (POST, PUT, DELETE) whose fate is unknown (`applied is None`).

So a queue resends when `transient and safe_to_resend`; a POST that is not `safe_to_resend`
is looked for in the store (by listing the product's images) before it is sent again.
"""

from __future__ import annotations

from typing import Any

#: Methods the store applies at most once however often they arrive (RFC 9110 §9.2.2).
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
#: Methods that change the store.
WRITE_METHODS = frozenset({"POST", "PUT", "DELETE", "PATCH"})


#: Added to the message of a write the store applied but whose answer could not be read.
APPLIED_BUT_UNREADABLE = (" The store made the change, but its answer could not be read: "
                          "reload to see it before trying again.")


def applied_by_status(status: int) -> bool | None:
    """Whether a request the store answered with `status` was applied: 2xx yes; a 5xx (but
    509, the legacy rate limit) may come after the change was made, so unknown; any other
    answer (3xx, 4xx, 429, 509) is a refusal before anything changed."""
    if 200 <= status < 300:
        return True
    if status >= 500 and status != 509:
        return None
    return False


class ApiError(Exception):
    """Base of every failure the store client reports."""

    def __init__(self, message: str, *, status: int | None = None,
                 server_message: str | None = None, details: dict[str, Any] | None = None,
                 path: str | None = None, method: str | None = None,
                 applied: bool | None = False) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.server_message = server_message
        self.details = details or {}
        self.path = path
        #: The HTTP method of the failed request; None when no request was involved.
        self.method = method
        #: Whether the store applied the request: False certainly not, True yes (the answer
        #: was unusable), None unknown. The default suits errors raised before sending.
        self.applied = applied

    #: Whether the same request may succeed if simply tried again later (the cause can pass).
    #: It says nothing about duplicates: see `safe_to_resend`.
    transient = False

    @property
    def safe_to_resend(self) -> bool:
        """Sending the same request again cannot apply it twice: the store certainly did not
        apply it, or the method is idempotent."""
        return self.applied is False or (self.method or "").upper() in IDEMPOTENT_METHODS

    @property
    def outcome_unknown(self) -> bool:
        """A write whose fate is unknown: the store may or may not have applied it."""
        return self.applied is None and (self.method or "").upper() in WRITE_METHODS


class AuthenticationFailed(ApiError):
    """401: missing or wrong credentials."""


class PermissionDenied(ApiError):
    """403: the API account lacks a scope (e.g. a read-only token used for a change)."""


class NotFound(ApiError):
    """404: the product or image does not exist (any more)."""


class ValidationFailed(ApiError):
    """400/422: the store refused the data; `details` holds e.g. `invalid_reason`."""


class LimitTooLarge(ApiError):
    """413: a page limit above the maximum, or an upload above the size limit."""


class RateLimited(ApiError):
    """429 (OAuth) or 509 (legacy hourly limit) after the client's own waiting ran out."""

    transient = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(ApiError):
    """5xx: the store failed; worth retrying later."""

    transient = True


class NetworkError(ApiError):
    """The store could not be reached, or the connection broke (timeout, refused, dropped)."""

    transient = True


class OutcomeUnknown(NetworkError):
    """A non-idempotent request (POST) was sent but no answer came back.

    The store may or may not have applied it (`applied is None`, never `safe_to_resend`);
    repeating it blindly could duplicate an image, so the client stops and lets the caller
    check the store's state first. Still `transient`: the cause (the network) may pass.
    """

    def __init__(self, message: str, **kwargs: Any) -> None:
        kwargs.setdefault("applied", None)
        super().__init__(message, **kwargs)


class MalformedResponse(ApiError):
    """The store answered with a body that is not the JSON the contract promises.

    After a 2xx the request was applied (`applied` True): a POST so answered is in the store,
    just without a record the client could read.
    """

    transient = True


class UnexpectedStatus(ApiError):
    """A status the contract does not describe for this request (e.g. a redirect)."""


class UploadNotSupported(ApiError):
    """File uploads need the v3 endpoint, which only OAuth API accounts can use."""


class InvalidImageFile(ApiError):
    """A local file that the store would refuse: not jpeg/png/gif/webp, empty or too large."""


class Cancelled(ApiError):
    """The caller cancelled the request (e.g. the window is closing)."""


class ResponseTooLarge(ApiError):
    """The answer (after unpacking) was larger than any real answer can be: stopped early."""


class UnsupportedEncoding(ApiError):
    """The answer was packed in a way this app does not unpack (stacked or unknown codings)."""


class TimedOut(NetworkError):
    """The call's wall-clock deadline passed (a slow or dripping server, retries included)."""


class CertificateNotTrusted(ApiError):
    """TLS: the server's certificate is not trusted (self-signed, expired, wrong host...).

    Not a NetworkError: the connection works, and retrying or going "offline" will not help.
    """


def store_unreachable(error: BaseException) -> bool:
    """No connection to the store could be opened (refused, no route, no name), so the
    request certainly never arrived: the network is down or the store is, not the request."""
    return (isinstance(error, NetworkError) and not isinstance(error, OutcomeUnknown)
            and error.applied is False)
