"""Draw the demo catalog's pictures: told apart at a glance at 44x58 as well as at 386x513.

Each product has its own background colour; each image a shape, its position number drawn large,
and the product's name on a band at the bottom.
"""

from __future__ import annotations

import colorsys
import io
import math
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from .imagetypes import PIL_FORMATS

PICTURE_SIZE = (800, 1000)
SHAPES = ("circle", "square", "triangle", "star", "diamond", "hexagon", "ring", "cross")
# Shape fills that stay visible on any background hue: the renderer darkens or lightens them.
_SHAPE_HUE_OFFSETS = (0.5, 0.33, 0.66, 0.16, 0.83)


def product_colour(product_id: int) -> tuple[int, int, int]:
    # Golden-ratio hue steps keep neighbouring products far apart on the colour wheel.
    hue = (product_id * 0.618033988749895) % 1.0
    value = 0.80 if product_id % 2 else 0.62
    red, green, blue = colorsys.hsv_to_rgb(hue, 0.55, value)
    return round(red * 255), round(green * 255), round(blue * 255)


def _shape_colour(product_id: int, position: int) -> tuple[int, int, int]:
    hue = (product_id * 0.618033988749895 + _SHAPE_HUE_OFFSETS[position % 5]) % 1.0
    red, green, blue = colorsys.hsv_to_rgb(hue, 0.35, 0.97)
    return round(red * 255), round(green * 255), round(blue * 255)


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _regular_polygon(cx: float, cy: float, radius: float, sides: int, turn: float = -90.0,
                     ) -> list[tuple[float, float]]:
    return [
        (cx + radius * math.cos(math.radians(turn + 360.0 * k / sides)),
         cy + radius * math.sin(math.radians(turn + 360.0 * k / sides)))
        for k in range(sides)
    ]


def _star(cx: float, cy: float, outer: float, inner: float) -> list[tuple[float, float]]:
    points = []
    for k in range(10):
        radius = outer if k % 2 == 0 else inner
        angle = math.radians(-90.0 + 36.0 * k)
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


def _draw_shape(draw: ImageDraw.ImageDraw, shape: str, fill: tuple[int, int, int]) -> None:
    cx, cy, r = 400.0, 430.0, 330.0
    if shape == "circle":
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=fill)
    elif shape == "square":
        s = r * 0.88
        draw.rectangle((cx - s, cy - s, cx + s, cy + s), fill=fill)
    elif shape == "triangle":
        draw.polygon(_regular_polygon(cx, cy + 60, r * 1.15, 3), fill=fill)
    elif shape == "star":
        draw.polygon(_star(cx, cy + 20, r * 1.1, r * 0.5), fill=fill)
    elif shape == "diamond":
        draw.polygon(_regular_polygon(cx, cy, r * 1.05, 4), fill=fill)
    elif shape == "hexagon":
        draw.polygon(_regular_polygon(cx, cy, r, 6, turn=0.0), fill=fill)
    elif shape == "ring":
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=fill, width=95)
    else:  # cross
        w = r * 0.38
        draw.rectangle((cx - r, cy - w, cx + r, cy + w), fill=fill)
        draw.rectangle((cx - w, cy - r, cx + w, cy + r), fill=fill)


def draw_picture(product_id: int, product_name: str, position: int, extension: str) -> bytes:
    """An ~800x1000 original in the format `extension` names ("jpg" or "png")."""
    image = Image.new("RGB", PICTURE_SIZE, product_colour(product_id))
    draw = ImageDraw.Draw(image)
    _draw_shape(draw, SHAPES[(position - 1) % len(SHAPES)], _shape_colour(product_id, position))
    number = str(position)
    size = 420 if len(number) < 3 else 300
    draw.text((400, 430), number, font=_font(size), fill=(17, 17, 17), anchor="mm",
              stroke_width=14, stroke_fill=(255, 255, 255))
    draw.rectangle((0, 850, 800, 1000), fill=(250, 250, 247))
    draw.text((400, 925), product_name, font=_font(58), fill=(30, 30, 30), anchor="mm")
    buffer = io.BytesIO()
    pil_format = PIL_FORMATS[extension]
    if pil_format == "JPEG":
        image.save(buffer, pil_format, quality=88)
    else:
        image.save(buffer, pil_format)
    return buffer.getvalue()
