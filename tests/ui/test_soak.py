"""Soak, short form: picture loads and product switches with faults on leave memory, threads and
file descriptors flat (1,000 loads, 200 switches). The full form (10,000 loads, 1,000 switches) is `benchmarks/soak.py`."""

from __future__ import annotations

from collections.abc import Callable
from pytestqt.qtbot import QtBot

from app.services.session import StoreInfo
from app.ui.main_window import MainWindow
from benchmarks.soak import (ResourceTrace, rendition_urls, soak_config, soak_faults,
                             switch_soak, thumbnail_soak)
from tests.support.emulator_fixtures import EmulatorFactory
from tests.ui.conftest import oauth_for

# 200 switches: the window's picture cache (~20 new cards a switch) is full before the warm-up
# ends, so what grows after it is not the cache filling.
# After the warm-up, what a flat run may still grow by: allocator arenas and Qt's own caches
# settle in steps, a leak grows with every batch. Threads and descriptors must not grow at all
# beyond a pooled connection or two.
RSS_SLACK = 12 * 2**20
FD_SLACK = 4


def assert_flat(trace: ResourceTrace) -> None:
    rss, threads, fds = trace.growth()
    assert len(trace.samples) >= 5, "too few samples to judge"
    assert threads <= 0, f"threads grew by {threads}: {trace.samples}"
    assert fds <= FD_SLACK, f"file descriptors grew by {fds}: {trace.samples}"
    assert rss <= RSS_SLACK, f"memory grew by {rss / 2**20:.1f} MB after warm-up"
    print(f"growth after warm-up: {rss / 2**20:.1f} MB, {threads} threads, {fds} fds")


def test_a_thousand_picture_loads_with_faults_stay_flat(
        qtbot: QtBot, emulator_factory: EmulatorFactory) -> None:
    emulator = emulator_factory(**soak_config().__dict__)
    urls = rendition_urls(emulator, range(1, 4))
    emulator.cdn_faults = soak_faults()
    emulator.clear_requests()
    trace = thumbnail_soak(emulator, urls, loads=1_000, cache_dir=None)
    assert trace.samples[-1].done >= 1_000
    assert_flat(trace)
    # Every load went to the image server, and failed ones were tried again.
    assert trace.image_server_requests > 1_000


def test_two_hundred_product_switches_with_faults_stay_flat(
        qtbot: QtBot, emulator_factory: EmulatorFactory,
        make_window: Callable[..., MainWindow]) -> None:
    emulator = emulator_factory(**soak_config().__dict__)
    window = make_window()
    page = window.open_store(StoreInfo("Soak store", oauth_for(emulator)), 1)
    assert page is not None
    qtbot.waitUntil(lambda: page.images_ready, timeout=15000)
    emulator.faults = soak_faults()
    emulator.cdn_faults = soak_faults()
    opened: list[int] = []
    page.imagesLoaded.connect(lambda product_id, _count: opened.append(product_id))
    trace = switch_soak(page.open_product_id, lambda: page.images_ready,
                        list(range(1, 25)), switches=200, before_sample=emulator.clear_requests)
    assert_flat(trace)
    assert len(opened) >= 100, "most switches should have shown their product despite faults"
