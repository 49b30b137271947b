"""Property tests of the models: lossless round trips, tolerant parsing, typed failures only."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.api import ImageChanges, Product, ProductImage
from app.api.client import _as_count, _as_list
from app.api.errors import MalformedResponse
from app.api.models import (KNOWN_IMAGE_FIELDS, READ_ONLY_IMAGE_FIELDS, RENDITION_URL_FIELDS,
                            ImageUrls, format_rfc2822, parse_rfc2822)

settings.register_profile("api", max_examples=150, deadline=None)
settings.load_profile("api")

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)

# RFC 2822 carries whole seconds; v2 dates are always GMT, but any offset must round-trip.
timestamps = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(2199, 12, 31),
    timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=5, minutes=30)),
                               timezone(timedelta(hours=-8))]),
).map(lambda d: d.replace(microsecond=0))

urls = st.none() | st.builds(
    lambda pid, iid, name: f"https://cdn.example/bcapp/h/products/{pid}/images/{iid}/{name}.jpg",
    st.integers(1, 10**6), st.integers(1, 10**6),
    st.text("abcdefghijklmnopqrstuvwxyz-_0123456789", min_size=1, max_size=20))

extra_fields = st.dictionaries(
    st.text(min_size=1, max_size=12).filter(lambda k: k not in KNOWN_IMAGE_FIELDS),
    json_values, max_size=4)

int32 = st.integers(-(2**31), 2**31 - 1)

images = st.builds(
    ProductImage,
    id=st.integers(1, 2**31 - 1),
    product_id=st.integers(1, 2**31 - 1),
    image_file=st.text(max_size=40),
    zoom_url=urls, thumbnail_url=urls, standard_url=urls, tiny_url=urls,
    is_thumbnail=st.booleans(),
    sort_order=int32,
    description=st.none() | st.just("") | st.text(),  # null on old images, "" on new ones
    date_created=st.none() | timestamps,
    extra=extra_fields,
)


@given(images)
@example(ProductImage(id=1, product_id=2, description=None))
@example(ProductImage(id=1, product_id=2, description=""))
@example(ProductImage(id=1, product_id=2, extra={"is_sample": True, "date_modified": None}))
def test_image_round_trips_through_json(image: ProductImage) -> None:
    data = image.to_json()
    again = ProductImage.from_json(data)
    assert again == image
    assert again.extra == image.extra  # `extra` is not part of ==: compare it on its own
    assert again.description is image.description or again.description == image.description
    assert type(again.description) is type(image.description)  # null stays null, "" stays ""
    assert again.to_json() == data
    for key, value in image.extra.items():  # unknown fields survive in the full shape...
        assert data[key] == value


@given(images, st.booleans() | st.none(), st.none() | int32, st.none() | st.text())
def test_extra_and_read_only_fields_never_reach_an_update(
        image: ProductImage, is_thumbnail: bool | None, sort_order: int | None,
        description: str | None) -> None:
    changes = ImageChanges(description=description, is_thumbnail=is_thumbnail,
                           sort_order=sort_order)
    body = changes.to_json()
    assert set(body) <= {"description", "is_thumbnail", "sort_order", "image_file"}
    assert not set(body) & set(image.extra)  # ...but never in an update body
    assert not set(body) & (set(READ_ONLY_IMAGE_FIELDS) | set(RENDITION_URL_FIELDS))
    assert all(value is not None for value in body.values())
    assert bool(changes) == bool(body)


@given(timestamps)
@example(datetime(2012, 9, 24, 1, 14, 30, tzinfo=timezone.utc))
def test_dates_round_trip_through_rfc2822(moment: datetime) -> None:
    text = format_rfc2822(moment)
    assert text is not None
    assert text.endswith("+0000")  # always sent as GMT, like the store
    parsed = parse_rfc2822(text)
    assert parsed == moment and parsed is not None and parsed.utcoffset() == timedelta(0)


def test_the_reference_date_parses() -> None:
    assert parse_rfc2822("Mon, 24 Sep 2012 01:14:30 +0000") == \
        datetime(2012, 9, 24, 1, 14, 30, tzinfo=timezone.utc)
    assert format_rfc2822(None) is None


# Date-shaped text with any numbers in it, up to far beyond what a C long holds.
any_number = st.integers(0, 10**25).map(str) | st.integers(-(10**25), -1).map(str)
date_like = st.builds(
    lambda day, year, h, m, s, zone: f"Mon, {day} Sep {year} {h}:{m}:{s} {zone}",
    any_number, any_number, any_number, any_number, any_number,
    st.sampled_from(["+0000", "GMT", "-0800", ""]) | any_number.map(lambda n: "+" + n))


@given(json_values | date_like)
@example("")
@example("   ")
@example("Mon, 99 Foo 2012")
@example("Mon, 24 Sep 2012 01:14:30")  # no zone: taken as GMT
@example("Mon, 9999999999999999999 Sep 2012 01:14:30 +0000")  # OverflowError, not ValueError
@example("Mon, 24 Sep 99999999999999999999 01:14:30 +0000")
@example("Mon, 24 Sep 2012 99999999999999999999:14:30 +0000")
@example("Mon, 24 Sep 2012 01:14:30 +99999999999999999999")
def test_junk_dates_are_none_never_an_exception(value: Any) -> None:
    parsed = parse_rfc2822(value)
    assert parsed is None or parsed.tzinfo is not None


def test_an_image_with_an_overflowing_date_still_loads() -> None:
    image = ProductImage.from_json({"id": 1, "product_id": 2,
                                    "date_created": "Mon, 9999999999999999999 Sep 2012 "
                                                    "01:14:30 +0000"})
    assert image.id == 1 and image.date_created is None


@pytest.mark.parametrize("primary_image", [None, False, [], {}, "", 0])
def test_product_tolerates_an_absent_primary_image(primary_image: Any) -> None:
    product = Product.from_json({"id": 7, "name": "Mug", "sku": "MUG-1",
                                 "primary_image": primary_image})
    assert product.primary_image is None and product.id == 7


def test_product_primary_image_object() -> None:
    product = Product.from_json({"id": 7, "name": "Mug", "primary_image": {
        "id": 12, "tiny_url": "https://cdn/t.jpg", "zoom_url": ""}})
    assert product.primary_image == ImageUrls(image_id=12, tiny_url="https://cdn/t.jpg")


@given(st.none() | st.booleans() | st.lists(json_values, max_size=2)
       | st.dictionaries(st.text(max_size=8), json_values, max_size=4))
def test_product_from_json_is_tolerant_of_any_primary_image(primary_image: Any) -> None:
    product = Product.from_json({"id": 1, "name": "X", "primary_image": primary_image,
                                 "date_modified": "Mon, 24 Sep 2012 01:14:30 +0000"})
    assert product.primary_image is None or isinstance(product.primary_image, ImageUrls)


@given(json_values)
@example({"id": "--5", "product_id": 1})
@example({"id": "\u00b2", "product_id": 1})   # a superscript two: isdigit() but not int()
@example({"id": " 12 ", "product_id": "7"})
@example({"id": "\u2003 12\n", "product_id": 1})
@example({"id": "1" * 5000, "product_id": 1})  # int() refuses over 4300 digits
@example({"id": True, "product_id": 1})
@example({"id": 1, "product_id": 2, "sort_order": None})
def test_any_json_is_an_image_or_malformed_response(data: Any) -> None:
    try:
        image = ProductImage.from_json(data)
    except MalformedResponse:
        return
    assert isinstance(image.id, int) and isinstance(image.product_id, int)
    assert isinstance(image.sort_order, int)


def test_numeric_strings_are_accepted_as_ids() -> None:
    image = ProductImage.from_json({"id": " 12 ", "product_id": "-7", "sort_order": "3"})
    assert (image.id, image.product_id, image.sort_order) == (12, -7, 3)


@given(st.dictionaries(st.sampled_from(sorted(KNOWN_IMAGE_FIELDS | {"name", "sku"})),
                       json_values, max_size=8)
       .map(lambda d: {**d, "id": d.get("id", 1), "product_id": d.get("product_id", 1)}))
def test_image_shaped_json_is_an_image_or_malformed_response(data: dict[str, Any]) -> None:
    for parse in (ProductImage.from_json, ProductImage.from_v3_json, Product.from_json):
        try:
            parse(data)
        except MalformedResponse:
            pass


@given(json_values)
def test_any_json_is_a_product_or_malformed_response(data: Any) -> None:
    try:
        Product.from_json(data)
    except MalformedResponse:
        pass


@given(json_values)
@example(None)
@example({})
@example([])
@example({"count": 3})
@example([{"id": 1, "product_id": 1}])
def test_list_and_count_parsing_fail_only_as_malformed_response(body: Any) -> None:
    """The client's parsing of a decoded list or count answer, whatever the JSON."""
    try:
        [ProductImage.from_json(item) for item in _as_list(body, "images", 250)]
    except MalformedResponse:
        pass
    try:
        [Product.from_json(item) for item in _as_list(body, "products", 250)]
    except MalformedResponse:
        pass
    try:
        assert isinstance(_as_count(body), int)
    except MalformedResponse:
        pass


def test_empty_collections_are_empty_lists() -> None:
    assert _as_list(None, "images", 50) == _as_list({}, "images", 50) == []
    assert _as_list([], "images", 50) == []
    with pytest.raises(MalformedResponse):
        _as_list({"data": []}, "images", 50)


def test_rendition_url_picks_the_smallest_wide_enough() -> None:
    image = ProductImage(id=1, product_id=1, tiny_url="t", standard_url="s",
                         thumbnail_url="th", zoom_url="z")
    assert [image.rendition_url(w) for w in (1, 44, 45, 220, 300, 386, 387, 1280, 5000)] == \
        ["t", "t", "s", "s", "th", "th", "z", "z", "z"]
    partial = ProductImage(id=1, product_id=1, standard_url="s")
    assert partial.rendition_url(10) == "s" and partial.rendition_url(2000) == "s"
    assert ProductImage(id=1, product_id=1).rendition_url(100) is None
    assert not ProductImage(id=1, product_id=1).has_renditions
