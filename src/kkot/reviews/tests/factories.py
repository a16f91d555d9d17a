"""Review test helpers: a shopper with a delivered order line of a store built with kkot.core.testing."""

from __future__ import annotations

import itertools
from datetime import datetime

from kkot.core.testing import make_product, make_store, make_user
from kkot.orders.tests.factories import place

_tracking = itertools.count(100000000000)


def delivered_line(
    *, store=None, product=None, buyer=None, label="블랙 / M", qty=1, at: datetime | None = None, **product_kw
):
    """Place, ship and deliver an order of one variant; returns the order line (``line.order`` delivered)."""
    from kkot.orders.services.lifecycle import order_mark_delivered, order_ship
    from kkot.stores.models import StoreMembership

    store = store or (product.store if product else make_store())
    owner = StoreMembership.objects.filter(store=store, role="owner").first().user
    product = product or make_product(store=store, actor=owner, **product_kw)
    buyer = buyer or make_user(name="김구매")
    v = product.variants.get(label=label)
    from kkot.catalog.models import Variant

    Variant.objects.filter(pk=v.pk).update(stock=100)
    order = place(buyer, [(v.pk, qty)]).orders.get()
    order_ship(order=order, actor=owner, carrier="cj", tracking_number=str(next(_tracking)))
    order_mark_delivered(order=order, at=at)
    line = order.lines.select_related("order").get()
    return line


__all__ = ["delivered_line", "line_clones", "make_product", "make_store", "make_user", "reviews_for"]


def line_clones(line, n: int) -> list:
    """``n`` more lines like ``line`` in the same delivered order (fast: many reviewable lines for one shopper)."""
    from kkot.orders.models import OrderLine

    fields = {
        f.attname: getattr(line, f.attname) for f in OrderLine._meta.concrete_fields if not f.primary_key
    }
    return OrderLine.objects.bulk_create([OrderLine(**fields) for _ in range(n)]) and list(
        OrderLine.objects.filter(order_id=line.order_id)
        .exclude(pk=line.pk)
        .select_related("order")
        .order_by("pk")
    )


def reviews_for(line, plan, *, analyze: bool = True) -> list:
    """Reviews of clones of ``line``: ``plan`` is a list of ``(text, stars, created_at or None)``."""
    from kkot.reviews.analysis import reviews_analyze
    from kkot.reviews.services import review_create

    lines = [line, *line_clones(line, len(plan) - 1)] if len(plan) > 1 else [line]
    out = [
        review_create(user=line.order.user, order_line_id=ln.pk, stars=stars, text=text, at=at)
        for ln, (text, stars, at) in zip(lines, plan, strict=True)
    ]
    if analyze:
        reviews_analyze(review_ids=[r.pk for r in out])
    return out
