"""Every error class the client raises, provoked through the emulator's real HTTP answers."""

from __future__ import annotations

import logging
import time

import httpx
import pytest

from app.api import BasicCredentials, ImageChanges, OAuthCredentials
from app.api import errors
from app.api.rate_limit import RateLimiter, RateLimitSnapshot
from app.store_emulator import StoreEmulator
from tests.api.conftest import ClientFactory, fast_retry, free_port, spend_quota

TRANSPORT_LOGGER = "app.api.transport"


@pytest.fixture
def emu(empty_emulator: StoreEmulator) -> StoreEmulator:
    return empty_emulator


# ---- 401 / 403 / 404 / 400 / 413 --------------------------------------------------------

def test_wrong_oauth_token_is_authentication_failed(emu: StoreEmulator,
                                                    make_client: ClientFactory) -> None:
    pid = emu.add_product("Mug", "MUG-1", image_count=1)
    client = make_client(emu, "oauth", token="not-the-token")
    with pytest.raises(errors.AuthenticationFailed) as caught:
        client.list_images(pid)
    error = caught.value
    assert error.status == 401 and not error.transient
    assert "access token" in error.message and "X-Auth-Token" in (error.server_message or "")
    assert len(emu.requests()) == 1  # never retried


def test_wrong_store_hash_is_authentication_failed(emu: StoreEmulator,
                                                   make_client: ClientFactory) -> None:
    base = emu.oauth_api_base.replace("/pimdemo/", "/otherstore/")
    client = make_client(credentials=OAuthCredentials("otherstore", emu.config.access_token,
                                                      api_base=base))
    with pytest.raises(errors.AuthenticationFailed):
        client.count_products()


def test_wrong_basic_api_key_is_authentication_failed(emu: StoreEmulator,
                                                      make_client: ClientFactory) -> None:
    client = make_client(emu, "basic", api_key="wrong-key")
    with pytest.raises(errors.AuthenticationFailed) as caught:
        client.count_products()
    assert caught.value.status == 401 and "API key" in caught.value.message
    wrong_user = make_client(credentials=BasicCredentials(
        emu.store_url, "someone", emu.config.basic_key, api_base=emu.basic_api_base))
    with pytest.raises(errors.AuthenticationFailed):
        wrong_user.count_products()
    assert len(emu.requests()) == 2


def test_plain_text_401_is_understood(emulator_factory, make_client: ClientFactory) -> None:
    emu = emulator_factory(catalog="empty", plain_text_401=True)
    with pytest.raises(errors.AuthenticationFailed) as caught:
        make_client(emu, "oauth", token="nope").count_products()
    assert caught.value.server_message and "X-Auth-Token" in caught.value.server_message


def test_read_only_token_may_read_but_not_write(emu: StoreEmulator,
                                                make_client: ClientFactory) -> None:
    pid = emu.add_product("Lamp", "LAMP-1", image_count=2)
    client = make_client(emu, "oauth", token=emu.config.read_only_tokens[0])
    images = client.list_images(pid)  # reading is allowed
    assert len(images) == 2
    assert images[0].zoom_url
    writes = [
        lambda: client.create_image_from_url(pid, images[0].zoom_url or ""),
        lambda: client.update_image(pid, images[0].id, ImageChanges(description="x")),
        lambda: client.delete_image(pid, images[0].id),
        lambda: client.delete_all_images(pid),
    ]
    for write in writes:
        with pytest.raises(errors.PermissionDenied) as caught:
            write()
        assert caught.value.status == 403
        assert "Products: modify" in caught.value.message  # says which scope to add
    assert emu.image_count(pid) == 2
    assert [r.method for r in emu.requests()] == ["GET", "POST", "PUT", "DELETE", "DELETE"]
    assert client.get_image(pid, images[0].id).description == images[0].description


def test_not_found(emu: StoreEmulator, make_client: ClientFactory, auth_style: str) -> None:
    pid = emu.add_product("Mug", "MUG-1", image_count=1)
    client = make_client(emu, auth_style)
    calls = [
        lambda: client.get_image(pid, 999),
        lambda: client.get_image(999, 1),
        lambda: client.list_images(999),
        lambda: client.count_images(999),
        lambda: client.update_image(pid, 999, ImageChanges(sort_order=1)),
        lambda: client.delete_image(pid, 999, missing_ok=False),
        lambda: client.get_product(999),
    ]
    for call in calls:
        with pytest.raises(errors.NotFound) as caught:
            call()
        assert caught.value.status == 404 and "404" in caught.value.message
        assert "999" in (caught.value.path or "")
    assert len(emu.requests()) == len(calls)  # none retried


def test_undownloadable_image_url_is_validation_failed_with_the_reason(
        emu: StoreEmulator, make_client: ClientFactory, auth_style: str) -> None:
    pid = emu.add_product("Mug", "MUG-1")
    client = make_client(emu, auth_style)
    missing = f"{emu.cdn_origin}/bcapp/pimdemo/products/1/images/1/nothing.1.44.58.jpg?c=1"
    with pytest.raises(errors.ValidationFailed) as caught:
        client.create_image_from_url(pid, missing)
    error = caught.value
    assert error.status == 400
    reason = error.details.get("invalid_reason")
    assert reason and "could not be downloaded" in reason
    assert reason in error.message  # surfaced to the user, not only kept in details
    assert "image_file" in error.message
    assert emu.image_count(pid) == 0


def test_unreachable_image_host_is_validation_failed(emu: StoreEmulator,
                                                     make_client: ClientFactory) -> None:
    pid = emu.add_product("Mug", "MUG-1")
    with pytest.raises(errors.ValidationFailed, match="could not be downloaded"):
        make_client(emu).create_image_from_url(pid, f"http://127.0.0.1:{free_port()}/a.jpg")


def test_limit_above_250_is_413_limit_too_large(emu: StoreEmulator, make_client: ClientFactory,
                                                auth_style: str) -> None:
    pid = emu.add_product("Mug", "MUG-1", image_count=1)
    client = make_client(emu, auth_style)
    with pytest.raises(ValueError):  # the client itself refuses...
        client.list_images(pid, limit=251)
    assert emu.requests() == []
    url = f"{client.credentials.v2_base}/products/{pid}/images"
    with pytest.raises(errors.LimitTooLarge) as caught:  # ...and the store would too
        client.transport.request_json("GET", url, params={"limit": 251})
    assert caught.value.status == 413
    assert caught.value.details == {"max_limit": 250}
    assert "250" in caught.value.message
    assert len(emu.requests()) == 1


# ---- rate limits ------------------------------------------------------------------------

def test_429_is_waited_out_and_retried(emulator_factory, make_client: ClientFactory,
                                       caplog: pytest.LogCaptureFixture) -> None:
    emu = emulator_factory(catalog="empty", rate_limit_quota=2, rate_limit_window_ms=1000)
    pid = emu.add_product("Mug", "MUG-1", image_count=3)
    spend_quota(emu, 2)  # the store's quota is shared: another app spent it
    emu.clear_requests()
    seen: list[RateLimitSnapshot] = []
    client = make_client(emu, on_rate_limit=seen.append)
    with caplog.at_level(logging.INFO, logger=TRANSPORT_LOGGER):
        assert len(client.list_images(pid)) == 3
    assert len(emu.requests()) == 2  # the 429, then the retry
    assert [s.left for s in seen] == [0, 1]  # 429's headers said none left; the retry got one
    assert any("rate limited" in r.getMessage() for r in caplog.records)


def test_429_on_a_post_is_retried_once_without_duplicating(
        emulator_factory, make_client: ClientFactory) -> None:
    emu = emulator_factory(catalog="empty", rate_limit_quota=2, rate_limit_window_ms=1000)
    pid = emu.add_product("Mug", "MUG-1", image_count=1)
    url = make_client(emu).list_images(pid)[0].tiny_url
    assert url
    emu.reset_rate_limit()
    spend_quota(emu, 2)
    emu.clear_requests()
    # reserve=0: the client may spend the whole fresh window (keeps the test short).
    client = make_client(emu, rate_limiter=RateLimiter(reserve=0))
    created = client.create_image_from_url(pid, url)
    assert emu.image_count(pid) == 2
    assert [r.method for r in emu.requests()] == ["POST", "POST", "GET"]
    assert created.has_renditions


def test_rate_limited_at_once_when_the_store_asks_for_a_wait_over_the_cap(
        emulator_factory, make_client: ClientFactory) -> None:
    emu = emulator_factory(catalog="empty", rate_limit_quota=1, rate_limit_window_ms=60_000)
    make_client(emu).count_products()
    emu.clear_requests()
    client = make_client(emu, retry=fast_retry(max_rate_limit_waits=2,
                                               max_rate_limit_wait=0.01))
    with pytest.raises(errors.RateLimited) as caught:
        client.count_products()
    error = caught.value
    assert error.status == 429 and error.transient
    assert error.retry_after is not None and 55 <= error.retry_after <= 60
    assert "rate limit" in error.message and "resets in" in error.message
    # A 60 s wait is over the 0.01 s cap: no worker is held, the merchant hears when to retry.
    assert len(emu.requests()) == 1


def test_rate_limited_at_once_without_waits(emulator_factory,
                                            make_client: ClientFactory) -> None:
    emu = emulator_factory(catalog="empty", rate_limit_quota=1, rate_limit_window_ms=60_000)
    make_client(emu).count_products()
    emu.clear_requests()
    client = make_client(emu, retry=fast_retry(max_rate_limit_waits=0))
    with pytest.raises(errors.RateLimited):
        client.count_products()
    assert len(emu.requests()) == 1


def test_cancel_while_waiting_out_a_429(emulator_factory, make_client: ClientFactory) -> None:
    import threading

    # A 20 s window: under the 30 s cap, so the client would wait it out.
    emu = emulator_factory(catalog="empty", rate_limit_quota=1, rate_limit_window_ms=20_000)
    make_client(emu).count_products()
    emu.clear_requests()
    cancel = threading.Event()

    def on_rate_limit(snapshot: RateLimitSnapshot) -> None:
        if snapshot.left == 0:
            cancel.set()  # e.g. the window closes while the client would sleep 20 s

    client = make_client(emu, cancel=cancel, on_rate_limit=on_rate_limit)
    with pytest.raises(errors.Cancelled):
        client.count_products()
    assert len(emu.requests()) == 1
    with pytest.raises(errors.Cancelled):  # and nothing more is sent once cancelled
        client.count_products()
    assert len(emu.requests()) == 1


def test_509_on_basic_auth_is_rate_limited_without_hammering(
        emulator_factory, make_client: ClientFactory) -> None:
    emu = emulator_factory(catalog="empty", basic_hourly_limit=2)
    client = make_client(emu, "basic")
    assert client.count_products() == 0
    assert client.count_products() == 0
    with pytest.raises(errors.RateLimited) as caught:
        client.count_products()
    assert caught.value.status == 509
    assert "509" in caught.value.message
    # A rolling-hour limit does not lift in seconds: the 509 is not retried like a 5xx.
    assert len(emu.requests()) == 3
    assert client.transport.rate_limiter.snapshot is not None
    assert client.transport.rate_limiter.snapshot.left == 0  # X-BC-ApiLimit-Remaining


# ---- 5xx ---------------------------------------------------------------------------------

def test_5xx_on_get_is_retried_until_it_succeeds(emu: StoreEmulator, make_client: ClientFactory,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    pid = emu.add_product("Mug", "MUG-1", image_count=2)
    emu.faults.error_rate = 0.5  # the emulator's fault RNG is seeded: the same every run
    client = make_client(emu, retry=fast_retry(max_attempts=10))
    with caplog.at_level(logging.DEBUG, logger=TRANSPORT_LOGGER):
        results = [client.count_images(pid) for _ in range(10)]
    assert results == [2] * 10
    failures = [r for r in caplog.records if r.getMessage().endswith("-> 500")]
    assert failures, "the seeded fault RNG produced no 500 at all"
    assert len(emu.requests()) == 10 + len(failures)


def test_persistent_5xx_is_server_error_after_max_attempts(
        emu: StoreEmulator, make_client: ClientFactory, auth_style: str) -> None:
    pid = emu.add_product("Mug", "MUG-1", image_count=2)
    emu.faults.error_rate = 1.0
    emu.faults.only_methods = frozenset({"GET"})
    client = make_client(emu, auth_style, retry=fast_retry(max_attempts=4))
    with pytest.raises(errors.ServerError) as caught:
        client.list_images(pid)
    assert caught.value.status == 500 and caught.value.transient
    assert "try again" in caught.value.message
    assert len(emu.requests()) == 4


def test_5xx_on_post_is_not_retried(emu: StoreEmulator, make_client: ClientFactory) -> None:
    pid = emu.add_product("Mug", "MUG-1", image_count=1)
    client = make_client(emu)
    url = client.list_images(pid)[0].zoom_url
    assert url
    emu.faults.error_rate = 1.0
    emu.faults.only_methods = frozenset({"POST"})
    emu.clear_requests()
    with pytest.raises(errors.ServerError):
        client.create_image_from_url(pid, url)
    assert [r.method for r in emu.requests()] == ["POST"]
    assert emu.image_count(pid) == 1


# ---- the connection itself ---------------------------------------------------------------

@pytest.mark.parametrize("method", ["GET", "POST"])
def test_refused_port_is_network_error(make_client: ClientFactory, method: str,
                                       caplog: pytest.LogCaptureFixture) -> None:
    base = f"http://127.0.0.1:{free_port()}/stores/abc/v2"
    client = make_client(credentials=OAuthCredentials("abc", "tok", api_base=base),
                         retry=fast_retry(max_attempts=3))
    with caplog.at_level(logging.INFO, logger=TRANSPORT_LOGGER):
        with pytest.raises(errors.NetworkError) as caught:
            if method == "GET":
                client.count_images()
            else:
                client.create_image_from_url(1, "https://example.com/a.jpg")
    # Never connected, so nothing was applied: even a POST is a plain NetworkError (and was
    # safe to retry), not OutcomeUnknown.
    assert type(caught.value) is errors.NetworkError
    assert "could not be reached" in caught.value.message
    attempts = [r for r in caplog.records if "ConnectError" in r.getMessage()]
    assert len(attempts) == 3


def test_dropped_connection_on_get_is_retried(emu: StoreEmulator, make_client: ClientFactory,
                                              caplog: pytest.LogCaptureFixture) -> None:
    pid = emu.add_product("Mug", "MUG-1", image_count=2)
    emu.faults.drop_rate = 0.5
    client = make_client(emu, retry=fast_retry(max_attempts=10))
    with caplog.at_level(logging.INFO, logger=TRANSPORT_LOGGER):
        assert [len(client.list_images(pid)) for _ in range(8)] == [2] * 8
    drops = [r for r in caplog.records if "RemoteProtocolError" in r.getMessage()]
    assert drops
    assert len(emu.requests()) == 8 + len(drops)


def test_persistently_dropped_get_is_network_error(emu: StoreEmulator,
                                                   make_client: ClientFactory) -> None:
    pid = emu.add_product("Mug", "MUG-1", image_count=2)
    emu.faults.drop_rate = 1.0
    with pytest.raises(errors.NetworkError) as caught:
        make_client(emu, retry=fast_retry(max_attempts=3)).list_images(pid)
    assert type(caught.value) is errors.NetworkError
    assert "dropped" in caught.value.message
    assert len(emu.requests()) == 3


def test_truncated_body_is_retried(emu: StoreEmulator, make_client: ClientFactory,
                                   caplog: pytest.LogCaptureFixture) -> None:
    pid = emu.add_product("Mug", "MUG-1", image_count=3)
    emu.faults.truncate_rate = 0.5
    client = make_client(emu, retry=fast_retry(max_attempts=10))
    with caplog.at_level(logging.INFO, logger=TRANSPORT_LOGGER):
        assert [len(client.list_images(pid)) for _ in range(8)] == [3] * 8
    cut = [r for r in caplog.records if "failed (" in r.getMessage()]
    assert cut
    assert len(emu.requests()) == 8 + len(cut)


def test_persistently_truncated_body_is_network_error(emu: StoreEmulator,
                                                      make_client: ClientFactory) -> None:
    pid = emu.add_product("Mug", "MUG-1", image_count=3)
    emu.faults.truncate_rate = 1.0
    with pytest.raises(errors.NetworkError):
        make_client(emu, retry=fast_retry(max_attempts=3)).list_images(pid)
    assert len(emu.requests()) == 3


def test_garbage_body_is_malformed_response_after_retries(
        emu: StoreEmulator, make_client: ClientFactory, auth_style: str) -> None:
    pid = emu.add_product("Mug", "MUG-1", image_count=3)
    emu.faults.garbage_rate = 1.0
    client = make_client(emu, auth_style, retry=fast_retry(max_attempts=4))
    with pytest.raises(errors.MalformedResponse) as caught:
        client.list_images(pid)
    assert "not JSON" in caught.value.message
    assert len(emu.requests()) == 4
    with pytest.raises(errors.MalformedResponse):
        client.get_product(pid)


def test_occasional_garbage_is_retried_away(emu: StoreEmulator,
                                            make_client: ClientFactory) -> None:
    pid = emu.add_product("Mug", "MUG-1", image_count=3)
    emu.faults.garbage_rate = 0.5
    client = make_client(emu, retry=fast_retry(max_attempts=10))
    assert [len(client.list_images(pid)) for _ in range(8)] == [3] * 8
    assert len(emu.requests()) > 8


def test_post_dropped_after_commit_is_outcome_unknown_and_not_duplicated(
        emu: StoreEmulator, make_client: ClientFactory, auth_style: str) -> None:
    pid = emu.add_product("Mug", "MUG-1", image_count=2)
    client = make_client(emu, auth_style)
    url = client.list_images(pid)[0].zoom_url
    assert url
    emu.faults.drop_after_commit_rate = 1.0
    emu.faults.only_methods = frozenset({"POST"})
    emu.clear_requests()
    with pytest.raises(errors.OutcomeUnknown) as caught:
        client.create_image_from_url(pid, url, description="maybe")
    assert "may or may not" in caught.value.message and "reload" in caught.value.message
    assert [r.method for r in emu.requests()] == ["POST"]  # sent once, never repeated
    assert emu.image_count(pid) == 3  # the store applied it: exactly one new image
    # The caller's check: reloading shows the one image.
    emu.faults.drop_after_commit_rate = 0.0
    assert [i.description for i in client.all_images(pid)].count("maybe") == 1


def test_put_dropped_after_commit_is_retried_safely(emu: StoreEmulator,
                                                    make_client: ClientFactory) -> None:
    pid = emu.add_product("Mug", "MUG-1", image_count=2)
    client = make_client(emu, retry=fast_retry(max_attempts=3))
    image = client.list_images(pid)[0]
    emu.faults.drop_after_commit_rate = 1.0
    emu.faults.only_methods = frozenset({"PUT"})
    with pytest.raises(errors.NetworkError) as caught:
        client.update_image(pid, image.id, ImageChanges(description="Front"))
    assert type(caught.value) is errors.NetworkError  # idempotent: repeating was safe
    assert [r.method for r in emu.requests()].count("PUT") == 3
    assert client.get_image(pid, image.id).description == "Front"
    assert emu.image_count(pid) == 2


def test_delete_dropped_after_commit_counts_as_done(emu: StoreEmulator,
                                                    make_client: ClientFactory) -> None:
    import httpx

    class HealAfterFirstDelete(httpx.HTTPTransport):
        """The connection drops on the first DELETE only (the store applied it)."""

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            try:
                return super().handle_request(request)
            finally:
                if request.method == "DELETE":
                    emu.faults.drop_after_commit_rate = 0.0

    pid = emu.add_product("Mug", "MUG-1", image_count=2)
    client = make_client(emu, retry=fast_retry(max_attempts=3), wire=HealAfterFirstDelete())
    image = client.list_images(pid)[0]
    emu.faults.drop_after_commit_rate = 1.0
    emu.faults.only_methods = frozenset({"DELETE"})
    client.delete_image(pid, image.id)  # the retry meets a 404: the first attempt worked
    assert [r.method for r in emu.requests()].count("DELETE") == 2
    assert emu.image_count(pid) == 1


def test_cancelled_before_sending(emu: StoreEmulator, make_client: ClientFactory) -> None:
    import threading

    cancel = threading.Event()
    cancel.set()
    with pytest.raises(errors.Cancelled):
        make_client(emu, cancel=cancel).count_products()
    assert emu.requests() == []


def test_slow_store_read_timeout_get_is_retried_then_network_error(
        emulator_factory, make_client: ClientFactory) -> None:
    emu = emulator_factory(catalog="empty", latency_ms=400)
    client = make_client(emu, retry=fast_retry(max_attempts=2),
                         timeout=httpx.Timeout(5.0, read=0.1))
    with pytest.raises(errors.NetworkError) as caught:
        client.count_products()
    assert type(caught.value) is errors.NetworkError
    assert "too long" in caught.value.message
    assert len(emu.requests()) == 2


def test_slow_store_read_timeout_post_is_outcome_unknown(
        emulator_factory, make_client: ClientFactory) -> None:
    emu = emulator_factory(catalog="empty", latency_ms=400)
    pid = emu.add_product("Mug", "MUG-1", image_count=1)
    url = make_client(emu).list_images(pid)[0].zoom_url
    assert url
    emu.clear_requests()
    client = make_client(emu, timeout=httpx.Timeout(5.0, read=0.1))
    with pytest.raises(errors.OutcomeUnknown):
        client.create_image_from_url(pid, url)
    assert [r.method for r in emu.requests()] == ["POST"]
    # The store goes on to apply it after the client gave up: once, not twice.
    for _ in range(100):
        if emu.image_count(pid) == 2:
            break
        time.sleep(0.05)
    assert emu.image_count(pid) == 2
