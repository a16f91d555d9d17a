"""The stock ledger's core. Every change is a StockMovement written together with its StockLevel balance and the
cached ``Variant.stock`` (available to sell) in one transaction, under row locks taken in a fixed order: variants
by id, then their levels by id. Concurrent checkouts therefore serialise per variant and cannot deadlock.

Opening balances are lazy (ADR 0007): the first time a variant is touched, its ``Variant.stock`` becomes a
"receive" movement (사유 "기초 재고") into the store's default warehouse, created on first use. A later direct
write of ``Variant.stock`` by the product form is reconciled the same way as an "adjust" movement
(사유 "상품 정보 수정"), so the ledger and the cached number never disagree after any inventory call.

A service opens with :func:`begin` (lock and reconcile), applies :func:`move` to levels, and ends with
:func:`write_cache`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kkot.catalog.models import Product, Variant
from kkot.core.errors import Conflict
from kkot.inventory.models import MovementKind, StockLevel, StockMovement, Warehouse
from kkot.inventory.services.warehouses import warehouse_default

K = MovementKind
OPENING_REASON = "기초 재고"
SYNC_REASON = "상품 정보 수정"

# kind -> (on_hand sign, reserved sign) applied to a positive quantity; ADJUST carries its own sign.
EFFECTS = {
    K.RECEIVE: (1, 0),
    K.RESERVE: (0, 1),
    K.RELEASE: (0, -1),
    K.SHIP: (-1, -1),
    K.RETURN_RESTOCK: (1, 0),
    K.ADJUST: (1, 0),
    K.DISPOSE: (0, 0),
}

Levels = dict[int, list[StockLevel]]


def _lock_variants(ids: Iterable[int]) -> dict[int, Variant]:
    return {
        v.pk: v
        for v in Variant.all_objects.select_for_update()
        .select_related("product__store")
        .filter(pk__in=set(ids))
        .order_by("pk")
    }


def _lock_levels(variant_ids: Iterable[int]) -> Levels:
    out: Levels = defaultdict(list)
    for lv in (
        StockLevel.objects.select_for_update()
        .select_related("warehouse")
        .filter(variant_id__in=set(variant_ids))
        .order_by("pk")
    ):
        out[lv.variant_id].append(lv)
    return out


def level_for(levels: Levels, variant: Variant, warehouse: Warehouse) -> StockLevel:
    """The variant's locked level in the warehouse, created (and locked) when it has none there yet."""
    for lv in levels[variant.pk]:
        if lv.warehouse_id == warehouse.pk:
            return lv
    lv, _created = StockLevel.objects.get_or_create(variant=variant, warehouse=warehouse)
    lv = StockLevel.objects.select_for_update().select_related("warehouse").get(pk=lv.pk)
    levels[variant.pk].append(lv)
    return lv


def move(
    lv: StockLevel,
    kind: str,
    qty: int,
    *,
    reason: str = "",
    actor=None,
    order_line_id=None,
    ref="",
    at: datetime | None = None,
) -> StockMovement:
    """Apply one movement to a locked level and write its ledger row (the only place balances change)."""
    oh_sign, res_sign = EFFECTS[kind]
    d_oh, d_res = oh_sign * qty, res_sign * qty
    if lv.reserved + d_res < 0 or lv.on_hand + d_oh < lv.reserved + d_res:
        raise Conflict(_("재고가 부족합니다."), code="out_of_stock")  # callers check first; never oversell
    lv.on_hand += d_oh
    lv.reserved += d_res
    lv.save(update_fields=["on_hand", "reserved", "updated_at"])
    return StockMovement.objects.create(
        variant_id=lv.variant_id,
        warehouse_id=lv.warehouse_id,
        kind=kind,
        qty=-qty if kind in (K.RESERVE, K.SHIP) else qty,
        on_hand_delta=d_oh,
        reserved_delta=d_res,
        reason=reason[:200],
        actor=actor,
        order_line_id=order_line_id,
        ref=ref[:60],
        at=at or timezone.now(),
    )


def _sync(variants: dict[int, Variant], levels: Levels, at=None) -> None:
    """Lazy opening balance / reconciliation of direct ``Variant.stock`` writes (see module doc)."""
    for v in variants.values():
        ledger = sum(lv.available for lv in levels[v.pk])
        delta = v.stock - ledger
        if delta == 0:
            continue
        if delta > 0:
            wh = warehouse_default(store=v.product.store, cold_chain=v.product.cold_chain)
            kind = K.RECEIVE if not levels[v.pk] else K.ADJUST
            move(
                level_for(levels, v, wh),
                kind,
                delta,
                reason=OPENING_REASON if kind == K.RECEIVE else SYNC_REASON,
                at=at,
            )
        else:
            need = -delta
            for lv in sorted(levels[v.pk], key=lambda x: -x.available):
                take = min(need, lv.available)
                if take:
                    move(lv, K.ADJUST, -take, reason=SYNC_REASON, at=at)
                    need -= take


def write_cache(variants: dict[int, Variant], levels: Levels) -> list[int]:
    """Variant.stock = Σ available; Product.stock_total and 품절 follow. Returns variants back in stock."""
    back = []
    for v in variants.values():
        avail = sum(lv.available for lv in levels[v.pk])
        if avail != v.stock:
            if v.stock == 0 and avail > 0:
                back.append(v.pk)
            Variant.all_objects.filter(pk=v.pk).update(stock=avail)
            v.stock = avail
    refresh_products({v.product_id for v in variants.values()})
    return back


def refresh_products(product_ids: set[int]) -> None:
    totals: dict[int, int] = defaultdict(int)
    for row in (
        Variant.objects.filter(product_id__in=product_ids, is_active=True)
        .values("product_id")
        .annotate(s=Sum("stock"))
    ):
        totals[row["product_id"]] = row["s"] or 0
    for pid in product_ids:
        # updated_at moves so the search index sees the stock change (in-stock filter).
        Product.objects.filter(pk=pid).update(stock_total=totals[pid], updated_at=timezone.now())
        # Sold out by checkout -> 품절; back in stock -> on sale again (only automatic states change).
        if totals[pid] == 0:
            Product.objects.filter(pk=pid, status=Product.Status.ON_SALE).update(
                status=Product.Status.SOLD_OUT
            )
        else:
            Product.objects.filter(pk=pid, status=Product.Status.SOLD_OUT).update(
                status=Product.Status.ON_SALE
            )


def begin(variant_ids: Iterable[int], at=None) -> tuple[dict[int, Variant], Levels]:
    """Lock the variants and their levels (in id order) and bring the ledger up to date with them."""
    variants = _lock_variants(variant_ids)
    levels = _lock_levels(variants)
    _sync(variants, levels, at=at)
    return variants, levels


def clean_quantities(quantities: dict[int, int]) -> dict[int, int]:
    return {int(k): int(q) for k, q in quantities.items() if int(q) > 0}
