"""The two date formats the API speaks: RFC 2822 in v2 (always GMT) and ISO 8601 in v3."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from email.utils import format_datetime


def now_ts() -> int:
    return int(time.time())


def rfc2822(ts: int) -> str:
    # format_datetime(usegmt=False) gives "+0000", which is what v2 shows, not "GMT".
    return format_datetime(datetime.fromtimestamp(ts, tz=timezone.utc))


def iso8601(ts: int) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).isoformat()
