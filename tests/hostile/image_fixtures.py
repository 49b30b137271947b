"""Fixtures for the hostile image host (tests/hostile/hostile_images.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.hostile.hostile_images import HostileImageHost


@pytest.fixture
def hostile_images() -> Iterator[HostileImageHost]:
    """A started hostile image host on 127.0.0.1; stopped at the end of the test."""
    host = HostileImageHost().start()
    yield host
    host.stop()
