"""Fixtures of the hostile API server (tests/hostile/hostile_api.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.hostile.hostile_api import HostileApiServer


@pytest.fixture(scope="module")
def hostile_api() -> Iterator[HostileApiServer]:
    """A hostile store API on 127.0.0.1, one trick per answer name."""
    server = HostileApiServer().start()
    yield server
    server.stop()
