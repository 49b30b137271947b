"""What one API request is about: which API style and version, which resource, which store."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from werkzeug.wrappers import Request

from .cdn_urls import CdnUrls
from .config import EmulatorConfig
from .picture_sources import PictureSources
from .store import CatalogStore

_OAUTH = re.compile(r"^/stores/(?P<store_hash>[^/]+)/(?P<version>v2|v3)(?P<resource>/.*)?$")
_BASIC = re.compile(r"^/api/v2(?P<resource>/.*)?$")
_EXTENSION = re.compile(r"^(?P<resource>.*[^/])\.(?P<extension>json|xml)$")


@dataclass(frozen=True)
class ApiTarget:
    style: Literal["oauth", "basic"]
    version: Literal["v2", "v3"]
    store_hash: str | None  # from the path; None for Basic auth, whose host names the store
    base_path: str  # "/stores/{hash}/v2" or "/api/v2": Location headers use the caller's style
    resource: str  # e.g. "/products/1/images", with any ".json" suffix removed
    extension: str | None  # "json" or "xml" when the path carried one


def parse_target(path: str) -> ApiTarget | None:
    if match := _OAUTH.match(path):
        style: Literal["oauth", "basic"] = "oauth"
        version: Literal["v2", "v3"] = "v2" if match["version"] == "v2" else "v3"
        store_hash: str | None = match["store_hash"]
        base_path = f"/stores/{store_hash}/{version}"
    elif match := _BASIC.match(path):
        style, version, store_hash, base_path = "basic", "v2", None, "/api/v2"
    else:
        return None
    resource = match["resource"] or "/"
    extension = None
    # Legacy clients may append ".json" (or ".xml") to any v2 resource.
    if version == "v2" and (suffixed := _EXTENSION.match(resource)):
        resource, extension = suffixed["resource"], suffixed["extension"]
    return ApiTarget(style, version, store_hash, base_path, resource, extension)


@dataclass(frozen=True)
class Services:
    """The long-lived parts every handler needs."""

    config: EmulatorConfig
    store: CatalogStore
    cdn: CdnUrls
    sources: PictureSources


@dataclass(frozen=True)
class Call:
    request: Request
    target: ApiTarget
    services: Services

    @property
    def api_base_url(self) -> str:
        return self.request.host_url.rstrip("/") + self.target.base_path
