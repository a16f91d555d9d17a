"""코디 추천 (outfit suggestions) for fashion products: items of complementary categories in the same store
(top -> bottom, shoes, bag ...) chosen by colour-harmony rules (:func:`kkot.ml.vision.outfit.suggest_outfit`)
plus co-purchase strength from the trained bought-together rules; every item shows its reasons.

Colours come from the representative photo's analysis (kkot.assist), else from the seller's 색상 attribute.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from kkot.assist.models import ImageAnalysis
from kkot.catalog.models import Category, Product, ProductImage
from kkot.ml.vision.outfit import OutfitItem, slot_of, suggest_outfit
from kkot.recommendations.modelset import current_set
from kkot.recommendations.selectors import RecItem, Widget
from kkot.stores.models import Store

logger = logging.getLogger("kkot.recommendations")
MAX_CANDIDATES = 400
K = 4


@dataclass
class OutfitWidget(Widget):
    @property
    def title(self) -> str:
        return str(_("코디 추천"))


def _names() -> dict[int, list[str]]:
    cats = {c.pk: c for c in Category.objects.only("pk", "name", "path")}
    return {
        pk: [cats[a].name for a in reversed(c.ancestor_ids or [pk]) if a in cats] for pk, c in cats.items()
    }


def category_slot(names: list[str]) -> str | None:
    """Leaf name first, then its parents: '숄더백' has no slot word, its parent '가방' does."""
    for n in names:
        s = slot_of(n)
        if s:
            return s
    return None


def _colours(product_ids: list[int], attrs: dict[int, dict]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for pid, colours in (
        ImageAnalysis.objects.filter(product_id__in=product_ids, state=ImageAnalysis.State.DONE)
        .order_by("product_id", "image__position", "image_id")
        .values_list("product_id", "colours")
    ):
        if pid not in out and colours:
            out[pid] = [c["name"] for c in colours]
    for pid in product_ids:
        if pid not in out:
            v = (attrs.get(pid) or {}).get("color")
            v = v if isinstance(v, list) else [v] if v else []
            if v:
                out[pid] = [str(x) for x in v]
    return out


def _co_purchase(product_id: int) -> dict[int, float]:
    ms = current_set()
    rules = ms.model("rules") if ms else None
    item = ms.item(product_id) if ms else -1
    if rules is None or item < 0:
        return {}
    ids, scores = rules.similar_items([item], k=60)
    pairs = [
        (int(ms.product_ids[i]), float(s))
        for i, s in zip(ids[0].tolist(), scores[0].tolist(), strict=True)
        if i >= 0 and s > 0
    ]
    top = max((s for _p, s in pairs), default=0.0)
    return {p: s / top for p, s in pairs} if top > 0 else {}


def outfit_widget(*, product: Product, k: int = K) -> OutfitWidget:
    """Outfit suggestions for a fashion product (empty widget for anything else). Never raises."""
    try:
        return _outfit(product, k)
    except Exception:
        logger.exception("recs: outfit for product %s failed", product.pk)
        return OutfitWidget("outfit", note="error")


def _outfit(product: Product, k: int) -> OutfitWidget:
    names = _names()
    if category_slot(names.get(product.category_id, [])) is None:
        return OutfitWidget("outfit", note="not_fashion")
    slot_cats = [c for c, ns in names.items() if category_slot(ns) is not None]
    rows = list(
        Product.objects.filter(
            store_id=product.store_id,
            status=Product.Status.ON_SALE,
            stock_total__gt=0,
            store__status=Store.Status.OPEN,
            category_id__in=slot_cats,
        )
        .exclude(pk=product.pk)
        .order_by("-popularity", "-pk")
        .values_list("pk", "category_id", "attributes")[:MAX_CANDIDATES]
    )
    attrs = {pid: a for pid, _c, a in rows}
    attrs[product.pk] = product.attributes
    colours = _colours([product.pk, *attrs], attrs)
    anchor = OutfitItem(
        product.pk,
        _slot_word(names.get(product.category_id, [])),
        colours.get(product.pk, []),
        product.store_id,
    )
    cands = [
        OutfitItem(pid, _slot_word(names.get(cat, [])), colours.get(pid, []), product.store_id)
        for pid, cat, _a in rows
    ]
    sugg = suggest_outfit(anchor, cands, k=k, co_purchase=_co_purchase(product.pk))
    if not sugg:
        return OutfitWidget("outfit", note="no_candidates" if anchor.colours else "no_colour")
    products = {
        p.pk: p
        for p in Product.objects.filter(pk__in=[s.item_id for s in sugg])
        .select_related("store")
        .prefetch_related(Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")))
    }
    items = [
        RecItem(
            product=products[s.item_id],
            position=i,
            reason=" · ".join(s.reasons),
            kind="outfit",
            score=s.score,
        )
        for i, s in enumerate((s for s in sugg if s.item_id in products), start=1)
    ]
    return OutfitWidget("outfit", items, source="model")


def _slot_word(names: list[str]) -> str:
    """The category name that carries the outfit slot (what suggest_outfit reads)."""
    for n in names:
        if slot_of(n):
            return n
    return names[0] if names else ""
