"""The emulator's life cycle and state: seeding, persistence, helpers, addresses."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from app.store_emulator import EmulatorConfig, StoreEmulator
from tests.emulator.helpers import oauth_client
from tests.support.emulator_fixtures import EmulatorFactory


def _catalog(emulator: StoreEmulator) -> str:
    """Products and one product's images as text, with the (random) ports taken out."""
    with oauth_client(emulator) as api:
        text = (api.get("/products", params={"limit": 250}).text
                + api.get("/products/5/images", params={"limit": 250}).text)
    return text.replace(emulator.cdn_origin, "CDN").replace(emulator.store_url, "API")


def test_the_demo_catalog_is_deterministic_per_seed(emulator_factory: EmulatorFactory) -> None:
    one = _catalog(emulator_factory(seed=11))
    assert one == _catalog(emulator_factory(seed=11))
    assert one != _catalog(emulator_factory(seed=12))


def test_addresses(emulator: StoreEmulator) -> None:
    host = f"http://127.0.0.1:{emulator.api_port}"
    assert emulator.store_url == host
    assert emulator.oauth_api_base == f"{host}/stores/pimdemo/v2"
    assert emulator.basic_api_base == f"{host}/api/v2"
    assert emulator.v3_api_base == f"{host}/stores/pimdemo/v3"
    assert emulator.cdn_origin == f"http://127.0.0.1:{emulator.cdn_port}"
    assert emulator.cdn_port != emulator.api_port
    assert isinstance(emulator.config, EmulatorConfig)


def test_stop_shuts_the_servers_and_removes_the_temp_db() -> None:
    with StoreEmulator(EmulatorConfig(catalog="empty")) as emulator:
        url = emulator.basic_api_base + "/products/count"
        db_path = emulator.db_path
        assert db_path is not None and Path(db_path).exists()
    assert not Path(db_path).exists()
    assert not Path(db_path + "-wal").exists()
    with httpx.Client(trust_env=False) as http, pytest.raises(httpx.ConnectError):
        http.get(url)


def test_a_db_path_keeps_state_and_is_never_reseeded(tmp_path: Path) -> None:
    db = str(tmp_path / "store.sqlite3")
    with StoreEmulator(EmulatorConfig(db_path=db)) as emulator:
        with oauth_client(emulator) as api:
            api.delete("/products/1/images")
        added = emulator.add_product("Kept Mug", "KEPT-1", image_count=1)
    assert Path(db).exists()
    with StoreEmulator(EmulatorConfig(db_path=db, catalog="demo")) as emulator:
        assert emulator.image_count(1) == 0
        assert emulator.image_count(added) == 1
        with oauth_client(emulator) as api:
            assert api.get("/products/count").json() == {"count": 25}


def test_add_product_helper(empty_emulator: StoreEmulator) -> None:
    first = empty_emulator.add_product("Red Mug", "MUG-RED", image_count=3)
    second = empty_emulator.add_product("Blue Mug")
    assert second == first + 1
    assert empty_emulator.image_count(first) == 3 and empty_emulator.image_count(second) == 0
    with oauth_client(empty_emulator) as api:
        images = api.get(f"/products/{first}/images").json()
    assert [image["sort_order"] for image in images] == [0, 1, 2]
    assert [image["is_thumbnail"] for image in images] == [True, False, False]
    with pytest.raises(ValueError):
        empty_emulator.add_product("Too many", image_count=1001)


def test_an_emulator_cannot_be_started_twice(empty_emulator: StoreEmulator) -> None:
    with pytest.raises(RuntimeError):
        empty_emulator.start()


def test_latency_is_applied_to_api_requests(emulator_factory: EmulatorFactory) -> None:
    # No wall-clock assertion: a client timeout shorter than the latency must fire.
    emulator = emulator_factory(catalog="empty", latency_ms=400)
    with httpx.Client(trust_env=False, timeout=0.1) as http, pytest.raises(httpx.ReadTimeout):
        http.get(emulator.basic_api_base + "/products/count",
                 auth=(emulator.config.basic_user, emulator.config.basic_key))
