"""What each server saw, so tests can assert on it (e.g. that no credential reaches the CDN)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Request


class HeaderDict(dict[str, str]):
    """Header names stored lower-case; lookups ignore case, as HTTP does."""

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        return super().get(key.lower(), default)


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: str  # the raw query string, without "?"
    headers: dict[str, str]  # a HeaderDict: case-insensitive lookups


class RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[RecordedRequest] = []

    def record(self, request: Request) -> None:
        headers = HeaderDict({name.lower(): value for name, value in request.headers.items()})
        entry = RecordedRequest(request.method, request.path,
                                request.query_string.decode("latin-1"), headers)
        with self._lock:
            self._entries.append(entry)

    def snapshot(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
