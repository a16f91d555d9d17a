"""Programmatically drawn product pictures: a silhouette per kind of product, in the product's colour,
on a light studio background. Never copied from any dataset; deterministic for a seed."""

from __future__ import annotations

import hashlib
import io
import random

from PIL import Image, ImageDraw

SIZE = 600


def _shade(rgb, k):
    return tuple(max(0, min(255, int(c * k))) for c in rgb)


def _poly(d, pts, fill, outline):
    d.polygon([(x * SIZE, y * SIZE) for x, y in pts], fill=fill, outline=outline)


def _ell(d, box, fill, outline=None, width=1):
    d.ellipse([v * SIZE for v in box], fill=fill, outline=outline, width=width)


def _rect(d, box, fill, outline=None, radius=0.0, width=1):
    d.rounded_rectangle([v * SIZE for v in box], radius=radius * SIZE, fill=fill, outline=outline, width=width)


def draw_shape(d: ImageDraw.ImageDraw, shape: str, c, rnd: random.Random) -> None:
    dark, light = _shade(c, 0.7), _shade(c, 1.15)
    j = rnd.uniform(-0.02, 0.02)
    if shape == "tshirt":
        _poly(d, [(.3, .22), (.42, .18), (.5, .22 + j), (.58, .18), (.7, .22), (.85, .38), (.76, .46), (.7, .4),
                  (.7, .82), (.3, .82), (.3, .4), (.24, .46), (.15, .38)], c, dark)
    elif shape == "shirt":
        _poly(d, [(.3, .2), (.44, .16), (.5, .24), (.56, .16), (.7, .2), (.86, .6), (.78, .63), (.7, .42),
                  (.7, .85), (.3, .85), (.3, .42), (.22, .63), (.14, .6)], c, dark)
        d.line([(SIZE * .5, SIZE * .24), (SIZE * .5, SIZE * .85)], fill=dark, width=3)
    elif shape == "coat":
        _poly(d, [(.28, .16), (.44, .13), (.5, .3), (.56, .13), (.72, .16), (.86, .7), (.77, .72), (.72, .4),
                  (.74, .9), (.26, .9), (.28, .4), (.23, .72), (.14, .7)], c, dark)
    elif shape == "dress":
        _poly(d, [(.4, .14), (.6, .14), (.62, .38), (.8, .88), (.2, .88), (.38, .38)], c, dark)
    elif shape == "skirt":
        _poly(d, [(.36, .28), (.64, .28), (.8, .78), (.2, .78)], c, dark)
    elif shape == "pants":
        _poly(d, [(.32, .14), (.68, .14), (.72, .88), (.56, .88), (.5, .38), (.44, .88), (.28, .88)], c, dark)
    elif shape == "shoe":
        _poly(d, [(.14, .62), (.2, .46), (.42, .42), (.6, .52), (.84, .58), (.88, .7), (.14, .7)], c, dark)
        _rect(d, (.13, .68, .89, .74), (240, 240, 236), dark, .01)
    elif shape == "bag":
        _rect(d, (.24, .38, .76, .82), c, dark, .05, 3)
        d.arc([SIZE * .34, SIZE * .18, SIZE * .66, SIZE * .5], 180, 360, fill=dark, width=10)
    elif shape == "hat":
        _ell(d, (.22, .5, .78, .62), dark)
        d.pieslice([SIZE * .3, SIZE * .28, SIZE * .7, SIZE * .78], 180, 360, fill=c, outline=dark)
    elif shape in ("belt", "scarf", "mat", "rug"):
        _rect(d, (.12, .42, .88, .58) if shape != "rug" else (.18, .25, .82, .75), c, dark, .03, 3)
    elif shape in ("bottle", "dropper"):
        _rect(d, (.36, .3, .64, .84), c, dark, .05, 3)
        _rect(d, (.44, .16, .56, .3), dark, None, .01)
    elif shape in ("jar", "compact", "candle", "bowl", "plate", "pan", "tub"):
        _ell(d, (.22, .3, .78, .76), c, dark, 3)
        _ell(d, (.32, .38, .68, .66), light)
        if shape == "pan":
            _rect(d, (.74, .5, .95, .56), dark, None, .01)
    elif shape in ("tube", "lipstick"):
        _rect(d, (.42, .18, .58, .84), c, dark, .03, 3)
        _rect(d, (.42, .72, .58, .84), dark)
    elif shape in ("box", "keyboard", "charger", "phone", "stand", "shelf", "blocks", "tent", "chair", "meat", "fish"):
        box = {"keyboard": (.12, .4, .88, .64), "phone": (.36, .16, .64, .84), "shelf": (.28, .12, .72, .9),
               "tent": (.2, .3, .8, .78), "fish": (.15, .4, .85, .6)}.get(shape, (.24, .26, .76, .78))
        _rect(d, box, c, dark, .04, 3)
        if shape == "keyboard":
            for i in range(10):
                for r in range(3):
                    _rect(d, (.15 + i * .072, .43 + r * .065, .2 + i * .072, .48 + r * .065), light)
    elif shape in ("fruit", "veg", "doll", "earbuds", "mouse", "cushion", "fan", "lamp", "mug", "brush", "dumbbell"):
        _ell(d, (.28, .28, .72, .72), c, dark, 3)
        _ell(d, (.36, .34, .48, .44), light)
        if shape in ("fruit", "veg"):
            _poly(d, [(.5, .28), (.56, .18), (.6, .22)], (60, 130, 50), (40, 90, 30))
    else:
        _rect(d, (.25, .25, .75, .75), c, dark, .05, 3)


def product_picture(*, shape: str, rgb: tuple[int, int, int], seed: str, badge: str | None = None) -> bytes:
    """A 600x600 JPEG of a product silhouette in ``rgb`` on a light, slightly varied background."""
    rnd = random.Random(int(hashlib.md5(seed.encode()).hexdigest()[:8], 16))
    bg = tuple(rnd.randint(238, 252) for _ in range(3))
    img = Image.new("RGB", (SIZE, SIZE), bg)
    d = ImageDraw.Draw(img)
    # soft floor shadow
    _ell(d, (.2, .84, .8, .92), _shade(bg, 0.9))
    draw_shape(d, shape, rgb, rnd)
    if badge:
        _rect(d, (.04, .04, .3, .12), (255, 255, 255), (220, 220, 220), .02)
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=82)
    return out.getvalue()


def thumbnail(jpeg: bytes, size: int = 400) -> bytes:
    img = Image.open(io.BytesIO(jpeg))
    img.thumbnail((size, size))
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=80)
    return out.getvalue()
