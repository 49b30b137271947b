"""No credential ever leaves for the CDN, a log line, an exception or a repr."""

from __future__ import annotations

import base64
import http.server
import logging
import threading
from collections.abc import Iterator

import pytest

from app.api import BasicCredentials, ImageDownloader, OAuthCredentials, StoreClient
from app.api import errors
from app.api.image_files import sniff_image_type
from app.store_emulator import StoreEmulator
from tests.api.conftest import ClientFactory, credentials_for, fast_retry, free_port

TOKEN = "tok-Sup3rSecretOAuthToken-7731"
API_KEY = "key-Sup3rSecretBasicKey-4410"
WRONG_TOKEN = "tok-WrongButStillSecret-0042"
WRONG_KEY = "key-WrongButStillSecret-0099"
USER = "admin"


def basic_header(user: str, key: str) -> str:
    return base64.b64encode(f"{user}:{key}".encode()).decode("ascii")


SECRETS = (TOKEN, API_KEY, WRONG_TOKEN, WRONG_KEY, basic_header(USER, API_KEY),
           basic_header(USER, WRONG_KEY))
CREDENTIAL_HEADERS = ("authorization", "x-auth-token", "x-auth-client", "cookie")


def assert_no_secret(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"a credential leaked into {where}: {text!r}"


@pytest.fixture
def emu(emulator_factory) -> StoreEmulator:
    return emulator_factory(catalog="empty", access_token=TOKEN, basic_user=USER,
                            basic_key=API_KEY)


@pytest.fixture
def downloader() -> Iterator[ImageDownloader]:
    with_retry = ImageDownloader(retry=fast_retry(max_attempts=3))
    yield with_retry
    with_retry.close()


class RedirectServer:
    """A tiny http.server on 127.0.0.1 that 302-redirects every GET to one target URL and
    records the headers it was sent."""

    def __init__(self, target: str) -> None:
        self.seen: list[dict[str, str]] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                outer.seen.append({k.lower(): v for k, v in self.headers.items()})
                self.send_response(302)
                self.send_header("Location", target)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/moved/picture.jpg"
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


def rendition_urls(client: StoreClient, product_id: int) -> list[str]:
    image = client.list_images(product_id)[0]
    urls = [image.tiny_url, image.standard_url, image.thumbnail_url, image.zoom_url]
    assert all(urls)
    return [url for url in urls if url]


def assert_clean_cdn(emu: StoreEmulator) -> None:
    recorded = emu.cdn_requests()
    assert recorded, "the CDN saw no request at all"
    for request in recorded:
        for name in CREDENTIAL_HEADERS:
            assert name not in request.headers, f"{name} reached the CDN"
        for name, value in request.headers.items():
            assert_no_secret(f"{name}: {value}", "a CDN request")
        assert_no_secret(request.path + "?" + request.query, "a CDN URL")


# ---- the CDN -------------------------------------------------------------------------------

def test_no_credential_reaches_the_cdn(emu: StoreEmulator, make_client: ClientFactory,
                                       downloader: ImageDownloader, auth_style: str) -> None:
    pid = emu.add_product("Mug", "MUG-1", image_count=1)
    client = make_client(emu, auth_style)
    for url in rendition_urls(client, pid):
        assert sniff_image_type(downloader.fetch(url)) in ("jpeg", "png")
    assert len(emu.cdn_requests()) == 4
    assert_clean_cdn(emu)
    # The API side really did carry the credential (so the check above can fail).
    api_headers = emu.requests()[0].headers
    assert TOKEN in api_headers.get("x-auth-token", "") or \
        basic_header(USER, API_KEY) in api_headers.get("authorization", "")


def test_no_credential_reaches_the_cdn_across_a_redirect(
        emu: StoreEmulator, make_client: ClientFactory, downloader: ImageDownloader,
        auth_style: str) -> None:
    pid = emu.add_product("Mug", "MUG-1", image_count=1)
    client = make_client(emu, auth_style)
    target = rendition_urls(client, pid)[1]
    redirect = RedirectServer(target)
    try:
        data = downloader.fetch(redirect.url)
        assert sniff_image_type(data) in ("jpeg", "png")
        assert len(redirect.seen) == 1  # the redirect really happened...
        assert [r.path for r in emu.cdn_requests()] == [target.split("?")[0].split(
            emu.cdn_origin)[1]]  # ...and was followed to the CDN
        for headers in redirect.seen:
            for name in CREDENTIAL_HEADERS:
                assert name not in headers
            assert_no_secret(repr(headers), "the redirecting host")
        assert_clean_cdn(emu)
    finally:
        redirect.close()


def test_the_api_transport_never_follows_a_redirect_with_credentials(
        emu: StoreEmulator, make_client: ClientFactory) -> None:
    """An API host answering 302 (e.g. a misconfigured proxy) must not walk the token over."""
    pid = emu.add_product("Mug", "MUG-1", image_count=1)
    target = rendition_urls(make_client(emu), pid)[0]
    emu.clear_requests()
    redirect = RedirectServer(target)
    try:
        client = make_client(credentials=OAuthCredentials(
            "pimdemo", TOKEN, api_base=redirect.url.rsplit("/", 2)[0]))
        with pytest.raises(errors.UnexpectedStatus) as caught:
            client.count_products()
        assert caught.value.status == 302
        assert emu.cdn_requests() == []
        assert_no_secret(str(caught.value) + repr(caught.value.args), "an exception")
    finally:
        redirect.close()


# ---- ImageDownloader itself ------------------------------------------------------------------

def test_downloader_errors(emu: StoreEmulator, make_client: ClientFactory,
                           downloader: ImageDownloader) -> None:
    pid = emu.add_product("Mug", "MUG-1", image_count=1)
    url = rendition_urls(make_client(emu), pid)[3]
    with pytest.raises(errors.NotFound):
        downloader.fetch(url.replace("/images/1/", "/images/99/"))
    with pytest.raises(errors.ResponseTooLarge):
        downloader.fetch(url, max_bytes=100)
    emu.cdn_faults.error_rate = 1.0
    emu.clear_requests()
    with pytest.raises(errors.ServerError):
        downloader.fetch(url)
    assert len(emu.cdn_requests()) == 3  # retried up to max_attempts
    emu.cdn_faults.error_rate = 0.0
    emu.cdn_faults.drop_rate = 1.0
    with pytest.raises(errors.NetworkError):
        downloader.fetch(url)
    emu.cdn_faults.drop_rate = 0.5
    assert sniff_image_type(downloader.fetch(url))  # occasional drops are retried away
    with pytest.raises(errors.NetworkError):
        downloader.fetch(f"http://127.0.0.1:{free_port()}/x.jpg")


# ---- logs, exceptions, reprs -------------------------------------------------------------

def test_no_credential_in_any_log_line_or_exception(
        emu: StoreEmulator, make_client: ClientFactory, downloader: ImageDownloader,
        caplog: pytest.LogCaptureFixture) -> None:
    pid = emu.add_product("Mug", "MUG-1", image_count=2)
    raised: list[errors.ApiError] = []

    def expect_error(call) -> None:  # type: ignore[no-untyped-def]
        try:
            call()
        except errors.ApiError as exc:
            raised.append(exc)
        else:
            pytest.fail("expected an ApiError")

    with caplog.at_level(logging.DEBUG):  # every logger: app, httpx, httpcore, werkzeug
        oauth = make_client(emu, "oauth")
        basic = make_client(emu, "basic")
        for client in (oauth, basic):
            urls = rendition_urls(client, pid)
            downloader.fetch(urls[0])
            expect_error(lambda c=client: c.get_image(pid, 999))                       # 404
        expect_error(lambda: make_client(emu, "oauth", token=WRONG_TOKEN).count_products())
        expect_error(lambda: make_client(emu, "basic", api_key=WRONG_KEY).count_products())
        unreachable = make_client(credentials=OAuthCredentials(
            "pimdemo", TOKEN, api_base=f"http://127.0.0.1:{free_port()}/stores/pimdemo/v2"))
        expect_error(unreachable.count_products)                                        # refused
        expect_error(lambda: make_client(credentials=BasicCredentials(
            "http://127.0.0.1", USER, API_KEY,
            api_base=f"http://127.0.0.1:{free_port()}/api/v2")).count_products())
        emu.faults.error_rate = 1.0
        expect_error(oauth.count_products)                                              # 500s
        emu.faults.error_rate = 0.0
        emu.faults.drop_after_commit_rate = 1.0
        emu.faults.only_methods = frozenset({"POST"})
        expect_error(lambda: oauth.create_image_from_url(pid, urls[1]))                 # unknown
        emu.faults.drop_after_commit_rate = 0.0
        emu.faults.only_methods = None
        emu.faults.garbage_rate = 1.0
        expect_error(lambda: basic.list_images(pid))                                    # garbage

    assert {type(e) for e in raised} >= {errors.NotFound, errors.AuthenticationFailed,
                                         errors.NetworkError, errors.ServerError,
                                         errors.OutcomeUnknown, errors.MalformedResponse}
    assert caplog.records, "nothing was logged: the check below would prove nothing"
    for record in caplog.records:
        assert_no_secret(record.getMessage(), f"log record from {record.name}")
        assert_no_secret(repr(record.args), f"log record args from {record.name}")
    assert_no_secret(caplog.text, "the log")
    for exc in raised:
        assert_no_secret(str(exc), "an exception's str")
        assert_no_secret(repr(exc), "an exception's repr")
        assert_no_secret(repr(exc.args), "an exception's args")
        assert_no_secret(repr(vars(exc)), "an exception's attributes")
        if exc.__context__ is not None:  # suppressed, but still reachable in a debugger
            assert_no_secret(str(exc.__context__), "a chained exception")


def test_credentials_repr_hides_secrets(emu: StoreEmulator) -> None:
    oauth = credentials_for(emu, "oauth")
    basic = credentials_for(emu, "basic")
    assert isinstance(oauth, OAuthCredentials) and oauth.access_token == TOKEN
    assert isinstance(basic, BasicCredentials) and basic.api_key == API_KEY
    for credentials in (oauth, basic):
        for text in (repr(credentials), str(credentials), credentials.store_id,
                     f"{credentials}", credentials.v2_base):
            assert_no_secret(text, "credentials' text")
    assert "pimdemo" in repr(oauth) and USER in repr(basic)  # still useful to read


def test_credentials_refuse_addresses_with_a_password_in_them() -> None:
    with pytest.raises(ValueError) as caught:
        BasicCredentials(f"https://{USER}:{API_KEY}@shop.example", USER, API_KEY).v2_base
    assert_no_secret(str(caught.value), "a ValueError")
    with pytest.raises(ValueError):
        OAuthCredentials("abc", TOKEN, api_base=f"https://u:{TOKEN}@api.example/v2").v2_base
