"""Whether the image server is failing as a whole, rather than for a picture or two.

A few broken pictures are a card's business (its own badge and retry); when most pictures of
a product fail, the image server is down or unreachable, and one message says so instead of a
wall of red badges.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

#: Failures needed before the whole image server is blamed.
MIN_FAILURES = 3


def host_of(url: str) -> str:
    """The host (and port, if any) a picture comes from; never user info or the path."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        return f"{host}:{parts.port}" if host and parts.port else host
    except ValueError:  # a malformed port, e.g. "http://cdn:99999/"
        return ""


@dataclass
class PictureHealth:
    """Counts one product's picture loads; `failing` when the server looks down."""

    successes: int = 0
    failures: int = 0
    host: str = ""

    def reset(self) -> None:
        self.successes = self.failures = 0
        self.host = ""

    def loaded(self) -> None:
        self.successes += 1

    def failed(self, url: str) -> None:
        self.failures += 1
        self.host = host_of(url) or self.host

    @property
    def failing(self) -> bool:
        return self.failures >= MIN_FAILURES and self.failures > self.successes
