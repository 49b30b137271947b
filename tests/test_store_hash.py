"""The store hash field takes what BigCommerce shows with the hash in it, and nothing else."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.api.auth import OAuthCredentials
from app.api.store_hash import EXPECTED, parse_store_hash

HASHES = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=16)


@pytest.mark.parametrize("pasted", [
    "abc123",
    "  abc123\n",
    "https://api.bigcommerce.com/stores/abc123/v3/",
    "https://api.bigcommerce.com/stores/abc123/v2",
    "https://api.bigcommerce.com/stores/abc123/v3/catalog/products?limit=5",
    "api.bigcommerce.com/stores/abc123/v3",
    "/stores/abc123/v3/",
    "https://store-abc123.mybigcommerce.com/",
    "https://store-ABC123.mybigcommerce.com",
    "store-abc123.mybigcommerce.com",
    "https://store-abc123.mybigcommerce.com/manage/products/edit/77?tab=images",
])
def test_the_hash_is_taken_from_what_bigcommerce_shows(pasted: str) -> None:
    assert parse_store_hash(pasted) == "abc123"


@pytest.mark.parametrize("pasted", [
    "https://www.myshop.com/",                       # a custom domain hides the hash
    "https://evil.example/stores/abc123/v3/",        # an API path on another host
    "ftp://store-abc123.mybigcommerce.com",
    "https://user:pw@store-abc123.mybigcommerce.com",
    "abc 123",
    "abc123/v3",
    "https://api.bigcommerce.com/v3/",
])
def test_anything_else_is_refused_with_an_example(pasted: str) -> None:
    with pytest.raises(ValueError) as refused:
        parse_store_hash(pasted)
    assert EXPECTED in str(refused.value)
    assert "https://api.bigcommerce.com/stores/abc123/v3/" in str(refused.value)


def test_an_empty_field_asks_for_the_hash() -> None:
    with pytest.raises(ValueError, match="Enter the store hash"):
        parse_store_hash("   ")


@given(HASHES)
def test_every_form_of_a_hash_gives_the_hash(store_hash: str) -> None:
    for pasted in (store_hash, f"https://api.bigcommerce.com/stores/{store_hash}/v3/",
                   f"https://store-{store_hash}.mybigcommerce.com/manage/dashboard"):
        assert parse_store_hash(pasted) == store_hash
        # What the client then asks for is the store's own API path.
        assert OAuthCredentials(parse_store_hash(pasted), "t").v2_base == \
            f"https://api.bigcommerce.com/stores/{store_hash}/v2"


@given(st.text(max_size=80))
def test_whatever_is_pasted_yields_a_bare_hash_or_a_refusal_that_never_quotes_it(
        pasted: str) -> None:
    try:
        store_hash = parse_store_hash(pasted)
    except ValueError as exc:
        if len(pasted.strip()) > 3:
            assert pasted.strip() not in str(exc).replace(EXPECTED, "")
        return
    assert store_hash.isascii() and store_hash.isalnum()
    assert "/" not in OAuthCredentials(store_hash, "t").v2_base.split("/stores/")[1][:-3]
