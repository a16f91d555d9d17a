"""Small PNG charts drawn with Pillow for e-mail (no browser, no kaleido). Text inside the pictures is digits only
(the default bitmap font has no Hangul); the e-mail puts the Korean labels around them."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

PINK, GREY, INK, GRID = (224, 69, 123), (185, 185, 195), (60, 60, 70), (235, 235, 240)


def _fmt(v: float) -> str:
    if v >= 1_000_000:
        return f"{v / 1_000_000:.1f}M"
    if v >= 10_000:
        return f"{v / 1_000:.0f}k"
    return f"{v:,.0f}"


def bar_chart_png(
    values: list[float],
    *,
    compare: list[float] | None = None,
    labels: list[str] | None = None,
    width: int = 560,
    height: int = 220,
    color=PINK,
) -> bytes:
    """Bars (``values``) with an optional dotted comparison line (``compare``); ASCII ``labels`` under the bars."""
    img = Image.new("RGB", (width, height), "white")
    d = ImageDraw.Draw(img)
    font = ImageFont.load_default()
    left, right, top, bottom = 48, 10, 12, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([*values, *(compare or []), 1])
    for k in range(5):  # grid lines with their values
        y = top + plot_h - plot_h * k / 4
        d.line([(left, y), (width - right, y)], fill=GRID)
        d.text((4, y - 6), _fmt(peak * k / 4), fill=INK, font=font)
    n = max(len(values), 1)
    slot = plot_w / n
    for i, v in enumerate(values):
        x0 = left + i * slot + slot * 0.18
        x1 = left + (i + 1) * slot - slot * 0.18
        y0 = top + plot_h - plot_h * (v / peak)
        d.rectangle([x0, y0, x1, top + plot_h], fill=color)
        if labels and i < len(labels):
            d.text((x0, top + plot_h + 6), labels[i][:8], fill=INK, font=font)
    if compare:
        pts = [
            (left + (i + 0.5) * slot, top + plot_h - plot_h * (v / peak)) for i, v in enumerate(compare[:n])
        ]
        for a, b in zip(pts, pts[1:], strict=False):
            d.line([a, b], fill=GREY, width=3)
        for x, y in pts:
            d.ellipse([x - 3, y - 3, x + 3, y + 3], fill=GREY)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()
