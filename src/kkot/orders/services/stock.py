"""Stock reservation on variants: taken at checkout, given back on payment failure, timeout, cancellation and
accepted returns. Always under row locks and conditional updates: stock never goes below zero.

(The fulfillment issue replaces the single ``Variant.stock`` number with a per-warehouse ledger behind the
same three functions.)"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kkot.catalog.models import Product, Variant
from kkot.core.errors import Conflict


def stock_reserve(*, quantities: dict[int, int]) -> None:
    """Take ``{variant_id: qty}`` from stock or raise Conflict(out_of_stock) having taken nothing.
    Must run inside a transaction; rows are locked in id order so concurrent checkouts cannot deadlock."""
    variants = {v.pk: v for v in Variant.objects.select_for_update().filter(pk__in=quantities).order_by("pk")}
    short = [vid for vid, q in quantities.items() if vid not in variants or variants[vid].stock < q]
    if short:
        v = variants.get(short[0])
        name = f"{v.product.name} {v.label}".strip() if v else _("상품")
        raise Conflict(_("재고가 부족합니다: %(n)s (남은 수량 %(s)d개)") % {"n": name, "s": v.stock if v else 0},
                       code="out_of_stock", details={"variant_ids": short})
    for vid, q in sorted(quantities.items()):
        updated = Variant.objects.filter(pk=vid, stock__gte=q).update(stock=F("stock") - q)
        if updated != 1:  # cannot happen under the lock; refuse rather than oversell
            raise Conflict(_("재고가 부족합니다."), code="out_of_stock")
    _refresh_products({variants[v].product_id for v in quantities})


def stock_release(*, quantities: dict[int, int]) -> None:
    """Give reserved or returned units back."""
    if not quantities:
        return
    for vid, q in sorted(quantities.items()):
        if q > 0:
            Variant.objects.filter(pk=vid).update(stock=F("stock") + q)
    _refresh_products(set(Variant.objects.filter(pk__in=quantities).values_list("product_id", flat=True)))


def _refresh_products(product_ids: set[int]) -> None:
    totals = defaultdict(int)
    for row in (Variant.objects.filter(product_id__in=product_ids, is_active=True).values("product_id")
                .annotate(s=Sum("stock"))):
        totals[row["product_id"]] = row["s"] or 0
    for pid in product_ids:
        # updated_at moves so the search index sees the stock change (in-stock filter).
        Product.objects.filter(pk=pid).update(stock_total=totals[pid], updated_at=timezone.now())
        # Sold out by checkout -> 품절; back in stock -> on sale again (only automatic states change).
        if totals[pid] == 0:
            Product.objects.filter(pk=pid, status=Product.Status.ON_SALE).update(status=Product.Status.SOLD_OUT)
        else:
            Product.objects.filter(pk=pid, status=Product.Status.SOLD_OUT).update(status=Product.Status.ON_SALE)
