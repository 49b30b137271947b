"""How big a card's picture may be, in pixels: what the size slider and the grid share."""

MIN_PICTURE_WIDTH = 44    # the CDN's tiny rendition, shown 1:1
MAX_PICTURE_WIDTH = 386   # the thumbnail rendition
DEFAULT_PICTURE_WIDTH = 110
