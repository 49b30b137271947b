"""Relay: a worker's value reaches a function attached before or after it arrives, once."""

from __future__ import annotations

import threading

from app.services.tasks import Relay


def test_a_value_delivered_first_reaches_the_function_attached_later() -> None:
    relay: Relay[list[int]] = Relay()
    received: list[list[int]] = []
    worker = threading.Thread(target=relay.deliver, args=([1, 2, 3],))
    worker.start()
    worker.join()
    relay.attach(received.append)
    assert received == [[1, 2, 3]]


def test_a_function_attached_first_gets_the_value_on_the_delivering_thread() -> None:
    relay: Relay[str] = Relay()
    seen: list[tuple[str, str]] = []
    relay.attach(lambda value: seen.append((value, threading.current_thread().name)))
    assert seen == []
    worker = threading.Thread(target=relay.deliver, args=("page",), name="lister")
    worker.start()
    worker.join()
    assert seen == [("page", "lister")]


def test_racing_deliver_and_attach_call_the_function_exactly_once() -> None:
    for _ in range(300):
        relay: Relay[int] = Relay()
        calls: list[int] = []
        start = threading.Barrier(2)

        def deliver() -> None:
            start.wait()
            relay.deliver(7)

        worker = threading.Thread(target=deliver)
        worker.start()
        start.wait()
        relay.attach(calls.append)
        worker.join()
        assert calls == [7]
