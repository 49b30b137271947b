"""The CDN: public (no auth at all), immutable, versioned renditions of each image.

A URL names one version of one picture at one size; anything else, including an old version
after the picture was replaced, is a 404.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.wrappers import Request, Response

from .cdn_urls import RenditionRequest, parse_rendition_path
from .config import EmulatorConfig, Faults
from .faults import FaultInjector, drop_connection, garbage_response, send_truncated
from .imagetypes import CONTENT_TYPES
from .pictures import draw_picture
from .recording import RequestLog
from .records import ImageRecord
from .renditions import RenditionCache, render
from .store import CatalogStore

CACHE_CONTROL = "public, max-age=31536000, immutable"


class CdnApp:
    def __init__(self, config: EmulatorConfig, store: CatalogStore, faults: Callable[[], Faults],
                 log: RequestLog, injector: FaultInjector, cache: RenditionCache) -> None:
        self._config = config
        self._store = store
        self._faults = faults
        self._log = log
        self._injector = injector
        self._cache = cache

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        self._log.record(request)
        if self._config.cdn_latency_ms > 0:
            time.sleep(self._config.cdn_latency_ms / 1000)
        faults = self._faults()
        faulty = faults.applies_to(request.method, request.path,
                                    request.query_string.decode("latin-1"))
        if faulty:
            faults.wait_while_held()
        roll = self._injector.roll
        if faulty and roll(faults.drop_rate):
            drop_connection(environ)
        if faulty and roll(faults.error_rate):
            response = Response("Internal Server Error", status=500, content_type="text/plain")
        else:
            response = self._respond(request)
        if faulty and roll(faults.drop_after_commit_rate):
            drop_connection(environ)
        if faulty and response.status_code == 200 and roll(faults.garbage_rate):
            response = garbage_response(response.content_type or "image/jpeg")
        if faulty and response.status_code == 200 and roll(faults.truncate_rate):
            return send_truncated(response, environ, start_response)
        return response(environ, start_response)

    def _respond(self, request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return Response("Method Not Allowed", status=405, headers={"Allow": "GET, HEAD"},
                            content_type="text/plain")
        wanted = parse_rendition_path(request.path)
        image = self._image_for(wanted) if wanted is not None else None
        if wanted is None or image is None:
            return Response("Not Found", status=404, content_type="text/plain")
        key = f"{image.id}-{image.version}-{wanted.size[0]}x{wanted.size[1]}"
        headers = {"Cache-Control": CACHE_CONTROL, "ETag": f'"{key}"'}
        if request.if_none_match.contains(key):
            return Response(status=304, headers=headers)
        data = self._cache.get(key)
        if data is None:
            original = self._original(image)
            if original is None:
                return Response("Not Found", status=404, content_type="text/plain")
            data = render(original, wanted.size, image.extension)
            self._cache.put(key, data)
        return Response(data, headers=headers, content_type=CONTENT_TYPES[image.extension])

    def _image_for(self, wanted: RenditionRequest) -> ImageRecord | None:
        """The image this URL names, if it names the current version at a served size."""
        if wanted.store_hash != self._config.store_hash:
            return None
        if wanted.size not in self._config.rendition_sizes.values():
            return None
        image = self._store.image(wanted.product_id, wanted.image_id)
        if (image is None or image.version != wanted.version or image.stem != wanted.stem
                or image.extension != wanted.extension):
            return None
        return image

    def _original(self, image: ImageRecord) -> bytes | None:
        data = self._store.original(image.id)
        if data is not None or image.picture_position is None:
            return data
        # Demo pictures are drawn on first need so that a demo store starts at once.
        product = self._store.product(image.product_id)
        if product is None:
            return None
        data = draw_picture(product.id, product.name, image.picture_position, image.extension)
        self._store.save_original_if_missing(image.id, data)
        return self._store.original(image.id)
