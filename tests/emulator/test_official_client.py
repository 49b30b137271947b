"""The official `bigcommerce` Python client (0.23.4) against the emulator (facts §6)."""

from __future__ import annotations

from typing import Any

import bigcommerce
import pytest
from bigcommerce.exception import ClientRequestException, RateLimitingException

from app.store_emulator import StoreEmulator
from tests.support.emulator_fixtures import EmulatorFactory


def _oauth_api(emulator: StoreEmulator, **options: Any) -> bigcommerce.api.BigcommerceApi:
    api = bigcommerce.api.BigcommerceApi(client_id="any-client", store_hash=emulator.config.store_hash,
                                         access_token=emulator.config.access_token, **options)
    connection = api.connection
    # The client hard-codes https://; point it at the emulator's plain-http port (facts §6.5).
    connection.full_path = lambda url: (emulator.store_url
                                        + connection.api_path.format(connection.store_hash, url))
    connection._session.trust_env = False
    return api


def _basic_api(emulator: StoreEmulator) -> bigcommerce.api.BigcommerceApi:
    api = bigcommerce.api.BigcommerceApi(
        host=f"{emulator.config.host}:{emulator.api_port}",
        basic_auth=(emulator.config.basic_user, emulator.config.basic_key))
    connection = api.connection
    connection.full_path = lambda url: "http://" + connection.host + connection.api_path.format(url)
    connection._session.trust_env = False
    return api


@pytest.mark.parametrize("make_api", [_oauth_api, _basic_api], ids=["oauth", "basic"])
def test_round_trip(emulator: StoreEmulator, make_api: Any) -> None:
    api = make_api(emulator)
    first = api.ProductImages.all(1, page=1, limit=250)
    second = api.ProductImages.all(1, page=2, limit=250)
    past_end = api.ProductImages.all(1, page=3, limit=250)
    assert len(first) == 250 and len(second) == 50
    # 204 becomes an empty mapping; it still holds the client's private `_connection` key.
    assert [key for key in past_end if not key.startswith("_")] == []
    assert api.ProductImages.count(1) == 300
    total = api.ProductImages.count()

    source = api.ProductImages.all(3)[0]
    created = api.ProductImages.create(2, image_file=source.zoom_url, description="Copy")
    assert created.product_id == 2 and created.is_thumbnail is True
    assert api.ProductImages.count() == total + 1

    fetched = api.ProductImages.get(2, created.id)
    updated = fetched.update(description="Front view", sort_order=4)
    assert updated.description == "Front view" and updated.sort_order == 4
    assert api.ProductImages.get(2, created.id).description == "Front view"

    assert api.ProductImages.get(2, created.id).delete() == {}
    assert api.ProductImages.count(2) == 0
    with pytest.raises(ClientRequestException) as missing:
        api.ProductImages.get(2, created.id)
    assert missing.value.status_code == 404

    api.ProductImages.delete_all(3)
    assert emulator.image_count(3) == 0
    assert api.Products.get(1).name == "Canvas Tote Bag"
    assert len(list(api.Products.iterall())) == 24


def test_rate_limit_parsing_and_management(emulator_factory: EmulatorFactory) -> None:
    emulator = emulator_factory(catalog="demo", rate_limit_quota=4)
    warnings: list[dict[str, Any]] = []
    api = _oauth_api(emulator, rate_limiting_management={
        "min_requests_remaining": 1, "wait": False,
        "callback_function": warnings.append, "callback_args": {"low": True}})
    api.ProductImages.count(1)
    assert api.connection.rate_limit == {"ms_until_reset": api.connection.rate_limit[
        "ms_until_reset"], "window_size_ms": 30000, "requests_remaining": 3, "requests_quota": 4}
    api.ProductImages.count(1)
    api.ProductImages.count(1)
    assert warnings == [{"low": True}]
    api.ProductImages.count(1)
    with pytest.raises(RateLimitingException) as limited:
        api.ProductImages.count(1)
    assert int(limited.value.retry_after) <= 30000  # the client reads the reset header (ms)
    assert int(limited.value.headers["X-Retry-After"]) >= 1
