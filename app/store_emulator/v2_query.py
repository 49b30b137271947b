"""Query-string rules of v2 collections: paging, product filters, unknown parameters."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from .errors import V2Error, field_invalid, field_not_supported
from .records import ProductFilter

DEFAULT_LIMIT = 50
MAX_LIMIT = 250
PAGING = ("page", "limit")
PRODUCT_FILTERS = ("name", "keyword_filter", "sku", "min_id", "max_id", "is_visible")
_DIGITS = re.compile(r"[0-9]+")
_FAR_PAGE = 10**12  # beyond any page that could hold data; keeps offsets inside SQLite's int64


@dataclass(frozen=True)
class Page:
    offset: int
    limit: int


def reject_unknown(args: MultiDict[str, str], allowed: Collection[str]) -> None:
    for key in args:
        if key not in allowed:
            raise field_not_supported(key)


def _positive_int(args: MultiDict[str, str], field: str) -> int | None:
    raw = args.get(field)
    if raw is None:
        return None
    if not _DIGITS.fullmatch(raw) or int(raw) < 1:
        raise field_invalid(field)
    return int(raw)


def parse_page(args: MultiDict[str, str]) -> Page:
    limit = _positive_int(args, "limit")
    if limit is None:
        limit = DEFAULT_LIMIT
    elif limit > MAX_LIMIT:
        raise V2Error(413, "The specified limit exceeds the maximum allowed.",
                      {"max_limit": MAX_LIMIT})
    page = min(_positive_int(args, "page") or 1, _FAR_PAGE)
    return Page(offset=(page - 1) * limit, limit=limit)


def _non_negative_int(args: MultiDict[str, str], field: str) -> int | None:
    raw = args.get(field)
    if raw is None:
        return None
    if not _DIGITS.fullmatch(raw):
        raise field_invalid(field)
    return min(int(raw), 2**62)


def _boolean(args: MultiDict[str, str], field: str) -> bool | None:
    raw = args.get(field)
    if raw is None:
        return None
    lowered = raw.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise field_invalid(field)


def parse_product_filter(args: MultiDict[str, str]) -> ProductFilter:
    return ProductFilter(
        name=args.get("name"),
        keyword=args.get("keyword_filter"),
        sku=args.get("sku"),
        min_id=_non_negative_int(args, "min_id"),
        max_id=_non_negative_int(args, "max_id"),
        is_visible=_boolean(args, "is_visible"),
    )
