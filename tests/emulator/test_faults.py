"""Fault injection on the API and the CDN: what a resilient client must survive."""

from __future__ import annotations

import threading

import httpx
import pytest

from app.store_emulator import Faults, StoreEmulator
from tests.emulator.helpers import decode, oauth_client, plain_client
from tests.support.emulator_fixtures import EmulatorFactory


def test_error_rate_answers_500_without_applying_the_write(emulator: StoreEmulator) -> None:
    emulator.faults.error_rate = 1.0
    with oauth_client(emulator) as api:
        response = api.delete("/products/3/images")
    assert response.status_code == 500
    assert response.json()[0]["status"] == 500
    assert "X-Rate-Limit-Requests-Left" in response.headers
    assert emulator.image_count(3) == 1


def test_drop_closes_the_connection_before_handling(emulator: StoreEmulator) -> None:
    emulator.faults.drop_rate = 1.0
    with oauth_client(emulator) as api, pytest.raises(httpx.RemoteProtocolError):
        api.delete("/products/3/images")
    assert emulator.image_count(3) == 1
    assert emulator.requests()[-1].method == "DELETE"


def test_drop_after_commit_applies_the_write_then_hangs_up(emulator: StoreEmulator) -> None:
    emulator.faults.drop_after_commit_rate = 1.0
    with oauth_client(emulator) as api, pytest.raises(httpx.RemoteProtocolError):
        api.post("/products/2/images", json={"image_file": _cdn_url_of_product_3(emulator)})
    assert emulator.image_count(2) == 1  # the duplicate-POST trap: the image exists


def test_truncate_promises_more_body_than_it_sends(emulator: StoreEmulator) -> None:
    emulator.faults.truncate_rate = 1.0
    with oauth_client(emulator) as api, pytest.raises(httpx.RemoteProtocolError):
        api.get("/products/1/images")


def test_garbage_is_a_200_that_is_not_json(emulator: StoreEmulator) -> None:
    emulator.faults.garbage_rate = 1.0
    with oauth_client(emulator) as api:
        response = api.get("/products/1/images")
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()


def test_only_methods_limits_which_requests_fail(emulator: StoreEmulator) -> None:
    emulator.faults = Faults(error_rate=1.0, only_methods=frozenset({"PUT"}))
    with oauth_client(emulator) as api:
        assert api.get("/products/1/images/1").status_code == 200
        assert api.put("/products/1/images/1", json={"description": "x"}).status_code == 500


def test_only_paths_limits_faults_to_the_paths_it_finds(emulator: StoreEmulator) -> None:
    emulator.faults = Faults(error_rate=1.0, only_paths=r"/products/\d+/images$")
    with oauth_client(emulator) as api:
        assert api.get("/products/1/images").status_code == 500
        assert api.get("/products/1/images", params={"page": 2}).status_code == 500
        assert api.get("/products/1/images/count").status_code == 200
        assert api.get("/products").status_code == 200


def test_only_queries_limits_faults_to_the_query_strings_it_finds(
        emulator: StoreEmulator) -> None:
    emulator.faults = Faults(error_rate=1.0, only_paths=r"/products/\d+/images$",
                             only_queries=r"(^|&)limit=1(&|$)")
    with oauth_client(emulator) as api:
        assert api.get("/products/1/images", params={"page": 3, "limit": 1}).status_code == 500
        assert api.get("/products/1/images", params={"limit": 10}).status_code == 200
        assert api.get("/products/1/images").status_code == 200
        assert api.get("/products", params={"limit": 1}).status_code == 200  # not its path


def test_only_paths_and_only_methods_both_apply(emulator: StoreEmulator) -> None:
    emulator.faults = Faults(error_rate=1.0, only_methods=frozenset({"PUT"}),
                             only_paths=r"/images/1$")
    with oauth_client(emulator) as api:
        assert api.get("/products/1/images/1").status_code == 200
        assert api.put("/products/1/images/1", json={"description": "x"}).status_code == 500


def test_a_held_request_waits_for_its_gate_and_others_pass(emulator: StoreEmulator) -> None:
    picture_url = _cdn_url_of_product_3(emulator)
    gate = threading.Event()
    emulator.faults = Faults(hold=gate, only_methods=frozenset({"POST"}))
    answers: list[int] = []

    def post() -> None:
        with oauth_client(emulator) as api:
            answers.append(api.post("/products/2/images",
                                    json={"image_file": picture_url}).status_code)

    poster = threading.Thread(target=post)
    poster.start()
    try:
        with oauth_client(emulator) as api:  # meanwhile the store answers what is not held
            for _ in range(200):
                if any(r.method == "POST" for r in emulator.requests()):
                    break
                assert api.get("/products/2/images/count").status_code == 200
            assert any(r.method == "POST" for r in emulator.requests())
            assert api.get("/products/2/images/count").status_code == 200
        poster.join(0.5)  # unheld, a POST is answered in milliseconds
        assert poster.is_alive() and answers == [] and emulator.image_count(2) == 0
    finally:
        gate.set()
        poster.join(10)
    assert answers == [201] and emulator.image_count(2) == 1


def test_an_injected_500_carries_the_configured_message(emulator: StoreEmulator) -> None:
    long_message = "The upstream catalogue service did not answer in time. " * 90
    emulator.faults = Faults(error_rate=1.0, error_message=long_message)
    with oauth_client(emulator) as api:
        response = api.get("/products/1/images")
    assert response.status_code == 500
    assert response.json() == [{"status": 500, "message": long_message}]


def test_cdn_faults_can_spare_some_paths(emulator: StoreEmulator) -> None:
    url = _cdn_url_of_product_3(emulator)
    emulator.cdn_faults = Faults(error_rate=1.0, only_paths=r"/products/999/")
    with plain_client() as cdn:
        assert cdn.get(url).status_code == 200
        emulator.cdn_faults.only_paths = r"/products/3/"
        assert cdn.get(url).status_code == 500


def test_faults_never_touch_the_test_helpers(emulator: StoreEmulator) -> None:
    emulator.faults = Faults(error_rate=1.0, drop_rate=1.0, drop_after_commit_rate=1.0)
    pid = emulator.add_product("Helper Mug", "HM-1", image_count=2)
    assert emulator.image_count(pid) == 2


def test_partial_rates_are_seeded_and_repeatable(emulator_factory: EmulatorFactory) -> None:
    def statuses(emulator: StoreEmulator) -> list[int]:
        emulator.faults.error_rate = 0.5
        with oauth_client(emulator) as api:
            return [api.get("/products/count").status_code for _ in range(30)]

    first = statuses(emulator_factory(catalog="empty", seed=7))
    second = statuses(emulator_factory(catalog="empty", seed=7))
    assert first == second
    assert set(first) == {200, 500}


def test_cdn_faults_are_separate(emulator: StoreEmulator) -> None:
    url = _cdn_url_of_product_3(emulator)
    emulator.cdn_faults.error_rate = 1.0
    with plain_client() as cdn:
        assert cdn.get(url).status_code == 500
        emulator.cdn_faults = Faults(drop_rate=1.0)
        with pytest.raises(httpx.RemoteProtocolError):
            cdn.get(url)
        emulator.cdn_faults = Faults(truncate_rate=1.0)
        with pytest.raises(httpx.RemoteProtocolError):
            cdn.get(url)
        emulator.cdn_faults = Faults(garbage_rate=1.0)
        garbage = cdn.get(url)
        emulator.cdn_faults = Faults()
        good = cdn.get(url)
    assert garbage.status_code == 200 and good.status_code == 200
    assert decode(good.content).width > 0
    with pytest.raises(OSError):
        decode(garbage.content)
    with oauth_client(emulator) as api:
        assert api.get("/products/3/images").status_code == 200


def _cdn_url_of_product_3(emulator: StoreEmulator) -> str:
    faults, emulator.faults = emulator.faults, Faults()
    try:
        with oauth_client(emulator) as api:
            image = api.get("/products/3/images").json()[0]
    finally:
        emulator.faults = faults
    return str(image["standard_url"])
