"""Whatever bytes, status and content type come back, only ApiError subclasses come out."""

from __future__ import annotations

import gzip
import json

import httpx
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.api import ImageDownloader, OAuthCredentials, errors
from app.api.transport import ApiTransport, decode_json, error_from_response
from app.store_emulator import StoreEmulator
from tests.api.conftest import ClientFactory, fast_retry

settings.register_profile("fuzz", max_examples=200, deadline=None)

CONTENT_TYPES = st.sampled_from([
    "application/json", "application/json; charset=utf-8", "text/html", "text/plain",
    "application/xml", "application/json; charset=utf-16", "text/plain; charset=no-such-codec",
    "image/jpeg", "", "multipart/form-data; boundary=x",
]) | st.text(st.characters(min_codepoint=32, max_codepoint=255, exclude_characters="\x7f"),
              max_size=30)  # what a header can carry off the wire (latin-1)

json_texts = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=10), c, max_size=3),
    max_leaves=10,
).map(lambda v: json.dumps(v).encode())

v2_error_bodies = st.builds(
    lambda status, message, details: json.dumps(
        [{"status": status, "message": message, "details": details}]).encode(),
    st.integers(), st.none() | st.text() | st.integers(),
    st.none() | st.text() | st.dictionaries(st.sampled_from(["invalid_reason", "x"]),
                                            st.none() | st.text() | st.integers()))

bodies = st.binary(max_size=600) | json_texts | v2_error_bodies | st.sampled_from([
    b"", b"   ", b"null", b"[]", b"{}", b"\xff\xfe\x00", b"[" * 100_000, b"{\"a\":" * 50_000,
    "Rate limit \u00e9".encode("latin-1"), b"1" * 5000, b"NaN", b"[{}]", b'[{"details": []}]',
])


def build(status: int, content: bytes, content_type: str) -> httpx.Response:
    headers = {"Content-Type": content_type.encode("latin-1")} if content_type else {}
    return httpx.Response(status, content=content, headers=headers,
                          request=httpx.Request("GET", "https://x/y"))


@settings(settings.get_profile("fuzz"))
@given(st.integers(100, 599), bodies, CONTENT_TYPES)
@example(200, b"[" * 100_000, "application/json")  # nesting deeper than json can recurse
@example(500, b"[" * 100_000, "application/json")
@example(200, b"1" * 5000, "application/json")     # int() refuses over 4300 digits
@example(200, b"\xff\xfe\x00", "application/json; charset=utf-16")
@example(400, b"\x00\x00", "text/plain; charset=utf-16")  # no BOM: .text raises
def test_decode_json_and_error_from_response_raise_only_api_errors(
        status: int, content: bytes, content_type: str) -> None:
    response = build(status, content, content_type)
    try:
        decode_json(response, "/y")
    except errors.ApiError as exc:
        assert isinstance(exc, errors.MalformedResponse)
    error = error_from_response(response, "/y")
    assert isinstance(error, errors.ApiError)
    assert isinstance(str(error), str) and error.status == status


@pytest.mark.parametrize(("status", "expected"), [
    (400, errors.ValidationFailed), (401, errors.AuthenticationFailed),
    (403, errors.PermissionDenied), (404, errors.NotFound), (409, errors.ValidationFailed),
    (413, errors.LimitTooLarge), (422, errors.ValidationFailed), (429, errors.RateLimited),
    (500, errors.ServerError), (502, errors.ServerError), (503, errors.ServerError),
    (509, errors.RateLimited), (302, errors.UnexpectedStatus), (418, errors.UnexpectedStatus),
])
def test_status_maps_to_its_error_class(status: int, expected: type) -> None:
    body = json.dumps([{"status": status, "message": "The store's words.",
                        "details": {"invalid_reason": "Because."}}]).encode()
    error = error_from_response(build(status, body, "application/json"), "/p")
    assert type(error) is expected
    assert "The store's words." in error.message and "(Because.)" in error.message
    assert error.server_message == "The store's words."
    assert error.details == {"invalid_reason": "Because."}


def test_v3_error_object_is_understood() -> None:
    body = json.dumps({"status": 422, "title": "The request payload is missing or invalid.",
                       "errors": {"image_file": "not a picture"}}).encode()
    error = error_from_response(build(422, body, "application/json"), "/v3/x")
    assert isinstance(error, errors.ValidationFailed)
    assert error.server_message == "The request payload is missing or invalid."
    assert error.details == {"image_file": "not a picture"}


def test_decode_json_edges() -> None:
    assert decode_json(build(204, b"", ""), "/y") is None
    assert decode_json(build(200, b"  \n", "application/json"), "/y") is None
    assert decode_json(build(200, b'[{"id": 1}]', "text/html"), "/y") == [{"id": 1}]
    with pytest.raises(errors.MalformedResponse) as caught:
        decode_json(build(200, b"<html>proxy login</html>", "text/html"), "/y")
    assert "text/html" in caught.value.message and "/y" in caught.value.message


def test_garbage_from_the_store_is_malformed_response_after_retries(
        empty_emulator: StoreEmulator, make_client: ClientFactory) -> None:
    """The client's list parsing over real HTTP: a 200 whose body is not JSON, every time."""
    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG-1", image_count=2)
    emu.faults.garbage_rate = 1.0
    client = make_client(emu, retry=fast_retry(max_attempts=3))
    for call in (lambda: client.list_images(pid), client.list_products,
                 lambda: client.count_images(pid), lambda: client.get_image(pid, 1)):
        emu.clear_requests()
        with pytest.raises(errors.MalformedResponse):
            call()
        assert len(emu.requests()) == 3  # a garbled answer to a GET is asked again


# ---- over the wire: whatever an answer looks like, or however httpx fails ---------------------

ENCODINGS = st.sampled_from([None, "gzip", "deflate", "identity", "br", "zstd", "gzip, deflate",
                             "x-garbage"])
HTTPX_FAILURES = [httpx.ConnectError, httpx.ReadError, httpx.ReadTimeout, httpx.WriteTimeout,
                  httpx.PoolTimeout, httpx.RemoteProtocolError, httpx.LocalProtocolError,
                  httpx.ProxyError, httpx.UnsupportedProtocol, httpx.DecodingError,
                  httpx.TooManyRedirects, httpx.RequestError]


Answer = tuple[int, list[tuple[str, str]], bytes]  # status, headers, body


@st.composite
def wire_answers(draw: st.DrawFn) -> Answer | Exception:
    """What every send gets back: an httpx failure, or an answer whose body may not match its
    Content-Encoding (or, sometimes, really is compressed)."""
    if draw(st.integers(0, 5)) == 0:
        return draw(st.sampled_from(HTTPX_FAILURES))("injected")
    status = draw(st.integers(200, 599))
    body = draw(bodies)
    encoding = draw(ENCODINGS)
    if encoding == "gzip" and draw(st.booleans()):
        body = gzip.compress(body)
    headers = [("Content-Type", draw(CONTENT_TYPES))]
    if encoding is not None:
        headers.append(("Content-Encoding", encoding))
    if 300 <= status < 400 and draw(st.booleans()):
        headers.append(("Location", "https://x/elsewhere"))  # followed by the CDN client
    return status, headers, body


def answering(answer: Answer | Exception) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        if isinstance(answer, Exception):
            raise answer
        status, headers, body = answer
        return httpx.Response(status, stream=httpx.ByteStream(body), headers=[
            (name.encode("latin-1"), value.encode("latin-1")) for name, value in headers])
    return httpx.MockTransport(handle)


# No waiting: a 429 is not waited out, retries do not sleep.
NO_WAIT = fast_retry(max_attempts=2, base_delay=0.0, max_delay=0.0, max_rate_limit_waits=0)
NOT_GZIP = (200, [("Content-Encoding", "gzip")], b"not gzip")


@settings(settings.get_profile("fuzz"))
@given(wire_answers(), st.sampled_from(["GET", "POST", "DELETE"]))
@example(NOT_GZIP, "GET")
@example((500, [("Content-Encoding", "deflate")], b"not deflate"), "POST")
@example(httpx.DecodingError("injected"), "POST")
def test_the_api_transport_raises_only_api_errors_whatever_comes_over_the_wire(
        answer: Answer | Exception, method: str) -> None:
    credentials = OAuthCredentials("abc", "tok", api_base="http://127.0.0.1:9/stores/abc/v2")
    transport = ApiTransport(credentials, retry=NO_WAIT, transport=answering(answer))
    try:
        transport.request_json(method, f"{credentials.v2_base}/products/1/images",
                               json_body={"image_file": "https://x/a.jpg"}
                               if method == "POST" else None)
    except errors.ApiError:
        pass
    finally:
        transport.close()


@settings(settings.get_profile("fuzz"))
@given(wire_answers())
@example(NOT_GZIP)
@example((302, [("Location", "https://x/elsewhere")], b""))  # a redirect loop
@example(httpx.TooManyRedirects("injected"))
@example(httpx.RequestError("injected"))
def test_the_image_downloader_raises_only_api_errors_whatever_comes_over_the_wire(
        answer: Answer | Exception) -> None:
    downloader = ImageDownloader(retry=NO_WAIT, transport=answering(answer))
    try:
        downloader.fetch("https://x/a.jpg")
    except errors.ApiError:
        pass
    finally:
        downloader.close()
