"""Stock movements driven by orders: reserve at checkout, release on failure or cancellation, ship at dispatch,
restock or dispose of returned units."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from kkot.catalog.models import Variant
from kkot.core.errors import Conflict, ValidationError
from kkot.inventory.models import StockMovement, Warehouse
from kkot.inventory.services.ledger import K, Levels, begin, clean_quantities, level_for, move, write_cache
from kkot.inventory.services.warehouses import warehouse_default


@transaction.atomic
def inventory_reserve(*, quantities: dict[int, int], ref: str = "", at: datetime | None = None) -> None:
    """Reserve ``{variant_id: qty}`` (checkout, exchange replacement) or raise Conflict(out_of_stock) having
    reserved nothing. Takes from the default warehouse first, then the fullest ones."""
    quantities = clean_quantities(quantities)
    if not quantities:
        return
    variants, levels = begin(quantities, at=at)
    short = [
        vid
        for vid, q in quantities.items()
        if vid not in variants or variants[vid].retired_at is not None or variants[vid].stock < q
    ]
    if short:
        v = variants.get(short[0])
        name = f"{v.product.name} {v.label}".strip() if v else _("상품")
        raise Conflict(
            _("재고가 부족합니다: %(n)s (남은 수량 %(s)d개)") % {"n": name, "s": v.stock if v else 0},
            code="out_of_stock",
            details={"variant_ids": short},
        )
    for vid, q in sorted(quantities.items()):
        need = q
        for lv in sorted(levels[vid], key=lambda x: (not x.warehouse.is_default, -x.available, x.pk)):
            take = min(need, lv.available)
            if take:
                move(lv, K.RESERVE, take, ref=ref, at=at)
                need -= take
            if not need:
                break
    write_cache(variants, levels)


@transaction.atomic
def inventory_release(*, quantities: dict[int, int], ref: str = "", at: datetime | None = None) -> list[int]:
    """Give reserved units back (payment failed or expired, cancellation before dispatch). Units that were
    never reserved in the ledger (orders placed before it existed) come back as a return-restock, so the
    available number moves exactly as it always did. Returns the variants that came back in stock."""
    quantities = clean_quantities(quantities)
    if not quantities:
        return []
    variants, levels = begin(quantities, at=at)
    for vid, q in sorted(quantities.items()):
        if vid not in variants:
            continue
        need = q
        for lv in sorted(levels[vid], key=lambda x: (-x.reserved, x.pk)):
            take = min(need, lv.reserved)
            if take:
                move(lv, K.RELEASE, take, ref=ref, at=at)
                need -= take
        if need:
            _restock(variants[vid], levels, need, ref=ref or "legacy", at=at)
    return write_cache(variants, levels)


def _restock(
    v: Variant,
    levels: Levels,
    qty: int,
    *,
    ref="",
    reason="",
    actor=None,
    order_line_id=None,
    at=None,
    warehouse: Warehouse | None = None,
) -> None:
    wh = warehouse or warehouse_default(store=v.product.store, cold_chain=v.product.cold_chain)
    move(
        level_for(levels, v, wh),
        K.RETURN_RESTOCK,
        qty,
        ref=ref,
        reason=reason,
        actor=actor,
        order_line_id=order_line_id,
        at=at,
    )


@transaction.atomic
def inventory_restock(
    *,
    quantities: dict[int, int],
    ref: str = "",
    reason: str = "",
    actor=None,
    warehouse_id: int | None = None,
    at: datetime | None = None,
) -> list[int]:
    """Returned units go back on the shelf (an approved return or exchange). Returns variants back in stock."""
    quantities = clean_quantities(quantities)
    if not quantities:
        return []
    variants, levels = begin(quantities, at=at)
    for vid, q in sorted(quantities.items()):
        if vid in variants:
            wh = None
            if warehouse_id is not None:
                wh = Warehouse.objects.filter(pk=warehouse_id, store=variants[vid].product.store).first()
            _restock(variants[vid], levels, q, ref=ref, reason=reason, actor=actor, at=at, warehouse=wh)
    return write_cache(variants, levels)


@transaction.atomic
def inventory_dispose(
    *,
    quantities: dict[int, int],
    reason: str,
    ref: str = "",
    actor=None,
    warehouse_id: int | None = None,
    at: datetime | None = None,
) -> list[StockMovement]:
    """Returned units that do not go back on the shelf (검수 불합격, 파손): a "dispose" movement with its reason in
    the ledger and no effect on the balances (the units left the stock when they shipped and never came back)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("폐기 사유를 입력해 주세요."), code="reason_required")
    quantities = clean_quantities(quantities)
    if not quantities:
        return []
    variants, levels = begin(quantities, at=at)
    out = []
    for vid, q in sorted(quantities.items()):
        if vid not in variants:
            continue
        v = variants[vid]
        wh = (
            Warehouse.objects.filter(pk=warehouse_id, store=v.product.store).first() if warehouse_id else None
        )
        wh = wh or warehouse_default(store=v.product.store, cold_chain=v.product.cold_chain)
        out.append(move(level_for(levels, v, wh), K.DISPOSE, q, reason=reason, ref=ref, actor=actor, at=at))
    write_cache(variants, levels)
    return out


@transaction.atomic
def inventory_ship(
    *, lines: list[tuple[int, int, int | None]], ref: str = "", actor=None, at: datetime | None = None
) -> None:
    """Dispatch: ``[(variant_id, qty, order_line_id)]`` leave the warehouse (on hand and reserved both drop).
    Units that were never reserved in the ledger (placed before it existed) were already off the available
    number; nothing more is taken for them."""
    lines = [(int(v), int(q), ol) for v, q, ol in lines if int(q) > 0]
    if not lines:
        return
    variants, levels = begin([v for v, _q, _ol in lines], at=at)
    for vid, q, ol in lines:
        need = q
        for lv in sorted(levels.get(vid, []), key=lambda x: (-x.reserved, x.pk)):
            take = min(need, lv.reserved)
            if take:
                move(lv, K.SHIP, take, ref=ref, actor=actor, order_line_id=ol, at=at)
                need -= take
    write_cache(variants, levels)
