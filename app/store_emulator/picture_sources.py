"""Turn an `image_file` value into picture bytes: download a URL or read the import directory.

Like the real service, the picture is copied (not referenced) and its type is taken from the
bytes, never from the name.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import httpx

from .imagetypes import sniff_image
from .records import NewPicture

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
DOWNLOAD_TIMEOUT_S = 10.0


class PictureUnusable(Exception):
    """The source cannot become a picture; `reason` is the API's `invalid_reason` text."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def looks_like_url(value: str) -> bool:
    return bool(_SCHEME.match(value))


def _stem(path: str) -> str:
    return PurePosixPath(unquote(path)).stem


class PictureSources:
    def __init__(self, import_dir: str | None, max_bytes: int, max_url_length: int) -> None:
        self._import_dir = Path(import_dir).resolve() if import_dir else None
        self._max_bytes = max_bytes
        self._max_url_length = max_url_length

    def load(self, image_file: str) -> NewPicture:
        if looks_like_url(image_file):
            return self.download(image_file)
        return self.read_import(image_file)

    def download(self, url: str) -> NewPicture:
        failure = PictureUnusable(
            f"The resource at '{url}' could not be downloaded and may be invalid.")
        try:
            parts = urlsplit(url)
            if parts.scheme.lower() not in ("http", "https") or len(url) > self._max_url_length:
                raise failure
            data = self._fetch(url)
        except (httpx.HTTPError, httpx.InvalidURL, ValueError, UnicodeError):
            raise failure from None  # malformed, unreachable, refused: all look alike to callers
        if data is None:
            raise failure
        return self._picture(data, _stem(parts.path), failure)

    def read_import(self, relative_path: str) -> NewPicture:
        failure = PictureUnusable(
            f"The file '{relative_path}' is missing or is not usable by this resource.")
        if self._import_dir is None:
            raise failure
        try:
            candidate = (self._import_dir / relative_path.lstrip("/")).resolve()
            # is_relative_to refuses "../" escapes out of the import directory.
            if (not candidate.is_relative_to(self._import_dir) or not candidate.is_file()
                    or candidate.stat().st_size > self._max_bytes):
                raise failure
            data = candidate.read_bytes()
        except (OSError, ValueError):
            raise failure from None
        return self._picture(data, candidate.stem, failure)

    def _fetch(self, url: str) -> bytes | None:
        """The body of a 2xx answer, or None when it fails or exceeds the size limit."""
        # trust_env=False: a proxy from the environment must not swallow loopback downloads.
        with httpx.Client(timeout=DOWNLOAD_TIMEOUT_S, follow_redirects=True,
                          trust_env=False) as client:
            with client.stream("GET", url) as response:
                if not response.is_success:
                    return None
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > self._max_bytes:
                    return None
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > self._max_bytes:
                        return None
                return bytes(body)

    @staticmethod
    def _picture(data: bytes, stem: str, failure: PictureUnusable) -> NewPicture:
        info = sniff_image(data)
        if info is None:
            raise failure
        return NewPicture(data=data, extension=info.extension, source_name=stem)
