"""Settings of one emulated store, and the faults its servers inject."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Literal

# v2 sizes as the DD-IMG list example shows them; stores differ, so this is a knob.
DEFAULT_RENDITION_SIZES: dict[str, tuple[int, int]] = {
    "zoom": (1280, 1280),
    "thumbnail": (386, 513),
    "standard": (220, 290),
    "tiny": (44, 58),
}


#: The longest a held request waits: a forgotten gate must not keep a server thread forever.
HOLD_LIMIT_S = 120.0


@dataclass
class Faults:
    """Failure rates (0.0..1.0) a server applies to each request, mutable while it runs."""

    error_rate: float = 0.0  # answered 500 without touching state
    drop_rate: float = 0.0  # connection closed before the request is handled
    truncate_rate: float = 0.0  # 2xx body cut short: Content-Length promises more than is sent
    garbage_rate: float = 0.0  # 200 whose body is not JSON (not an image, on the CDN)
    drop_after_commit_rate: float = 0.0  # handled (a write is applied), then no response at all
    only_methods: frozenset[str] | None = None  # None: every method; else only these hit faults
    # None: every path; else only paths (no query string) this regular expression finds, e.g.
    # r"/products/\d+/images$" fails a product's image list but not its count or the products.
    only_paths: str | None = None
    # None: any query; else only query strings this regular expression finds, e.g.
    # r"(^|&)limit=1(&|$)" fails a listing's one-image boundary checks but not its pages.
    only_queries: str | None = None
    # None: answer at once; else a selected request waits, before the store reads its body,
    # until this event is set (HOLD_LIMIT_S at most): "the store is busy with it", for as long
    # as a test needs, without a fixed latency that a loaded machine can outrun.
    hold: threading.Event | None = None
    # The message of an injected API 500 (v2 `message`, v3 `title`): servers send long ones too.
    error_message: str = "An internal server error occurred. Please try again."

    def applies_to(self, method: str, path: str = "/", query: str = "") -> bool:
        if self.only_methods is not None and \
                method.upper() not in {name.upper() for name in self.only_methods}:
            return False
        if self.only_queries is not None and re.search(self.only_queries, query) is None:
            return False
        return self.only_paths is None or re.search(self.only_paths, path) is not None

    def wait_while_held(self) -> None:
        """For a request these faults apply to: returns once `hold` is set (or at once)."""
        if self.hold is not None:
            self.hold.wait(HOLD_LIMIT_S)


@dataclass
class EmulatorConfig:
    """Everything that makes one emulated store; the defaults follow the reference docs."""

    host: str = "127.0.0.1"
    port: int = 0  # 0: pick a free port
    cdn_port: int = 0
    store_hash: str = "pimdemo"
    access_token: str = "demo-access-token"
    read_only_tokens: tuple[str, ...] = ("demo-read-only-token",)
    client_id: str | None = None  # X-Auth-Client is deprecated: accepted, never checked
    basic_user: str = "admin"
    basic_key: str = "demo-api-key"
    seed: int = 1
    catalog: Literal["demo", "empty", "large"] = "demo"
    # "large": `large_product_count` plain products with `large_images_per_product` pictures
    # each (drawn on first request, like the demo's), for whole-store benchmarks.
    large_product_count: int = 10_000
    large_images_per_product: int = 2
    latency_ms: int = 0
    cdn_latency_ms: int = 0
    rate_limit_quota: int = 150  # Standard/Plus plan: 150 requests per 30 s window
    rate_limit_window_ms: int = 30_000
    basic_hourly_limit: int = 20_000
    # UNCONFIRMED knobs: the reference leaves these open, the defaults are the likelier reading.
    empty_collection_status: Literal[200, 204] = 204  # 200 means the body is `[]`
    urls_in_write_responses: bool = False  # create/update examples omit the *_url fields
    sort_order_shift: bool = True  # PUT sort_order=k onto a taken k shifts siblings >= k by one
    delete_all_honours_paging: bool = True  # DELETE .../images?page=&limit= deletes that page only
    plain_text_401: bool = False  # some v2 specs declare 401 bodies as plain text
    rendition_sizes: dict[str, tuple[int, int]] = field(
        default_factory=lambda: dict(DEFAULT_RENDITION_SIZES)
    )
    max_images_per_product: int = 1000
    max_file_bytes: int = 8 * 1024 * 1024
    max_image_url_length: int = 255
    import_dir: str | None = None  # stands in for the WebDAV import directory
    db_path: str | None = None  # None: a temp file deleted on stop
