"""What to tell a merchant about a failure: a title, one sentence of why, and the fix.

One Qt-free place maps every error to words a merchant understands, so the store page, the
product list and (later) the editing screens say the same thing about the same failure. HTTP
methods, paths, status codes and the server's own words go to `details`, which the window shows
only behind a "Details" disclosure. Nothing here claims what did not happen: a failed read says
nothing about changes, because nothing is being changed.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from app.api import errors

#: Longest server text kept, in characters: a store can answer with megabytes of HTML.
MAX_SERVER_TEXT = 300


class Remedy(enum.Enum):
    """The one button that fixes a problem; its value is the button's text."""

    RETRY = "Retry"
    EDIT_CREDENTIALS = "Edit credentials"
    RELOAD_PRODUCTS = "Reload products"
    NONE = ""


@dataclass(frozen=True)
class Problem:
    title: str         # what happened, in the merchant's words
    why: str           # one sentence: why, and what the button will do
    remedy: Remedy
    details: str = ""  # plain text for the "Details" disclosure: request, status, server text


def clip(text: str, limit: int = MAX_SERVER_TEXT) -> str:
    """One line of at most `limit` characters: whitespace runs collapsed, the rest cut with "…".

    Control characters go too, so a server's text cannot fake extra lines in a message."""
    flat = re.sub(r"[\s\x00-\x1f\x7f]+", " ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _details(error: Exception, method: str | None) -> str:
    lines: list[str] = []
    if isinstance(error, errors.ApiError):
        if error.path:
            lines.append(f"Request: {method + ' ' if method else ''}{clip(error.path)}")
        if error.status is not None:
            lines.append(f"Status: {error.status}")
        if error.server_message:
            lines.append(f"The store said: {clip(error.server_message)}")
        lines.append(f"Error: {clip(error.message)}")
    else:
        lines.append(f"Error: {type(error).__name__}: {clip(str(error))}")
    return "\n".join(lines)


def explain(error: Exception, subject: str, *, method: str | None = "GET",
            missing: str | None = None) -> Problem:
    """The merchant's message for `error`, raised while loading `subject`.

    `subject` names what failed in plain words ("the product list", "the pictures of this
    product"); `missing` is what a 404 means here ("This product is no longer in the store"),
    and None when a 404 means the store's address is wrong."""
    details = _details(error, method)
    if isinstance(error, errors.AuthenticationFailed):
        return Problem("The store did not accept the saved credentials",
                       "The access token or API key may have been revoked or mistyped: edit "
                       "the credentials to connect again.", Remedy.EDIT_CREDENTIALS, details)
    if isinstance(error, errors.PermissionDenied):
        return Problem("This API account may not read the store's products",
                       "Give it the Products scope in the store's control panel (Settings › "
                       "API accounts), or use another account.", Remedy.EDIT_CREDENTIALS,
                       details)
    if isinstance(error, errors.NotFound):
        if missing is not None:
            return Problem(missing, "It may have been deleted in the store. Reload the "
                           "product list to see what the store has now.",
                           Remedy.RELOAD_PRODUCTS, details)
        return Problem("The store's address looks wrong",
                       "The store answered that it has no such page: check the store hash or "
                       "address in the credentials.", Remedy.EDIT_CREDENTIALS, details)
    if isinstance(error, errors.RateLimited):
        when = (f"in about {max(1, round(error.retry_after))} seconds"
                if error.retry_after is not None and error.retry_after < 3600 else "later")
        return Problem("The store asked to slow down",
                       f"This API account has used up its requests for now: retry {when}.",
                       Remedy.RETRY, details)
    if isinstance(error, errors.ServerError):
        return Problem(f"The store could not send {subject}",
                       "Its server had a problem on its side. This is usually brief: retry "
                       "in a minute.", Remedy.RETRY, details)
    if isinstance(error, errors.NetworkError):
        return Problem("The store can't be reached",
                       f"The connection failed or timed out while loading {subject}. Check "
                       "the internet connection, then retry.", Remedy.RETRY, details)
    if isinstance(error, errors.MalformedResponse):
        return Problem(f"The store's answer for {subject} can't be read",
                       "It was garbled on the way, perhaps by a proxy or firewall. Retry; if "
                       "it keeps happening, check the store address.", Remedy.RETRY, details)
    if isinstance(error, errors.UnexpectedStatus):
        return Problem("The store gave an answer this app doesn't expect",
                       "The store address in the credentials may point somewhere else.",
                       Remedy.EDIT_CREDENTIALS, details)
    if isinstance(error, errors.ApiError):
        return Problem(f"{subject[:1].upper()}{subject[1:]} could not be loaded",
                       "The store refused the request. Retry; the details say what it "
                       "answered.", Remedy.RETRY, details)
    return Problem(f"{subject[:1].upper()}{subject[1:]} could not be loaded",
                   "Something unexpected went wrong in this app. Retry; if it keeps happening, "
                   "please report it with the details.", Remedy.RETRY, details)
