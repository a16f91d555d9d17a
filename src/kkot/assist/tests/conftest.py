import io
import random

import pytest
from PIL import Image, ImageDraw


def picture(
    rgb=(30, 40, 90), shape="shirt", size=(600, 600), seed=1, fmt="JPEG", mode="RGB", bg=(246, 246, 246)
):
    """A product-like photo: a shape in ``rgb`` with a little texture on a light background."""
    rnd = random.Random(seed)
    w, h = size
    img = Image.new("RGB", size, bg)
    d = ImageDraw.Draw(img)
    if shape == "shirt":
        pts = [
            (0.3, 0.22),
            (0.42, 0.18),
            (0.5, 0.22),
            (0.58, 0.18),
            (0.7, 0.22),
            (0.85, 0.38),
            (0.76, 0.46),
            (0.7, 0.4),
            (0.7, 0.82),
            (0.3, 0.82),
            (0.3, 0.4),
            (0.24, 0.46),
            (0.15, 0.38),
        ]
    elif shape == "pants":
        pts = [(0.3, 0.15), (0.7, 0.15), (0.74, 0.88), (0.56, 0.88), (0.5, 0.4), (0.44, 0.88), (0.26, 0.88)]
    else:
        pts = [(0.2, 0.5), (0.8, 0.5), (0.85, 0.75), (0.15, 0.75)]
    d.polygon([(x * w, y * h) for x, y in pts], fill=rgb, outline=tuple(max(0, c - 40) for c in rgb))
    for _ in range(40):  # stitches: texture so the photo is not "blurry"
        x, y = rnd.uniform(0.35, 0.65) * w, rnd.uniform(0.3, 0.75) * h
        d.line([(x, y), (x + 8, y)], fill=tuple(min(255, c + 60) for c in rgb), width=2)
    if mode != "RGB":
        img = img.convert(mode)
    buf = io.BytesIO()
    img.save(buf, format=fmt)
    return buf.getvalue()


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """Run what is enqueued after commit (tasks run immediately under pytest once their commit happens)."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run
