"""Content negotiation: JSON or nothing (406), and gzip when the client accepts it."""

from __future__ import annotations

import gzip

from werkzeug.wrappers import Request, Response

from .api_call import ApiTarget
from .errors import V2Error

_MIN_GZIP_BYTES = 32  # gzip headers would make tinier bodies bigger


def require_json(request: Request, target: ApiTarget) -> None:
    # XML was historic v2; today only JSON is served, so an explicit ask for XML is refused.
    if target.extension == "xml" or (
            request.accept_mimetypes and not request.accept_mimetypes.best_match(
                ["application/json"])):
        raise V2Error(406, "The requested representation is not available. Only"
                           " application/json is supported.")


def gzip_if_accepted(request: Request, response: Response) -> None:
    if request.accept_encodings["gzip"] <= 0 or response.direct_passthrough:
        return
    body = response.get_data()
    if len(body) < _MIN_GZIP_BYTES or "Content-Encoding" in response.headers:
        return
    response.set_data(gzip.compress(body, compresslevel=5, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
