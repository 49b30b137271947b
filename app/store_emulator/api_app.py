"""The API server's WSGI app: the order in which a request meets the store.

record -> latency -> fault: hold -> fault: drop -> 404 for unknown prefixes -> auth (401)
-> rate limit (429 / 509) -> fault: 500 -> 501 -> scope (403) -> v2 or v3 handling
-> fault: drop after commit -> fault: garbage -> gzip -> fault: truncate. Rate-limit headers go on every answer.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.wrappers import Request, Response

from .api_call import ApiTarget, Call, Services, parse_target
from .auth import authenticate, check_scope
from .config import Faults
from .errors import NOT_FOUND, V2Error, V3Error, error_response
from .faults import FaultInjector, drop_connection, garbage_response, send_truncated
from .negotiation import gzip_if_accepted
from .rate_limits import FixedWindowLimiter, RollingHourLimiter
from .recording import RequestLog
from .v2_api import handle_v2
from .v3_api import handle_v3

_UNIMPLEMENTED_METHODS = frozenset({"PATCH", "TRACE"})
_RATE_HEADER_PREFIXES = ("x-rate-limit-", "x-bc-apilimit-")


class ApiApp:
    def __init__(self, services: Services, faults: Callable[[], Faults], log: RequestLog,
                 injector: FaultInjector) -> None:
        self._services = services
        self._faults = faults
        self._log = log
        self._injector = injector
        self._window = FixedWindowLimiter()
        self._hourly = RollingHourLimiter()

    def reset_rate_limit(self) -> None:
        self._window.reset()
        self._hourly.reset()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        self._log.record(request)
        config = self._services.config
        if config.latency_ms > 0:
            time.sleep(config.latency_ms / 1000)
        faults = self._faults()
        faulty = faults.applies_to(request.method, request.path,
                                    request.query_string.decode("latin-1"))
        if faulty:
            faults.wait_while_held()
        roll = self._injector.roll
        if faulty and roll(faults.drop_rate):
            drop_connection(environ)
        fail_message = faults.error_message if faulty and roll(faults.error_rate) else None
        response = self._respond(request, fail_message)
        if faulty and roll(faults.drop_after_commit_rate):
            drop_connection(environ)  # the handler already ran: a write is in the store
        has_body = 200 <= response.status_code < 300 and response.status_code != 204
        if faulty and has_body and roll(faults.garbage_rate):
            response = self._keep_rate_headers(response, garbage_response("application/json"))
        gzip_if_accepted(request, response)
        if faulty and has_body and roll(faults.truncate_rate):
            return send_truncated(response, environ, start_response)
        return response(environ, start_response)

    def _respond(self, request: Request, fail_message: str | None) -> Response:
        """The store's answer; `fail_message`: answer an injected 500 with that message."""
        target = parse_target(request.path)
        if target is None:
            return error_response(V2Error(404, NOT_FOUND))
        config = self._services.config
        rate_headers: dict[str, str] | None = None
        try:
            caller = authenticate(request, target, config)
            rate_headers = self._count(target)
            if fail_message is not None:
                raise V2Error(500, fail_message)
            if request.method in _UNIMPLEMENTED_METHODS:
                raise V2Error(501, f"The {request.method} method is not implemented.")
            check_scope(caller, request.method)
            call = Call(request, target, self._services)
            response = handle_v2(call) if target.version == "v2" else handle_v3(call)
        except (V2Error, V3Error) as error:
            response = self._render_error(error, target)  # a 429/509 carries its own headers
        for name, value in (rate_headers or self._peek(target)).items():
            response.headers.setdefault(name, value)
        return response

    def _count(self, target: ApiTarget) -> dict[str, str]:
        """Spend one request of the caller's quota; 429 or 509 once it is gone."""
        config = self._services.config
        if target.style == "basic":
            allowed, remaining = self._hourly.consume(config.basic_hourly_limit)
            headers = {"X-BC-ApiLimit-Remaining": str(remaining)}
            if not allowed:
                raise V2Error(509, "The requests-per-hour limit has been reached.",
                              headers=headers)
            return headers
        allowed, state = self._window.consume(config.rate_limit_quota,
                                              config.rate_limit_window_ms)
        if not allowed:
            raise V2Error(429, "You have exceeded the rate limit for this store. Wait for the"
                               " window to reset before trying again.",
                          headers={**state.headers(), "X-Retry-After": str(state.retry_after_s)})
        return state.headers()

    def _peek(self, target: ApiTarget) -> dict[str, str]:
        config = self._services.config
        if target.style == "basic":
            return {"X-BC-ApiLimit-Remaining":
                    str(self._hourly.remaining(config.basic_hourly_limit))}
        return self._window.peek(config.rate_limit_quota, config.rate_limit_window_ms).headers()

    def _render_error(self, error: V2Error | V3Error, target: ApiTarget) -> Response:
        config = self._services.config
        if isinstance(error, V2Error) and error.status == 401 and config.plain_text_401:
            return Response(error.message, status=401, headers=error.headers,
                            content_type="text/plain")
        if isinstance(error, V2Error) and target.version == "v3":
            error = V3Error(error.status, error.message, errors=error.details,
                            headers=error.headers)
        return error_response(error)

    @staticmethod
    def _keep_rate_headers(original: Response, replacement: Response) -> Response:
        for name, value in original.headers.items():
            if name.lower().startswith(_RATE_HEADER_PREFIXES):
                replacement.headers[name] = value
        return replacement
