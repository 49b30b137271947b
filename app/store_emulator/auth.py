"""Who is calling: an OAuth token (full or read-only scope) or legacy Basic credentials."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from werkzeug.wrappers import Request

from .api_call import ApiTarget
from .config import EmulatorConfig
from .errors import V2Error

WRITE_METHODS = frozenset({"POST", "PUT", "DELETE"})
BASIC_REALM = "BigCommerce Store API"


@dataclass(frozen=True)
class Caller:
    read_only: bool


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def authenticate(request: Request, target: ApiTarget, config: EmulatorConfig) -> Caller:
    """The caller, or a 401 V2Error. X-Auth-Client is deprecated: it is never looked at."""
    if target.style == "oauth":
        token = request.headers.get("X-Auth-Token", "")
        store_ok = target.store_hash is not None and _same(target.store_hash, config.store_hash)
        if store_ok and token and _same(token, config.access_token):
            return Caller(read_only=False)
        if store_ok and token and any(_same(token, ro) for ro in config.read_only_tokens):
            return Caller(read_only=True)
        raise V2Error(401, "You must supply a valid X-Auth-Token for this store to access this"
                           " resource.")
    credentials = request.authorization
    if (credentials is not None and credentials.type == "basic"
            and _same(credentials.username or "", config.basic_user)
            and _same(credentials.password or "", config.basic_key)):
        return Caller(read_only=False)
    raise V2Error(401, "You must supply a valid username and API key to access this resource.",
                  headers={"WWW-Authenticate": f'Basic realm="{BASIC_REALM}"'})


def check_scope(caller: Caller, method: str) -> None:
    if caller.read_only and method in WRITE_METHODS:
        raise V2Error(403, "You don't have a required scope to access the endpoint")
