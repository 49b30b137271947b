"""The write lanes: ordered per product, parallel across products, drained on quit."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from pytestqt.qtbot import QtBot

from app.api import StoreClient
from app.api.models import ImageChanges
from app.services.write_lane import WriteLanes
from tests.ui.conftest import oauth_for


def test_a_lane_keeps_its_order_while_another_lane_goes_ahead(qtbot: QtBot) -> None:
    lanes = WriteLanes(max_parallel=2)
    release = threading.Event()
    done: list[str] = []

    def step(name: str, wait: threading.Event | None = None) -> Callable[[], str]:
        def work() -> str:
            if wait is not None:
                assert wait.wait(15)
            return name
        return work

    for name, wait in (("1a", release), ("1b", None), ("1c", None)):
        lanes.submit(1, name, step(name, wait), on_success=done.append)
    lanes.submit(2, "2a", step("2a"), on_success=done.append)
    qtbot.waitUntil(lambda: done == ["2a"], timeout=15000)  # product 2 did not wait for 1
    assert lanes.outstanding() == 3
    release.set()
    qtbot.waitUntil(lambda: len(done) == 4, timeout=15000)
    assert done == ["2a", "1a", "1b", "1c"]
    assert lanes.outstanding() == 0


def test_a_failed_write_reaches_its_failure_callback_and_the_lane_goes_on(qtbot: QtBot) -> None:
    lanes = WriteLanes()
    heard: list[Any] = []

    def boom() -> None:
        raise ValueError("no")

    lanes.submit(1, "bad", boom, on_success=heard.append, on_failure=heard.append)
    lanes.submit(1, "good", lambda: "ok", on_success=heard.append)
    qtbot.waitUntil(lambda: len(heard) == 2, timeout=15000)
    assert isinstance(heard[0], ValueError) and heard[1] == "ok"


def test_drain_waits_for_writes_and_delivers_their_answers(qtbot: QtBot) -> None:
    lanes = WriteLanes()
    release = threading.Event()
    answers: list[str] = []
    lanes.submit(1, "slow", lambda: release.wait(15) and "stored", on_success=answers.append)
    threading.Timer(0.05, release.set).start()
    assert lanes.drain(15.0)
    assert answers == ["stored"]  # delivered inside the drain, before anything is closed
    assert lanes.drain(0.0)       # nothing left: True at once


def test_drain_gives_up_at_its_time_limit_and_shutdown_drops_the_rest(qtbot: QtBot) -> None:
    lanes = WriteLanes()
    release = threading.Event()
    answers: list[Any] = []
    lanes.submit(1, "stuck", lambda: release.wait(15), on_success=answers.append)
    lanes.submit(1, "queued", lambda: "never", on_success=answers.append)
    assert not lanes.drain(0.05)
    lanes.shutdown()
    release.set()
    qtbot.waitUntil(lambda: lanes.outstanding() == 0, timeout=15000)
    qtbot.wait(20)
    assert answers == []
    assert lanes.submit(1, "late", lambda: "x").cancelled


def test_closing_the_window_lets_a_write_in_flight_reach_the_store(
        qtbot: QtBot, emulator_factory, open_store) -> None:
    emulator = emulator_factory(catalog="empty", latency_ms=400)
    product = emulator.add_product("Mug", "MUG-1", image_count=2)
    page = open_store(emulator, product)
    window = page.window()
    session = window.session
    image_id = page.image_model.image_at(0).id
    answers: list[Any] = []
    failures: list[Exception] = []
    emulator.clear_requests()
    session.writes.submit(
        product, "alt text",
        lambda: session.client.update_image(product, image_id,
                                            ImageChanges(description="Blue mug, side")),
        on_success=answers.append, on_failure=failures.append)
    qtbot.waitUntil(lambda: any(r.method == "PUT" for r in emulator.requests()), timeout=15000)

    window.close()  # the app ends the process right after this (os._exit)

    assert failures == []
    assert [answer.description for answer in answers] == ["Blue mug, side"]
    stored = {i.id: i for i in StoreClient(oauth_for(emulator)).list_images(product)}
    assert stored[image_id].description == "Blue mug, side"
