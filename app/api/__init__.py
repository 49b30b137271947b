"""The store's REST contract: models, auth, the client and its errors. No Qt here."""

from typing import TYPE_CHECKING, Any

from app.api.auth import BasicCredentials, OAuthCredentials, StoreCredentials
from app.api.models import ImageChanges, Product, ProductImage

if TYPE_CHECKING:
    from app.api.cdn import ImageDownloader
    from app.api.client import StoreClient



def __getattr__(name: str) -> Any:
    # The client and the downloader bring httpx (~50 ms to import): loaded when first used,
    # so the window can paint before any of it is needed.
    if name == "ImageDownloader":
        from app.api.cdn import ImageDownloader
        return ImageDownloader
    if name == "StoreClient":
        from app.api.client import StoreClient
        return StoreClient
    raise AttributeError(f"module 'app.api' has no attribute {name!r}")


__all__ = [
    "BasicCredentials", "ImageChanges", "ImageDownloader", "OAuthCredentials", "Product",
    "ProductImage", "StoreClient", "StoreCredentials",
]
