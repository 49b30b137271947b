"""Answers httpx cannot even unpack (a broken gzip/deflate body), redirect loops and other
httpx failures come out as ApiError subclasses, from the API client and the image downloader."""

from __future__ import annotations

import httpx
import pytest

from app.api import ImageDownloader
from app.api import errors
from app.store_emulator import StoreEmulator
from tests.api.conftest import ClientFactory, fast_retry

BROKEN_BODY = b"\x1f\x8b\x08\x00 this is not what the header promised"


class BreakEncoding(httpx.HTTPTransport):
    """Forwards to the real server (which records and applies the request), then replaces
    the body with bytes that do not match a `Content-Encoding` header: httpx raises
    DecodingError while reading it. `times`: how many answers to break (None: all)."""

    def __init__(self, encoding: str = "gzip", times: int | None = None,
                 methods: frozenset[str] | None = None) -> None:
        super().__init__()
        self.encoding = encoding
        self.times = times
        self.methods = methods
        self.broken = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if (self.times is not None and self.broken >= self.times) or \
                (self.methods is not None and request.method not in self.methods):
            return response
        response.read()
        response.close()
        self.broken += 1
        headers = [(k, v) for k, v in response.headers.multi_items()
                   if k.lower() not in ("content-length", "content-encoding",
                                        "transfer-encoding")]
        return httpx.Response(response.status_code, headers=[
            *headers, ("Content-Encoding", self.encoding)], stream=httpx.ByteStream(BROKEN_BODY))


@pytest.fixture
def emu(empty_emulator: StoreEmulator) -> StoreEmulator:
    return empty_emulator


# ---- the API -----------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_an_undecodable_answer_to_a_get_is_retried_then_malformed_response(
        emu: StoreEmulator, make_client: ClientFactory, auth_style: str, encoding: str) -> None:
    pid = emu.add_product("Mug", "MUG-1", image_count=2)
    client = make_client(emu, auth_style, retry=fast_retry(max_attempts=3),
                         wire=BreakEncoding(encoding))
    for call in (lambda: client.list_images(pid), client.count_products,
                 lambda: client.delete_image(pid, 1)):
        emu.clear_requests()
        with pytest.raises(errors.MalformedResponse) as caught:
            call()
        assert "could not be unpacked" in caught.value.message
        assert len(emu.requests()) == 3  # one budget: three sends, not nine


def test_one_undecodable_answer_then_a_good_one(emu: StoreEmulator,
                                                make_client: ClientFactory) -> None:
    pid = emu.add_product("Mug", "MUG-1", image_count=2)
    client = make_client(emu, retry=fast_retry(max_attempts=3), wire=BreakEncoding(times=1))
    assert len(client.list_images(pid)) == 2
    assert len(emu.requests()) == 2


def test_an_undecodable_answer_to_a_post_is_not_sent_again(
        emu: StoreEmulator, make_client: ClientFactory) -> None:
    pid = emu.add_product("Mug", "MUG-1", image_count=1)
    client = make_client(emu, retry=fast_retry(max_attempts=4),
                         wire=BreakEncoding(methods=frozenset({"POST"})))
    url = client.list_images(pid)[0].zoom_url
    assert url
    emu.clear_requests()
    with pytest.raises(errors.MalformedResponse) as caught:
        client.create_image_from_url(pid, url)
    assert "reload to check" in caught.value.message
    assert [r.method for r in emu.requests()] == ["POST"]
    assert emu.image_count(pid) == 2  # the store did apply it: once


# ---- the CDN -----------------------------------------------------------------------------

def image_url(emu: StoreEmulator, make_client: ClientFactory) -> str:
    pid = emu.add_product("Mug", "MUG-1", image_count=1)
    url = make_client(emu).list_images(pid)[0].tiny_url
    assert url
    return url


def test_an_undecodable_image_is_retried_then_malformed_response(
        emu: StoreEmulator, make_client: ClientFactory) -> None:
    url = image_url(emu, make_client)
    downloader = ImageDownloader(retry=fast_retry(max_attempts=3), transport=BreakEncoding())
    try:
        with pytest.raises(errors.MalformedResponse):
            downloader.fetch(url)
        assert len(emu.cdn_requests()) == 3
    finally:
        downloader.close()
    healing = ImageDownloader(retry=fast_retry(max_attempts=3), transport=BreakEncoding(times=1))
    try:
        assert healing.fetch(url)[:2] in (b"\xff\xd8", b"\x89P")
        assert len(emu.cdn_requests()) == 5
    finally:
        healing.close()


def test_an_image_address_that_redirects_in_a_loop_is_unexpected_status() -> None:
    loop = httpx.MockTransport(lambda request: httpx.Response(
        302, headers={"Location": str(request.url)}))
    downloader = ImageDownloader(retry=fast_retry(max_attempts=3), transport=loop)
    try:
        with pytest.raises(errors.UnexpectedStatus, match="redirects in a loop"):
            downloader.fetch("https://cdn.example/a.jpg")
    finally:
        downloader.close()


@pytest.mark.parametrize("url", ["ftp://cdn.example/a.jpg", "a.jpg", "http://[::1/a.jpg",
                                 "http://\x00/a.jpg"])
def test_an_address_that_cannot_be_fetched_is_malformed_response(url: str) -> None:
    downloader = ImageDownloader(retry=fast_retry(max_attempts=3))
    try:
        with pytest.raises(errors.MalformedResponse, match="cannot be downloaded"):
            downloader.fetch(url)
    finally:
        downloader.close()


@pytest.mark.parametrize("failure", [
    httpx.ReadError("reset"), httpx.RemoteProtocolError("bye"), httpx.ProxyError("proxy"),
    httpx.DecodingError("bad gzip"), httpx.TooManyRedirects("loop"),
    httpx.RequestError("something new"), httpx.LocalProtocolError("h11"),
], ids=lambda e: type(e).__name__)
def test_any_httpx_failure_of_the_image_server_is_an_api_error(failure: Exception) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise failure

    downloader = ImageDownloader(retry=fast_retry(max_attempts=2),
                                 transport=httpx.MockTransport(fail))
    try:
        with pytest.raises(errors.ApiError):
            downloader.fetch("https://cdn.example/a.jpg")
    finally:
        downloader.close()
