"""The store's REST contract: models, auth, the client and its errors. No Qt here."""

from app.api.auth import BasicCredentials, OAuthCredentials, StoreCredentials
from app.api.cdn import ImageDownloader
from app.api.client import StoreClient
from app.api.models import ImageChanges, Product, ProductImage

__all__ = [
    "BasicCredentials", "ImageChanges", "ImageDownloader", "OAuthCredentials", "Product",
    "ProductImage", "StoreClient", "StoreCredentials",
]
