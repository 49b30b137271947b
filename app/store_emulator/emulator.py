"""StoreEmulator: one emulated store, its API server and its CDN server, started and stopped
together. Test helpers here touch the state directly and never meet a fault."""

from __future__ import annotations

import os
import tempfile
from types import TracebackType

from .api_app import ApiApp
from .api_call import Services
from .cdn_app import CdnApp
from .cdn_urls import CdnUrls
from .config import EmulatorConfig, Faults
from .faults import FaultInjector
from .http_server import BackgroundServer
from .picture_sources import PictureSources
from .recording import RecordedRequest, RequestLog
from .request_guard import RequestGuard
from .renditions import RenditionCache
from .seed import demo_catalog, large_catalog
from .store import CatalogStore


#: The CDN only serves GET and HEAD: no body is ever needed.
MAX_CDN_BODY_BYTES = 64 * 1024


def max_request_bytes(config: EmulatorConfig) -> int:
    """The largest API request body: an upload of the largest file plus room for the form."""
    return config.max_file_bytes + 1024 * 1024


class StoreEmulator:
    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self.config = config or EmulatorConfig()
        self.faults = Faults()
        self.cdn_faults = Faults()
        self._api_log = RequestLog()
        self._cdn_log = RequestLog()
        self._temp_db: str | None = None
        self.db_path: str | None = None  # the SQLite file in use while running
        self._store: CatalogStore | None = None
        self._api: ApiApp | None = None
        self._servers: list[BackgroundServer] = []
        self.api_port = 0
        self.cdn_port = 0

    # -- life cycle ------------------------------------------------------------------------

    def start(self) -> StoreEmulator:
        if self._store is not None:
            raise RuntimeError("this emulator is already running")
        config = self.config
        db_path = config.db_path
        if db_path is None:
            handle, db_path = tempfile.mkstemp(prefix="pim-emulator-", suffix=".sqlite3")
            os.close(handle)
            self._temp_db = db_path
        self.db_path = db_path
        self._store = store = CatalogStore(db_path, config.seed)
        if not store.is_initialised():  # an existing db keeps its state: never re-seed
            products, images = (
                demo_catalog(config.seed) if config.catalog == "demo"
                else large_catalog(config.seed, config.large_product_count,
                                   config.large_images_per_product)
                if config.catalog == "large" else ([], []))
            store.initialise(products, images)
        try:
            cdn_app = CdnApp(config, store, lambda: self.cdn_faults, self._cdn_log,
                             FaultInjector(config.seed, "cdn"), RenditionCache())
            cdn_server = BackgroundServer(config.host, config.cdn_port,
                                          RequestGuard(cdn_app, config.host, MAX_CDN_BODY_BYTES),
                                          "emulator-cdn")
            self._servers.append(cdn_server)
            self.cdn_port = cdn_server.port
            cdn_urls = CdnUrls(self.cdn_origin, config.store_hash, config.rendition_sizes)
            services = Services(config, store, cdn_urls, PictureSources(
                config.import_dir, config.max_file_bytes, config.max_image_url_length))
            self._api = ApiApp(services, lambda: self.faults, self._api_log,
                               FaultInjector(config.seed, "api"))
            api_server = BackgroundServer(
                config.host, config.port,
                RequestGuard(self._api, config.host, max_request_bytes(config)), "emulator-api")
            self._servers.append(api_server)
            self.api_port = api_server.port
            for server in self._servers:
                server.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for faults in (self.faults, self.cdn_faults):
            if faults.hold is not None:
                faults.hold.set()  # a held request ends now: stopping waits for its thread
        for server in reversed(self._servers):
            server.stop()
        self._servers.clear()
        if self._store is not None:
            self._store.close()
            self._store = None
        if self._temp_db is not None:
            for suffix in ("", "-wal", "-shm"):
                try:
                    os.remove(self._temp_db + suffix)
                except FileNotFoundError:
                    pass
            self._temp_db = None

    def __enter__(self) -> StoreEmulator:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # -- addresses -------------------------------------------------------------------------

    @property
    def store_url(self) -> str:
        return f"http://{self.config.host}:{self.api_port}"

    @property
    def oauth_api_base(self) -> str:
        return f"{self.store_url}/stores/{self.config.store_hash}/v2"

    @property
    def basic_api_base(self) -> str:
        return f"{self.store_url}/api/v2"

    @property
    def v3_api_base(self) -> str:
        return f"{self.store_url}/stores/{self.config.store_hash}/v3"

    @property
    def cdn_origin(self) -> str:
        return f"http://{self.config.host}:{self.cdn_port}"

    # -- what the servers saw --------------------------------------------------------------

    def requests(self) -> list[RecordedRequest]:
        return self._api_log.snapshot()

    def cdn_requests(self) -> list[RecordedRequest]:
        return self._cdn_log.snapshot()

    def clear_requests(self) -> None:
        self._api_log.clear()
        self._cdn_log.clear()

    def reset_rate_limit(self) -> None:
        if self._api is not None:
            self._api.reset_rate_limit()

    # -- test helpers: straight to the state, no HTTP, no faults ---------------------------

    def add_product(self, name: str, sku: str = "", image_count: int = 0) -> int:
        """A product with `image_count` demo pictures (drawn when first fetched); its id."""
        if image_count > self.config.max_images_per_product:
            raise ValueError(f"image_count exceeds max_images_per_product"
                             f" ({self.config.max_images_per_product})")
        store = self._running_store()
        product_id = store.add_product(name, sku)
        store.add_drawn_images(product_id, name, image_count)
        return product_id

    def image_count(self, product_id: int) -> int:
        return self._running_store().count_images(product_id)

    def _running_store(self) -> CatalogStore:
        if self._store is None:
            raise RuntimeError("start the emulator first")
        return self._store
