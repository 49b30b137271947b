"""How many pixels the app ever decodes, in one Qt-free place (the decoder and the upload
check share it, and the upload check must not import Qt)."""

from __future__ import annotations

#: The largest picture decoded, in pixels. The store's biggest rendition (zoom) is 1280x1280
#: (1.6 MP) and its originals are at most 8 MB, which a camera fills with ~24-40 MP; beyond
#: 40 MP a "picture" is a bomb, not a product photo (an 8000x8000 PNG of 200 KB is 64 MP).
MAX_PICTURE_PIXELS = 40_000_000
