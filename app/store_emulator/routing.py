"""Match a resource path and method to a handler; 404 and 405 in the API's own words."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, RequestRedirect, Rule
from werkzeug.wrappers import Response

from .api_call import Call
from .errors import V2Error, not_found

Handler = Callable[..., Response]


class Router:
    def __init__(self, routes: Sequence[tuple[str, str, Handler]]) -> None:
        """`routes`: (path pattern, method, handler) with Werkzeug converters in the path."""
        self._handlers: dict[str, Handler] = {}
        rules = []
        for index, (pattern, method, handler) in enumerate(routes):
            endpoint = f"{index}:{handler.__name__}"
            self._handlers[endpoint] = handler
            rules.append(Rule(pattern, endpoint=endpoint, methods=[method]))
        # No redirects: a trailing slash or "//" is a different (unknown) resource, not a 308.
        self._map = Map(rules, strict_slashes=True, merge_slashes=False, redirect_defaults=False)

    def resolve(self, call: Call) -> Callable[[], Response]:
        """The handler bound to this call's arguments, ready to run once the checks pass."""
        adapter = self._map.bind("emulator")
        try:
            endpoint, arguments = adapter.match(call.target.resource, method=call.request.method)
        except MethodNotAllowed as error:
            allowed = sorted(set(error.valid_methods or ()))
            raise V2Error(405, "The requested method is not supported by this resource.",
                          headers={"Allow": ", ".join(allowed)}) from None
        except (NotFound, RequestRedirect):
            raise not_found() from None
        handler = self._handlers[str(endpoint)]
        bound: dict[str, Any] = dict(arguments)
        return functools.partial(handler, call, **bound)
