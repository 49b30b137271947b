"""OAuth fixed-window quota and legacy Basic hourly limit (facts §3)."""

from __future__ import annotations

import time

from tests.emulator.helpers import basic_client, oauth_client
from tests.support.emulator_fixtures import EmulatorFactory

RATE_HEADERS = ("X-Rate-Limit-Time-Window-Ms", "X-Rate-Limit-Time-Reset-Ms",
                "X-Rate-Limit-Requests-Quota", "X-Rate-Limit-Requests-Left")


def test_all_four_headers_as_integers_on_every_oauth_response(
        emulator_factory: EmulatorFactory) -> None:
    emulator = emulator_factory(catalog="demo", rate_limit_quota=50, rate_limit_window_ms=60_000)
    with oauth_client(emulator) as api, oauth_client(emulator, token="bad") as intruder:
        responses = [api.get("/products/1/images"), api.get("/products/2/images"),
                     api.get("/products/999"), api.get("/products/1/images?limit=999"),
                     api.patch("/products/1/images/1"), intruder.get("/products"),
                     api.post("/products/1/images", json={"id": 1})]
        with oauth_client(emulator, version="v3") as v3:
            responses.append(v3.get("/catalog/products/1/images/1"))
    for response in responses:
        for header in RATE_HEADERS:
            assert int(response.headers[header]) >= 0, (response.request.url, header)
        assert int(response.headers["X-Rate-Limit-Requests-Quota"]) == 50
        assert int(response.headers["X-Rate-Limit-Time-Window-Ms"]) == 60_000
    lefts = [int(r.headers["X-Rate-Limit-Requests-Left"]) for r in responses[:5]]
    assert lefts == [49, 48, 47, 46, 45]


def test_over_quota_is_429_with_retry_after_then_the_window_refreshes(
        emulator_factory: EmulatorFactory) -> None:
    emulator = emulator_factory(catalog="demo", rate_limit_quota=3, rate_limit_window_ms=400)
    with oauth_client(emulator) as api, oauth_client(emulator) as other_app:
        allowed = [api.get("/products/1/images/count") for _ in range(2)]
        allowed.append(other_app.get("/products/1/images/count"))  # the quota is per store
        limited = api.get("/products/1/images/count")
        assert [r.status_code for r in allowed] == [200, 200, 200]
        assert limited.status_code == 429
        assert limited.json()[0]["status"] == 429
        assert limited.headers["X-Rate-Limit-Requests-Left"] == "0"
        assert all(header in limited.headers for header in RATE_HEADERS)
        reset_ms = int(limited.headers["X-Rate-Limit-Time-Reset-Ms"])
        assert 0 <= reset_ms <= 400
        assert int(limited.headers["X-Retry-After"]) == max(1, -(-reset_ms // 1000))
        time.sleep(reset_ms / 1000 + 0.05)
        refreshed = api.get("/products/1/images/count")
    assert refreshed.status_code == 200
    assert refreshed.headers["X-Rate-Limit-Requests-Left"] == "2"


def test_reset_rate_limit_helper(emulator_factory: EmulatorFactory) -> None:
    emulator = emulator_factory(catalog="demo", rate_limit_quota=1)
    with oauth_client(emulator) as api:
        assert api.get("/products/count").status_code == 200
        assert api.get("/products/count").status_code == 429
        emulator.reset_rate_limit()
        assert api.get("/products/count").status_code == 200


def test_basic_auth_reports_remaining_and_answers_509(emulator_factory: EmulatorFactory) -> None:
    emulator = emulator_factory(catalog="demo", basic_hourly_limit=2)
    with basic_client(emulator) as api, basic_client(emulator, key="bad") as intruder:
        first = api.get("/products/count")
        second = api.get("/products/count")
        third = api.get("/products/count")
        rejected = intruder.get("/products/count")
    assert first.headers["X-BC-ApiLimit-Remaining"] == "1"
    assert second.headers["X-BC-ApiLimit-Remaining"] == "0"
    assert third.status_code == 509
    assert third.json() == [{"status": 509,
                             "message": "The requests-per-hour limit has been reached."}]
    assert "X-Rate-Limit-Requests-Left" not in first.headers
    assert rejected.headers["X-BC-ApiLimit-Remaining"] == "0"
