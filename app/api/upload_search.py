"""Did an upload whose answer never came arrive? Decided from the product's images.

A POST that got no answer (`OutcomeUnknown`) may or may not have added its image; sending it
again blindly could add it twice. The store keeps no client token, but it files the picture
under the uploaded name, mangled: "Red Mug.png" becomes "r/123/red-mug__45678.png" (a
folder, the name in lower case with dashes, "__" and a number; the extension from the
picture's type). So the product's images are listed and matched by that name, among the
images that were not there before the upload was sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from app.api.models import ProductImage

if TYPE_CHECKING:
    from app.api.client import StoreClient

_NOT_NAME = re.compile(r"[^a-z0-9]+")
_STORE_SUFFIX = re.compile(r"__\d+$")


def name_key(file_name: str) -> str:
    """A file name as the store files it, reduced to what survives its mangling: the stem in
    lower case, runs of other characters as one dash. "Red Mug (2).PNG" -> "red-mug-2"."""
    stem = PurePosixPath(file_name.replace("\\", "/")).name
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    return _NOT_NAME.sub("-", stem.lower()).strip("-")


def stored_name_key(image_file: str) -> str:
    """The same key for a stored `image_file` ("r/123/red-mug__45678.png" -> "red-mug")."""
    stem = PurePosixPath(image_file).name
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    return name_key(_STORE_SUFFIX.sub("", stem))


#: Stores cut long names (the emulator at 60 characters); a stored key at least this long
#: that starts the wanted one is taken as the same name, cut.
_CUT_NAME_MIN = 40


def same_name(stored_key: str, wanted_key: str) -> bool:
    return stored_key == wanted_key or (len(stored_key) >= _CUT_NAME_MIN
                                        and wanted_key.startswith(stored_key))


def url_file_name(url: str) -> str:
    """The file name an image URL gives the store ("https://x/a/Red%20Mug.jpg?v=2" ->
    "Red Mug.jpg"): what `create_image_from_url`'s image is filed under."""
    return unquote(PurePosixPath(urlsplit(url).path).name)


@dataclass(frozen=True)
class UploadSearch:
    """What the product's images say about one upload."""

    #: Images added since the upload was sent whose stored name fits it, in id order.
    candidates: tuple[ProductImage, ...]
    #: The image the upload became, when exactly one candidate (after the picture check) fits.
    image: ProductImage | None

    @property
    def arrived(self) -> bool | None:
        """True: it arrived (`image`); False: no image fits, so sending it again adds no
        duplicate; None: several fit and none could be told apart; ask before sending."""
        if self.image is not None:
            return True
        return False if not self.candidates else None


def find_uploaded(client: "StoreClient", product_id: int, *, file_name: str,
                  before_ids: Collection[int] | None = None,
                  same_picture: Callable[[ProductImage], bool] | None = None) -> UploadSearch:
    """Lists the product's images (all_images, one request for most products) and looks for
    the upload of `file_name` (for a URL create, `url_file_name(url)`).

    `before_ids`: the ids the product had before the upload was sent (the write path knows
    them); those images cannot be it, nor can any image with a lower id (the store numbers
    new images upwards). Without them, an older image of the same name is a candidate too.
    `same_picture`: when several candidates fit by name, a check of the picture itself (e.g.
    its size and pixels against the local file) that picks the one.
    """
    wanted = name_key(file_name)
    images = client.all_images(product_id)
    known = set(before_ids or ())
    newest_known = max(known, default=None)
    candidates = tuple(
        image for image in sorted(images, key=lambda image: image.id)
        if image.id not in known and (newest_known is None or image.id > newest_known)
        and same_name(stored_name_key(image.image_file), wanted))
    fitting = candidates
    if len(candidates) > 1 and same_picture is not None:
        fitting = tuple(image for image in candidates if same_picture(image))
    return UploadSearch(candidates, fitting[0] if len(fitting) == 1 else None)
