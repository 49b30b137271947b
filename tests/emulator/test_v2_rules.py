"""Thumbnail and sort_order rules (facts §4.4), checked through the API."""

from __future__ import annotations

import threading

import httpx

from app.store_emulator import StoreEmulator
from tests.emulator.conftest import PictureServer
from tests.emulator.helpers import oauth_client, picture_bytes
from tests.support.emulator_fixtures import EmulatorFactory


def _images(api: httpx.Client, pid: int) -> list[dict[str, object]]:
    response = api.get(f"/products/{pid}/images", params={"limit": 250})
    return [] if response.status_code == 204 else response.json()


def _thumbnails(api: httpx.Client, pid: int) -> list[object]:
    return [image["id"] for image in _images(api, pid) if image["is_thumbnail"]]


def _orders(api: httpx.Client, pid: int) -> dict[object, object]:
    return {image["id"]: image["sort_order"] for image in _images(api, pid)}


def test_first_image_becomes_the_thumbnail_and_new_ones_go_last(
        empty_emulator: StoreEmulator, picture_server: PictureServer) -> None:
    pid = empty_emulator.add_product("Mug")
    url = picture_server.add("/a.jpg", picture_bytes())
    with oauth_client(empty_emulator) as api:
        first = api.post(f"/products/{pid}/images",
                         json={"image_file": url, "is_thumbnail": False}).json()
        second = api.post(f"/products/{pid}/images", json={"image_file": url}).json()
        third = api.post(f"/products/{pid}/images", json={"image_file": url}).json()
        explicit = api.post(f"/products/{pid}/images",
                            json={"image_file": url, "sort_order": -7}).json()
        after_negative = api.post(f"/products/{pid}/images", json={"image_file": url}).json()
        assert _thumbnails(api, pid) == [first["id"]]
    assert first["is_thumbnail"] is True and second["is_thumbnail"] is False
    assert [first["sort_order"], second["sort_order"], third["sort_order"]] == [0, 1, 2]
    assert explicit["sort_order"] == -7
    assert after_negative["sort_order"] == 3


def test_creating_a_thumbnail_moves_the_flag(empty_emulator: StoreEmulator,
                                             picture_server: PictureServer) -> None:
    pid = empty_emulator.add_product("Mug", image_count=3)
    url = picture_server.add("/a.jpg", picture_bytes())
    with oauth_client(empty_emulator) as api:
        created = api.post(f"/products/{pid}/images",
                           json={"image_file": url, "is_thumbnail": True}).json()
        assert _thumbnails(api, pid) == [created["id"]]


def test_setting_is_thumbnail_clears_the_others(emulator: StoreEmulator) -> None:
    with oauth_client(emulator) as api:
        before = _thumbnails(api, 1)
        response = api.put("/products/1/images/42", json={"is_thumbnail": True})
        after = _thumbnails(api, 1)
        primary = api.get("/products/1").json()["primary_image"]
    assert before == [1]
    assert response.json()["is_thumbnail"] is True
    assert after == [42]
    assert primary["id"] == 42


def test_clearing_the_flag_leaves_no_thumbnail(emulator: StoreEmulator) -> None:
    with oauth_client(emulator) as api:
        api.put("/products/1/images/1", json={"is_thumbnail": False})
        assert _thumbnails(api, 1) == []
        assert api.get("/products/1").json()["primary_image"] is None


def test_deleting_the_thumbnail_promotes_the_lowest_sort_order(
        empty_emulator: StoreEmulator) -> None:
    pid = empty_emulator.add_product("Mug", image_count=4)  # sort orders 0, 1, 2, 3
    with oauth_client(empty_emulator) as api:
        a, b, c, d = (image["id"] for image in _images(api, pid))
        api.put(f"/products/{pid}/images/{d}", json={"sort_order": -1})
        assert _thumbnails(api, pid) == [a]
        assert api.delete(f"/products/{pid}/images/{a}").status_code == 204
        assert _thumbnails(api, pid) == [d]
        assert api.get(f"/products/{pid}").json()["primary_image"]["id"] == d


def test_promotion_breaks_ties_by_id(emulator_factory: EmulatorFactory) -> None:
    emulator = emulator_factory(catalog="empty", sort_order_shift=False)
    pid = emulator.add_product("Mug", image_count=4)
    with oauth_client(emulator) as api:
        ids = [image["id"] for image in _images(api, pid)]
        for image_id in ids:
            api.put(f"/products/{pid}/images/{image_id}", json={"sort_order": 5})
        api.put(f"/products/{pid}/images/{ids[0]}", json={"sort_order": 9})
        api.delete(f"/products/{pid}/images/{ids[0]}")
        assert _thumbnails(api, pid) == [ids[1]]


def test_sort_order_onto_a_taken_value_shifts_the_siblings(empty_emulator: StoreEmulator,
                                                           ) -> None:
    pid = empty_emulator.add_product("Mug", image_count=4)  # sort orders 0, 1, 2, 3
    with oauth_client(empty_emulator) as api:
        a, b, c, d = (image["id"] for image in _images(api, pid))
        response = api.put(f"/products/{pid}/images/{d}", json={"sort_order": 1})
        assert response.json()["sort_order"] == 1
        assert _orders(api, pid) == {a: 0, d: 1, b: 2, c: 3}
        api.put(f"/products/{pid}/images/{a}", json={"sort_order": 10})  # free value: no shift
        assert _orders(api, pid) == {a: 10, d: 1, b: 2, c: 3}


def test_without_the_shift_ties_are_kept(emulator_factory: EmulatorFactory) -> None:
    emulator = emulator_factory(catalog="empty", sort_order_shift=False)
    pid = emulator.add_product("Mug", image_count=3)
    with oauth_client(emulator) as api:
        a, b, c = (image["id"] for image in _images(api, pid))
        api.put(f"/products/{pid}/images/{c}", json={"sort_order": 0})
        assert _orders(api, pid) == {a: 0, b: 1, c: 0}


def test_concurrent_creates_keep_one_thumbnail_and_unique_ids(
        empty_emulator: StoreEmulator, picture_server: PictureServer) -> None:
    pid = empty_emulator.add_product("Mug")
    url = picture_server.add("/a.jpg", picture_bytes())
    statuses: list[int] = []

    def create() -> None:
        with oauth_client(empty_emulator) as api:
            statuses.append(api.post(f"/products/{pid}/images", json={"image_file": url,
                                                                      "is_thumbnail": True})
                            .status_code)

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [201] * 8
    with oauth_client(empty_emulator) as api:
        images = _images(api, pid)
        assert len({image["id"] for image in images}) == 8
        assert len(_thumbnails(api, pid)) == 1
