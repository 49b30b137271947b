"""Fixtures that start local BigCommerce store emulators (app.store_emulator).

`emulator`: a started store with the demo catalog (pictures are drawn lazily, so it starts in
a blink). `emulator_factory(**config_fields)`: a started store with any EmulatorConfig fields,
e.g. `emulator_factory(catalog="empty", rate_limit_quota=3)`; every store it made is stopped at
the end of the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from app.store_emulator import EmulatorConfig, StoreEmulator

EmulatorFactory = Callable[..., StoreEmulator]


@pytest.fixture
def emulator_factory() -> Iterator[EmulatorFactory]:
    started: list[StoreEmulator] = []

    def start(**config_fields: Any) -> StoreEmulator:
        emulator = StoreEmulator(EmulatorConfig(**config_fields)).start()
        started.append(emulator)
        return emulator

    yield start
    for emulator in reversed(started):
        emulator.stop()


@pytest.fixture
def emulator(emulator_factory: EmulatorFactory) -> StoreEmulator:
    return emulator_factory(catalog="demo")


@pytest.fixture
def empty_emulator(emulator_factory: EmulatorFactory) -> StoreEmulator:
    """No products at all: add what the test needs with `add_product(name, sku, image_count)`."""
    return emulator_factory(catalog="empty")
