"""Small builders for the success responses every endpoint shares."""

from __future__ import annotations

import json
from typing import Any

from werkzeug.wrappers import Request, Response

from .errors import V2Error


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None,
                  ) -> Response:
    return Response(json.dumps(body), status=status, headers=headers,
                    content_type="application/json")


def no_content() -> Response:
    response = Response(status=204)
    del response.headers["Content-Type"]  # an empty body has no type
    return response


def empty_collection(status: int) -> Response:
    """A v2 list with nothing in it: 204 with no body, or `[]` when the store is set to 200."""
    return json_response([]) if status == 200 else no_content()


def json_object_body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(request.get_data())
    except (ValueError, UnicodeDecodeError):
        raise V2Error(400, "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise V2Error(400, "The request body must be a JSON object.")
    return body
