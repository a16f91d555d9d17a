"""Where each section sits on the store home and the product page, as boxes in a 0..100 x 0..H page (y grows
downwards), following the storefront templates top to bottom. Used to draw the click heatmap picture (a Plotly
figure on the page, a Pillow PNG in the weekly report). Pure data: no Django queries here."""

from __future__ import annotations

from dataclasses import dataclass

STORE_ORDER = ["banner", "category", "widget", "best", "new"]  # store_home.html, top to bottom
PRODUCT_ORDER = ["buy", "widget", "list"]  # product page below the gallery
HEIGHTS = {
    "banner": 14,
    "category": 6,
    "widget": 16,
    "best": 30,
    "new": 30,
    "buy": 8,
    "list": 24,
    "search": 30,
}
HEADER = {"store": ("스토어 소개", 10), "product": ("상품 사진·정보", 30)}


@dataclass
class Box:
    section: str
    label: str
    x0: float
    y0: float
    x1: float
    y1: float
    ctr: float | None  # None: no data for the section (drawn grey)
    impressions: int = 0
    clicks: int = 0


def _group(section: str) -> str:
    head = section.split(":", 1)[0]
    return head if head in ("banner", "widget") else section


def page_boxes(page_type: str, rows: list, banner_order: list[str] | None = None) -> tuple[list[Box], float]:
    """Boxes for the page's sections (``rows``: SectionRow-like objects with section/label/ctr/impressions/
    clicks); several banners or widgets share their band side by side. Returns (boxes, page height)."""
    order = STORE_ORDER if page_type == "store" else PRODUCT_ORDER
    groups: dict[str, list] = {}
    for r in rows:
        groups.setdefault(_group(r.section), []).append(r)
    if "banner" in groups and banner_order:
        rank = {s: i for i, s in enumerate(banner_order)}
        groups["banner"].sort(key=lambda r: rank.get(r.section, len(rank)))
    for v in groups.values():
        if v and not v[0].section.startswith("banner"):
            v.sort(key=lambda r: r.section)
    title, h = HEADER.get(page_type, ("", 0))
    boxes = [Box("", title, 0, 0, 100, h, None)] if title else []
    y = h
    for g in [*order, *sorted(k for k in groups if k not in order)]:
        members = groups.get(g)
        if not members:
            continue
        height = HEIGHTS.get(g, 16)
        width = 100 / len(members)
        for i, r in enumerate(members):
            boxes.append(
                Box(
                    r.section,
                    r.label,
                    i * width,
                    y,
                    (i + 1) * width,
                    y + height,
                    r.ctr if r.impressions else None,
                    r.impressions,
                    r.clicks,
                )
            )
        y += height
    return boxes, y
