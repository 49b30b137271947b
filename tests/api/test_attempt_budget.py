"""One call, one attempt budget: 5xx, dropped connections and garbled bodies together never
make a call send more than max_attempts times."""

from __future__ import annotations

import httpx
import pytest

from app.api import errors
from app.store_emulator import StoreEmulator
from tests.api.conftest import ClientFactory, fast_retry

FAULTS = {"500": "error_rate", "garbage": "garbage_rate", "drop": "drop_rate"}


class ScriptedFaults(httpx.HTTPTransport):
    """Before each send, sets the emulator's faults to the next step of a cycle, e.g.
    ("500", "500", "500", "garbage"): the store fails in a fixed, repeating pattern."""

    def __init__(self, emu: StoreEmulator, cycle: tuple[str, ...]) -> None:
        super().__init__()
        self.emu = emu
        self.cycle = cycle
        self.sends = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        step = self.cycle[self.sends % len(self.cycle)]
        self.sends += 1
        for name in FAULTS.values():
            setattr(self.emu.faults, name, 0.0)
        if step in FAULTS:
            setattr(self.emu.faults, FAULTS[step], 1.0)
        return super().handle_request(request)


@pytest.mark.parametrize("cycle", [
    ("500", "500", "500", "garbage"),      # was 16 sends: 4 garbled answers x 4 tries each
    ("drop", "drop", "drop", "garbage"),
    ("garbage", "500", "drop"),
    ("500", "garbage"),
], ids="-".join)
def test_persistent_mixed_faults_send_at_most_max_attempts(
        empty_emulator: StoreEmulator, make_client: ClientFactory, cycle: tuple[str, ...]) -> None:
    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG-1", image_count=2)
    wire = ScriptedFaults(emu, cycle)
    client = make_client(emu, retry=fast_retry(max_attempts=4), wire=wire)
    emu.clear_requests()
    with pytest.raises(errors.ApiError) as caught:
        client.list_images(pid)
    assert caught.value.transient
    assert len(emu.requests()) == wire.sends == 4


def test_random_persistent_faults_never_exceed_the_budget(
        empty_emulator: StoreEmulator, make_client: ClientFactory) -> None:
    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG-1", image_count=2)
    client = make_client(emu, retry=fast_retry(max_attempts=3))
    emu.faults.error_rate = emu.faults.garbage_rate = emu.faults.drop_rate = 0.4
    outcomes = set()
    for _ in range(30):
        emu.clear_requests()
        try:
            client.list_images(pid)
            outcomes.add("ok")
        except errors.ApiError as exc:
            outcomes.add(type(exc).__name__)
        assert 1 <= len(emu.requests()) <= 3
    assert len(outcomes) > 1  # the faults really varied


def test_a_garbled_body_then_a_good_one_is_one_retry(
        empty_emulator: StoreEmulator, make_client: ClientFactory) -> None:
    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG-1", image_count=2)
    wire = ScriptedFaults(emu, ("garbage", "500", "ok"))
    client = make_client(emu, retry=fast_retry(max_attempts=3), wire=wire)
    emu.clear_requests()
    assert len(client.list_images(pid)) == 2
    assert len(emu.requests()) == 3


def test_a_garbled_answer_to_a_post_is_not_sent_again(
        empty_emulator: StoreEmulator, make_client: ClientFactory) -> None:
    """The store applied it; a second POST would add a duplicate image."""
    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG-1", image_count=1)
    client = make_client(emu, retry=fast_retry(max_attempts=4))
    url = client.list_images(pid)[0].zoom_url
    assert url
    emu.faults.garbage_rate = 1.0
    emu.faults.only_methods = frozenset({"POST"})
    emu.clear_requests()
    with pytest.raises(errors.MalformedResponse):
        client.create_image_from_url(pid, url)
    assert [r.method for r in emu.requests()] == ["POST"]
    assert emu.image_count(pid) == 2
