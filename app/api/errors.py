"""One exception type per class of failure, each carrying the server's own message.

Messages name the problem and the fix in words a merchant understands. They never contain
credentials: they are built from the status, the server's message and the request path only.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """Base of every failure the store client reports."""

    def __init__(self, message: str, *, status: int | None = None,
                 server_message: str | None = None, details: dict[str, Any] | None = None,
                 path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.server_message = server_message
        self.details = details or {}
        self.path = path

    #: Whether the same request may succeed if simply tried again later.
    transient = False


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

    The store may or may not have applied it; repeating it blindly could duplicate an image,
    so the client stops and lets the caller check the store's state first.
    """


class MalformedResponse(ApiError):
    """The store answered with a body that is not the JSON the contract promises."""

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
