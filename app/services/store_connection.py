"""Which store, and what its last answer says: plain facts the window shows before any store
is opened (no network code here, so importing it costs nothing at start-up)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from app.api.auth import StoreCredentials


@dataclass(frozen=True)
class StoreInfo:
    label: str                      # what the window title and status bar show
    credentials: StoreCredentials


class StoreConnection(enum.Enum):
    """What the last answer says about the store, for the status bar."""

    UNKNOWN = "unknown"          # nothing answered yet
    OK = "ok"
    UNREACHABLE = "unreachable"  # no answer: network down, store down, timeout
    FAILING = "failing"          # it answers with errors (5xx, garbage, rate limit)
    REFUSED = "refused"          # it refuses the credentials (401, 403)
    OFFLINE = "offline"          # the merchant chose to work offline: nothing is asked
