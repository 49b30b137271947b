"""Auth, negotiation and method handling around every v2 resource (facts §1.6, §2)."""

from __future__ import annotations

import gzip

import httpx
import pytest

from app.store_emulator import StoreEmulator
from tests.emulator.helpers import basic_client, oauth_client, plain_client
from tests.support.emulator_fixtures import EmulatorFactory


def test_oauth_without_or_with_a_wrong_token_is_401(emulator: StoreEmulator) -> None:
    with plain_client() as http:
        missing = http.get(f"{emulator.oauth_api_base}/products/1/images")
        wrong = http.get(f"{emulator.oauth_api_base}/products/1/images",
                         headers={"X-Auth-Token": "nope"})
        wrong_store = http.get(f"{emulator.store_url}/stores/otherstore/v2/products/1/images",
                               headers={"X-Auth-Token": emulator.config.access_token})
    for response in (missing, wrong, wrong_store):
        assert response.status_code == 401
        body = response.json()
        assert isinstance(body, list) and body[0]["status"] == 401 and body[0]["message"]


def test_x_auth_client_is_accepted_and_ignored(emulator: StoreEmulator) -> None:
    with oauth_client(emulator) as api:
        response = api.get("/products/1/images/count", headers={"X-Auth-Client": "whatever"})
    assert response.status_code == 200


def test_basic_auth_with_bad_credentials_is_401_with_a_challenge(emulator: StoreEmulator,
                                                                ) -> None:
    with basic_client(emulator, key="wrong") as api:
        wrong = api.get("/products/1/images")
    with plain_client() as http:
        missing = http.get(f"{emulator.basic_api_base}/products/1/images")
        token_only = http.get(f"{emulator.basic_api_base}/products/1/images",
                              headers={"X-Auth-Token": emulator.config.access_token})
    for response in (wrong, missing, token_only):
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Basic realm=")
        assert response.json()[0]["status"] == 401


def test_401_can_be_plain_text(emulator_factory: EmulatorFactory) -> None:
    emulator = emulator_factory(catalog="empty", plain_text_401=True)
    with oauth_client(emulator, token="nope") as api:
        response = api.get("/products")
    assert response.status_code == 401
    assert response.headers["Content-Type"].startswith("text/plain")
    with pytest.raises(ValueError):
        response.json()


def test_read_only_token_reads_but_cannot_write(emulator: StoreEmulator) -> None:
    forbidden = [{"status": 403,
                  "message": "You don't have a required scope to access the endpoint"}]
    with oauth_client(emulator, token="demo-read-only-token") as api:
        assert api.get("/products/1/images").status_code == 200
        for response in (api.post("/products/1/images", json={"image_file": "a.jpg"}),
                         api.put("/products/1/images/1", json={"description": "x"}),
                         api.delete("/products/1/images/1"),
                         api.delete("/products/1/images")):
            assert response.status_code == 403
            assert response.json() == forbidden
    assert emulator.image_count(1) == 300


def test_xml_or_an_accept_without_json_is_406(emulator: StoreEmulator) -> None:
    with oauth_client(emulator) as api:
        xml_suffix = api.get("/products/1/images.xml")
        xml_accept = api.get("/products/1/images", headers={"Accept": "application/xml"})
        html_accept = api.get("/products/1/images", headers={"Accept": "text/html"})
        any_accept = api.get("/products/1/images", headers={"Accept": "*/*"})
    for response in (xml_suffix, xml_accept, html_accept):
        assert response.status_code == 406
        assert response.json()[0]["status"] == 406
    assert any_accept.status_code == 200


def test_writes_need_json_content_type(emulator: StoreEmulator) -> None:
    with oauth_client(emulator) as api:
        no_type = api.post("/products/1/images", content=b'{"image_file": "a.jpg"}')
        form = api.put("/products/1/images/1", data={"description": "x"})
    for response in (no_type, form):
        assert response.status_code == 415
        assert response.json()[0]["status"] == 415


def test_patch_and_trace_are_501_other_wrong_methods_405(emulator: StoreEmulator) -> None:
    with oauth_client(emulator) as api:
        patch = api.patch("/products/1/images/1", json={"description": "x"})
        trace = api.request("TRACE", "/products/1/images")
        put_collection = api.put("/products/1/images", json={})
        post_one = api.post("/products/1/images/1", json={})
        delete_count = api.delete("/products/images/count")
    assert patch.status_code == 501 and trace.status_code == 501
    assert put_collection.status_code == 405
    assert set(put_collection.headers["Allow"].split(", ")) >= {"GET", "POST", "DELETE"}
    assert post_one.status_code == 405
    assert set(post_one.headers["Allow"].split(", ")) >= {"GET", "PUT", "DELETE"}
    assert delete_count.status_code == 405
    assert put_collection.json()[0]["status"] == 405


def test_gzip_when_asked(emulator: StoreEmulator) -> None:
    url = f"{emulator.oauth_api_base}/products/1/images"
    headers = {"X-Auth-Token": emulator.config.access_token, "Accept-Encoding": "gzip"}
    with httpx.Client(trust_env=False) as http:
        with http.stream("GET", url, headers=headers) as response:
            raw = b"".join(response.iter_raw())
        identity = http.get(url, headers={**headers, "Accept-Encoding": "identity"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(raw) == identity.content
    assert "Content-Encoding" not in identity.headers


def test_unknown_paths_and_trailing_slashes_are_404(emulator: StoreEmulator) -> None:
    with oauth_client(emulator) as api:
        for path in ("/products/1/images/", "/products/1/pictures", "/orders", "/"):
            assert api.get(path).status_code == 404, path
    with plain_client() as http:
        assert http.get(f"{emulator.store_url}/somewhere").status_code == 404
        basic_v3 = http.get(f"{emulator.store_url}/api/v3/catalog/products",
                            auth=(emulator.config.basic_user, emulator.config.basic_key))
        assert basic_v3.status_code == 404


def test_every_request_is_recorded(emulator: StoreEmulator) -> None:
    with oauth_client(emulator) as api:
        api.get("/products/1/images", params={"page": 2, "limit": 3})
    recorded = emulator.requests()[-1]
    assert recorded.method == "GET"
    assert recorded.path == f"/stores/{emulator.config.store_hash}/v2/products/1/images"
    assert recorded.query == "page=2&limit=3"
    assert recorded.headers["x-auth-token"] == emulator.config.access_token
    assert recorded.headers["X-Auth-Token"] == emulator.config.access_token
    emulator.clear_requests()
    assert emulator.requests() == []
