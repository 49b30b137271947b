"""Error responses in the two shapes the API uses.

v2: a JSON array of {"status", "message"[, "details"]}. v3: one object with status, title, type
and, for validation, "errors".
"""

from __future__ import annotations

import json
from typing import Any

from werkzeug.wrappers import Response

V3_ERROR_TYPE = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"
NOT_FOUND = "The requested resource was not found."


class V2Error(Exception):
    def __init__(self, status: int, message: str, details: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details
        self.headers = headers or {}

    def body(self) -> list[dict[str, Any]]:
        error: dict[str, Any] = {"status": self.status, "message": self.message}
        if self.details is not None:
            error["details"] = self.details
        return [error]


class V3Error(Exception):
    def __init__(self, status: int, title: str, errors: dict[str, Any] | None = None,
                 extra: dict[str, Any] | None = None, headers: dict[str, str] | None = None,
                 ) -> None:
        super().__init__(title)
        self.status = status
        self.title = title
        self.errors = errors
        self.extra = extra or {}
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"status": self.status, **self.extra, "title": self.title,
                                 "type": V3_ERROR_TYPE}
        if self.errors is not None:
            error["errors"] = self.errors
        return error


def error_response(error: V2Error | V3Error) -> Response:
    return Response(json.dumps(error.body()), status=error.status, headers=error.headers,
                    content_type="application/json")


def field_not_supported(field: str) -> V2Error:
    return V2Error(400, f"The field '{field}' is not supported by this resource.")


def field_invalid(field: str, details: dict[str, Any] | None = None) -> V2Error:
    return V2Error(400, f"The field '{field}' is invalid.", details)


def field_read_only(field: str) -> V2Error:
    return V2Error(400, f"The field '{field}' cannot be written to. Please remove it from your"
                        " request before trying again.")


def field_required(field: str) -> V2Error:
    return V2Error(400, f"The required field '{field}' was not supplied.")


def not_found() -> V2Error:
    return V2Error(404, NOT_FOUND)
